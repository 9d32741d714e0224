/** GET /api/v1/activity — the organization's activity log, newest first (API.md §8). */
import { Elysia } from "elysia";
import { z } from "zod";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { decodeStringCursor, DEFAULT_LIMIT, encodeCursor, pageOf, pageQuery } from "../../http/pagination";
import type { ActivityRecord } from "../../store/store";

export const ActivityItem = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ type: z.enum(["user", "api_key", "system"]), id: z.string().nullable(), label: z.string() }),
  action: z.string().meta({ example: "subnet.create" }),
  target: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
});

export function activityRoutes(deps: Pick<AppDeps, "store" | "config">) {
  const { store } = deps;
  return new Elysia({ name: "activity-routes" }).use(authGuard(deps)).get(
    "/api/v1/activity",
    async ({ principal, query }) => {
      const after = query.cursor ? (decodeStringCursor(query.cursor, 2) as [string, string]) : undefined;
      const filter = { targetId: query.target_id, targetType: query.target_type, actor: query.actor, action: query.action };
      const limit = query.limit ?? DEFAULT_LIMIT;
      const { rows, more, total } = await store.read({ orgId: principal.orgId }, (q) => q.activity.list(principal.orgId, filter, { limit, after }));
      const last = rows[rows.length - 1];
      return {
        items: rows.map(toItem),
        total,
        next_cursor: more && last ? encodeCursor([last.at, last.id]) : null,
      };
    },
    {
      query: z.strictObject({
        target_id: z.string().max(100).optional().describe("entries about this object (a subnet's, address's, folder's … id)"),
        target_type: z.string().max(50).optional().describe("entries about this kind of object: subnet, section, address, vrf, user, api_key, webhook, organization"),
        actor: z.string().max(200).optional().describe("who: a user's or key's id, or its label (an email, a key's name)"),
        action: z.string().max(100).optional().describe("e.g. subnet.create, address.update"),
        ...pageQuery,
      }),
      response: { 200: pageOf(ActivityItem) },
      detail: { tags: ["Activity"], summary: "The organization's activity log, newest first; filters combine (AND)" },
    },
  );
}

function toItem(row: ActivityRecord): z.infer<typeof ActivityItem> {
  return {
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: { type: row.target_type, id: row.target_id, label: row.target_label },
    changes: JSON.parse(row.changes),
  };
}
