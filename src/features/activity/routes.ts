/** GET /api/v1/activity — the organization's activity log, newest first (API.md §8). */
import { Elysia } from "elysia";
import { z } from "zod";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { decodeStringCursor, DEFAULT_LIMIT, encodeCursor, pageOf, pageQuery } from "../../http/pagination";

export const ActivityItem = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ type: z.enum(["user", "api_key", "system"]), id: z.string().nullable(), label: z.string() }),
  action: z.string().meta({ example: "subnet.create" }),
  target: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
});

interface ActivityRow {
  id: string;
  at: string;
  actor_type: "user" | "api_key" | "system";
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string;
  changes: string;
}

export function activityRoutes(deps: AppDeps) {
  const { sqlite } = deps.database;
  return new Elysia({ name: "activity-routes" }).use(authGuard(deps)).get(
    "/api/v1/activity",
    ({ principal, query }) => {
      const where = ["org_id = ?"];
      const args: (string | number)[] = [principal.orgId];
      if (query.target_id) {
        where.push("target_id = ?");
        args.push(query.target_id);
      }
      if (query.actor) {
        where.push("(actor_id = ? OR actor_label = ?)");
        args.push(query.actor, query.actor);
      }
      if (query.action) {
        where.push("action = ?");
        args.push(query.action);
      }
      const total = (sqlite.query(`SELECT COUNT(*) AS n FROM activity WHERE ${where.join(" AND ")}`).get(...args) as { n: number }).n;
      if (query.cursor) {
        const [at, id] = decodeStringCursor(query.cursor, 2) as [string, string];
        where.push("(at < ? OR (at = ? AND id < ?))");
        args.push(at, at, id);
      }
      const limit = query.limit ?? DEFAULT_LIMIT;
      const rows = sqlite
        .query(`SELECT * FROM activity WHERE ${where.join(" AND ")} ORDER BY at DESC, id DESC LIMIT ?`)
        .all(...args, limit + 1) as ActivityRow[];
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toItem),
        total,
        next_cursor: rows.length > limit && last ? encodeCursor([last.at, last.id]) : null,
      };
    },
    {
      query: z.strictObject({
        target_id: z.string().max(100).optional(),
        actor: z.string().max(200).optional(),
        action: z.string().max(100).optional(),
        ...pageQuery,
      }),
      response: { 200: pageOf(ActivityItem) },
      detail: { tags: ["Activity"], summary: "The organization's activity log, newest first" },
    },
  );
}

function toItem(row: ActivityRow): z.infer<typeof ActivityItem> {
  return {
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: { type: row.target_type, id: row.target_id, label: row.target_label },
    changes: JSON.parse(row.changes),
  };
}
