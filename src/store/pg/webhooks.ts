/**
 * PostgreSQL: webhooks and their deliveries; the twin of src/store/sqlite/webhooks.ts.
 *
 * The delivery worker runs in every replica. Its statements are system work (scope
 * `{ orgId: null }`) seen through the window of drizzle/pg/0009_webhooks.sql, opened for
 * the statement and closed again. A claim is a short transaction, never one held across
 * the HTTP request:
 *
 *   app.maintenance = 'webhooks'
 *   WITH due AS (SELECT … WHERE status = 'pending' AND next_attempt_at <= now
 *                ORDER BY next_attempt_at, id LIMIT n FOR UPDATE SKIP LOCKED)
 *   UPDATE … SET attempts + 1, next_attempt_at = lease        rows another replica is
 *   RETURNING the body, url and secret                        claiming are skipped, and
 *   app.maintenance = ''                                      once it commits they are not
 *   COMMIT                                                    due (the lease) until it ends
 *
 * POST (outside any transaction), then settle: succeeded, failed, or pending again at the
 * next backoff. A replica that dies between claim and settle leaves the lease to expire:
 * the row is claimed again later (at-least-once; receivers dedupe by event id). The lease
 * outlasts the request timeout, so two replicas never send one delivery at the same time.
 */
import type { SQL } from "bun";
import type { ClaimedDelivery, DeliveryRecord, DeliveryStatus, Scope, WebhookQueries, WebhookRecord } from "../store";
import { iso } from "./errors";

interface WebhookRow extends Omit<WebhookRecord, "events" | "active" | "created_at" | "updated_at"> {
  events: string;
  active: number;
  created_at: Date;
  updated_at: Date;
}

function toWebhook(row: WebhookRow): WebhookRecord {
  return { ...row, events: JSON.parse(row.events) as string[], active: row.active === 1, created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}

type DeliveryRow = Omit<DeliveryRecord, "created_at" | "next_attempt_at" | "last_attempt_at" | "completed_at"> & {
  created_at: Date;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  completed_at: Date | null;
};

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    ...row,
    created_at: iso(row.created_at),
    next_attempt_at: row.status === "pending" ? iso(row.next_attempt_at) : null,
    last_attempt_at: iso(row.last_attempt_at),
    completed_at: iso(row.completed_at),
  };
}

export function pgWebhooks(tx: SQL, scope: Scope): WebhookQueries {
  /**
   * Runs `statement` through the worker's window (system work only), pipelined between opening
   * and closing it. `statement` must call `.execute()` on its queries before its first await: a
   * bare `await tx\`…\`` sends the query a microtask later, after the window has closed.
   */
  async function asWorker<T>(statement: () => Promise<T>): Promise<T> {
    if (scope.orgId !== null) throw new Error("webhook delivery is system work: run it in a unit with scope { orgId: null }");
    const [, value] = await Promise.all([
      tx`SELECT set_config('app.maintenance', 'webhooks', true)`.execute(),
      statement(),
      tx`SELECT set_config('app.maintenance', '', true)`.execute(),
    ]);
    return value as T;
  }

  return {
    async get(orgId, id) {
      const [row] = await tx`SELECT id, org_id, url, events, secret, active, description, created_at, updated_at FROM webhooks WHERE org_id = ${orgId} AND id = ${id}`;
      return row ? toWebhook(row as WebhookRow) : null;
    },

    async insert(w) {
      await tx`INSERT INTO webhooks (id, org_id, url, events, secret, active, description, created_at, updated_at)
               VALUES (${w.id}, ${w.org_id}, ${w.url}, ${JSON.stringify(w.events)}, ${w.secret}, ${w.active ? 1 : 0}, ${w.description}, ${w.created_at}, ${w.updated_at})`;
    },

    async update(orgId, id, f) {
      await tx`UPDATE webhooks SET url = ${f.url}, events = ${JSON.stringify(f.events)}, secret = ${f.secret}, active = ${f.active ? 1 : 0},
                      description = ${f.description}, updated_at = ${f.updated_at}
                WHERE org_id = ${orgId} AND id = ${id}`;
    },

    async remove(orgId, id) {
      const [, removed] = await Promise.all([
        tx`DELETE FROM webhook_deliveries WHERE org_id = ${orgId} AND webhook_id = ${id}`.execute(),
        tx`DELETE FROM webhooks WHERE org_id = ${orgId} AND id = ${id}`.execute(),
      ]);
      return removed.count > 0;
    },

    async list(orgId, opts) {
      const [afterAt, afterId] = opts.after ?? [null, null];
      const [[{ n }], rows] = (await Promise.all([
        tx`SELECT count(*)::int AS n FROM webhooks WHERE org_id = ${orgId}`.execute(),
        tx`SELECT id, org_id, url, events, secret, active, description, created_at, updated_at FROM webhooks
            WHERE org_id = ${orgId} AND (${afterAt}::timestamptz IS NULL OR (created_at, id COLLATE "C") > (${afterAt}::timestamptz, ${afterId}::text))
            ORDER BY created_at, id COLLATE "C" LIMIT ${opts.limit + 1}`.execute(),
      ])) as [[{ n: number }], WebhookRow[]];
      return { rows: rows.slice(0, opts.limit).map(toWebhook), more: rows.length > opts.limit, total: n };
    },

    async deliveries(orgId, webhookId, opts) {
      const status: DeliveryStatus | null = opts.status ?? null;
      const after = opts.after ?? null;
      const [[{ n }], rows] = (await Promise.all([
        tx`SELECT count(*)::int AS n FROM webhook_deliveries
            WHERE org_id = ${orgId} AND webhook_id = ${webhookId} AND (${status}::text IS NULL OR status = ${status}::text)`.execute(),
        tx`SELECT id, webhook_id, event_id, event_type, status, attempts, created_at, next_attempt_at, last_attempt_at, last_status, last_error, completed_at
             FROM webhook_deliveries
            WHERE org_id = ${orgId} AND webhook_id = ${webhookId} AND (${status}::text IS NULL OR status = ${status}::text)
              AND (${after}::text IS NULL OR id COLLATE "C" < ${after}::text)
            ORDER BY id COLLATE "C" DESC LIMIT ${opts.limit + 1}`.execute(),
      ])) as [[{ n: number }], DeliveryRow[]];
      return { rows: rows.slice(0, opts.limit).map(toDelivery), more: rows.length > opts.limit, total: n };
    },

    async insertDelivery(orgId, d) {
      const o = d.outcome;
      await tx`INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event_type, body, status, attempts, created_at, next_attempt_at,
                                               last_attempt_at, last_status, last_error, completed_at)
               VALUES (${d.id}, ${orgId}, ${d.webhookId}, ${d.eventId}, ${d.eventType}, ${d.body}, ${o.status}, 1, ${d.createdAt}, ${o.nextAttemptAt ?? o.at},
                       ${o.at}, ${o.httpStatus}, ${o.error}, ${o.status === "pending" ? null : o.at})`;
    },

    claimDue(now, leaseUntil, limit) {
      return asWorker(async () => {
        const rows = (await tx`
          WITH due AS (
            SELECT id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= ${now}
             ORDER BY next_attempt_at, id COLLATE "C" LIMIT ${limit}
             FOR UPDATE SKIP LOCKED)
          UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = ${now}, next_attempt_at = ${leaseUntil}
            FROM due, webhooks w
           WHERE d.id = due.id AND w.id = d.webhook_id
          RETURNING d.id, d.org_id, d.webhook_id, w.url, w.secret, d.event_id, d.event_type, d.body, d.attempts, d.created_at`.execute()) as {
          id: string;
          org_id: string;
          webhook_id: string;
          url: string;
          secret: string;
          event_id: string;
          event_type: string;
          body: string;
          attempts: number;
          created_at: Date;
        }[];
        return rows.map(
          (r): ClaimedDelivery => ({
            id: r.id,
            orgId: r.org_id,
            webhookId: r.webhook_id,
            url: r.url,
            secret: r.secret,
            eventId: r.event_id,
            eventType: r.event_type,
            body: r.body,
            attempts: r.attempts,
            createdAt: iso(r.created_at),
          }),
        );
      });
    },

    settle(id, o) {
      return asWorker(async () => {
        await tx`UPDATE webhook_deliveries
                    SET status = ${o.status}, next_attempt_at = coalesce(${o.nextAttemptAt}::timestamptz, next_attempt_at),
                        last_status = ${o.httpStatus}, last_error = ${o.error}, completed_at = ${o.status === "pending" ? null : o.at}
                  WHERE id = ${id}`.execute();
      });
    },

    prune(cutoff) {
      return asWorker(async () => {
        // The feed's events are activity entries: the activity log's retention prunes them.
        const deliveries = await tx`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ${cutoff}`.execute();
        return deliveries.count;
      });
    },
  };
}
