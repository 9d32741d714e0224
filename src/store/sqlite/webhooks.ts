/**
 * SQLite: webhooks and their deliveries (the outbox rows insertActivities writes, then the
 * delivery log). Every tenant statement filters on org_id. The worker's statements
 * (claimDue, settle, prune) span organizations: one server per SQLite database, so one
 * worker, and a claim inside its write transaction is trivially exclusive.
 */
import type { OpenDatabase } from "../../db/client";
import type { ClaimedDelivery, DeliveryRecord, WebhookQueries, WebhookRecord } from "../store";

interface WebhookRow extends Omit<WebhookRecord, "events" | "active"> {
  events: string;
  active: number;
}

const COLUMNS = "id, org_id, url, events, secret, active, description, created_at, updated_at";
const DELIVERY_COLUMNS =
  "id, webhook_id, event_id, event_type, status, attempts, created_at, next_attempt_at, last_attempt_at, last_status, last_error, completed_at";

function toWebhook(row: WebhookRow): WebhookRecord {
  return { ...row, events: JSON.parse(row.events) as string[], active: row.active === 1 };
}

function toDelivery(row: DeliveryRecord): DeliveryRecord {
  return { ...row, next_attempt_at: row.status === "pending" ? row.next_attempt_at : null };
}

export function sqliteWebhooks(database: OpenDatabase): WebhookQueries {
  const { sqlite } = database;
  return {
    async get(orgId, id) {
      const row = sqlite.query<WebhookRow, [string, string]>(`SELECT ${COLUMNS} FROM webhooks WHERE org_id = ? AND id = ?`).get(orgId, id);
      return row ? toWebhook(row) : null;
    },

    async insert(w) {
      sqlite
        .query(`INSERT INTO webhooks (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(w.id, w.org_id, w.url, JSON.stringify(w.events), w.secret, w.active ? 1 : 0, w.description, w.created_at, w.updated_at);
    },

    async update(orgId, id, f) {
      sqlite
        .query("UPDATE webhooks SET url = ?, events = ?, secret = ?, active = ?, description = ?, updated_at = ? WHERE org_id = ? AND id = ?")
        .run(f.url, JSON.stringify(f.events), f.secret, f.active ? 1 : 0, f.description, f.updated_at, orgId, id);
    },

    async remove(orgId, id) {
      sqlite.query("DELETE FROM webhook_deliveries WHERE org_id = ? AND webhook_id = ?").run(orgId, id);
      return sqlite.query("DELETE FROM webhooks WHERE org_id = ? AND id = ?").run(orgId, id).changes > 0;
    },

    async list(orgId, opts) {
      const total = (sqlite.query("SELECT count(*) AS n FROM webhooks WHERE org_id = ?").get(orgId) as { n: number }).n;
      const [afterAt, afterId] = opts.after ?? ["", ""];
      const rows = sqlite
        .query<WebhookRow, [string, string, string, string, number]>(
          `SELECT ${COLUMNS} FROM webhooks WHERE org_id = ? AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?`,
        )
        .all(orgId, afterAt, afterAt, afterId, opts.limit + 1);
      return { rows: rows.slice(0, opts.limit).map(toWebhook), more: rows.length > opts.limit, total };
    },

    async deliveries(orgId, webhookId, opts) {
      const status = opts.status ?? null;
      const where = "org_id = ? AND webhook_id = ? AND (? IS NULL OR status = ?)";
      const total = (sqlite.query(`SELECT count(*) AS n FROM webhook_deliveries WHERE ${where}`).get(orgId, webhookId, status, status) as { n: number }).n;
      const after = opts.after ?? null;
      const rows = sqlite
        .query<DeliveryRecord, (string | number | null)[]>(
          `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where} AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
        )
        .all(orgId, webhookId, status, status, after, after, opts.limit + 1);
      return { rows: rows.slice(0, opts.limit).map(toDelivery), more: rows.length > opts.limit, total };
    },

    async insertDelivery(orgId, d) {
      const o = d.outcome;
      sqlite
        .query(
          `INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event_type, body, status, attempts, created_at, next_attempt_at,
                                           last_attempt_at, last_status, last_error, completed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
        )
        .run(d.id, orgId, d.webhookId, d.eventId, d.eventType, d.body, o.status, d.createdAt, o.nextAttemptAt ?? o.at, o.at, o.httpStatus, o.error, o.status === "pending" ? null : o.at);
    },

    async claimDue(now, leaseUntil, limit) {
      const rows = sqlite
        .query<ClaimedDelivery, [string, number]>(
          `SELECT d.id, d.org_id AS orgId, d.webhook_id AS webhookId, w.url, w.secret, d.event_id AS eventId, d.event_type AS eventType,
                  d.body, d.attempts + 1 AS attempts, d.created_at AS createdAt
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= ?
            ORDER BY d.next_attempt_at, d.id LIMIT ?`,
        )
        .all(now, limit);
      const lease = sqlite.query("UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ? WHERE id = ?");
      for (const row of rows) lease.run(now, leaseUntil, row.id);
      return rows;
    },

    async settle(id, o) {
      sqlite
        .query(
          `UPDATE webhook_deliveries SET status = ?, next_attempt_at = coalesce(?, next_attempt_at), last_status = ?, last_error = ?, completed_at = ?
            WHERE id = ?`,
        )
        .run(o.status, o.nextAttemptAt, o.httpStatus, o.error, o.status === "pending" ? null : o.at, id);
    },

    async prune(cutoff) {
      // The feed's events are activity entries: the activity log's retention prunes them.
      return sqlite.query("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?").run(cutoff).changes;
    },
  };
}
