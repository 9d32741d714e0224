/** GET /api/v1/events — the change feed (issue 14). Thin: the rules are in service.ts. */
import { Elysia } from "elysia";
import { z } from "zod";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { DEFAULT_LIMIT, MAX_LIMIT } from "../../http/pagination";
import { queryInt } from "../../http/query-number";
import { documented, ErrorBody, errorResponses } from "../../ipam/schemas";
import { readFeed } from "./service";

/** The longest a long-poll may be held, whatever `wait` asks. */
const MAX_WAIT_SECONDS = 60;

const FeedQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,15}$/, "must be a cursor: the next_cursor of an earlier answer (a decimal number)")
    .transform(Number)
    .optional()
    .describe("the next_cursor of the previous answer; omitted: from the oldest event kept"),
  limit: queryInt(1, MAX_LIMIT).optional().describe("at most this many events, default 100, max 1000"),
  wait: queryInt(0, MAX_WAIT_SECONDS).optional().describe("seconds to hold the answer while there is nothing new (long-poll), default 0"),
});

const EventItem = z
  .object({
    id: z.string().describe("unique per event; a webhook delivery of it carries the same id"),
    seq: z.number().int().describe("position in the organization's feed, in commit order"),
    type: z.string(),
    at: z.string(),
    organization_id: z.string(),
    actor: z.object({ type: z.enum(["user", "api_key", "system"]), id: z.string().nullable(), label: z.string() }),
    target: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
    changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
  })
  .meta({
    examples: [
      {
        id: "019ae0b4-3c1e-7a8b-9f10-2b3c4d5e6f70",
        seq: 42,
        type: "address.create",
        at: "2026-12-02T16:00:00.000Z",
        organization_id: "5d1e0c1e-2b9a-4c5e-8a7f-0e1d2c3b4a59",
        actor: { type: "api_key", id: "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", label: "CI/CD Pipeline (ipc_a1b2c3d4…)" },
        target: { type: "address", id: "3f2e1d0c-9b8a-4765-8432-10fedcba9876", label: "10.0.1.51" },
        changes: { ip: [null, "10.0.1.51"], hostname: [null, "web-01"], status: [null, "assigned"] },
      },
    ],
  });

const FeedPage = z
  .object({ items: z.array(EventItem), next_cursor: z.string().describe("pass as `after` next time (unchanged when nothing came)") })
  .meta({ examples: [{ items: [], next_cursor: "42" }] });

export function changeFeedRoutes(deps: Pick<AppDeps, "store" | "config">) {
  // Held answers end before the server's idle timeout would cut the connection.
  const waitCap = Math.max(0, Math.min(MAX_WAIT_SECONDS, deps.config.idleTimeout - 5));
  return new Elysia({ name: "change-feed-routes" }).use(authGuard(deps)).get(
    "/api/v1/events",
    ({ principal, query, request }) =>
      readFeed(deps.store, principal, {
        after: query.after,
        limit: query.limit ?? DEFAULT_LIMIT,
        waitSeconds: Math.min(query.wait ?? 0, waitCap),
        signal: request.signal,
      }),
    {
      query: FeedQuery,
      detail: {
        responses: documented({ 200: FeedPage, ...errorResponses(400), 410: ErrorBody }),
        tags: ["Events"],
        summary: "The change feed: every change, in commit order, after a cursor (long-poll with `wait`)",
        description: [
          "Follow changes without a listener: `GET /api/v1/events?after=<next_cursor>&wait=30` in a loop. Items are the events",
          "webhooks receive, oldest first, in commit order; `next_cursor` never skips a committed change. With `wait`, an empty",
          "answer is held until something happens (at most `wait` seconds, and 5 s less than the server's idle timeout).",
          "Each item is an activity log entry (its `id` is the entry's), kept as long as the log (the plan's `activity_days`;",
          "self-hosted: forever unless `--activity-retention-days` is set). A cursor older than that (or from another database)",
          "answers 410 `cursor_expired`; resync and start again without `after`.",
        ].join(" "),
      },
    },
  );
}
