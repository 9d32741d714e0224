/**
 * Webhook rules (issue 14). Speaks only the Store.
 * - owners and admins only, for reading too (URLs and the shape of the LAN are theirs to
 *   see); a session or an API key of theirs with write scope for changes. Other roles: 403.
 *   A foreign id answers 404 like any id of another organization;
 * - the secret signs deliveries (send.ts), so it is stored in clear; the API returns it
 *   once (create, rotate) and never lists it. Generated when not given: `whsec_` + 40 base62;
 * - every change is recorded in the activity log (never the secret), and is itself an
 *   event (`webhook.create`, …) like any other write;
 * - a ping POSTs a `webhook.ping` event right away (bounded by the send timeout) and records
 *   the attempt in the delivery log; it is not retried and not in the change feed.
 */
import { actorOf, type Principal, requireRole, requireWrite } from "../../auth/principal";
import { randomBase62 } from "../../auth/tokens";
import { notFound } from "../../http/errors";
import { decodeStringCursor, DEFAULT_LIMIT, encodeCursor } from "../../http/pagination";
import { type EventPayload } from "../../store/events";
import type { DeliveryRecord, DeliveryStatus, Store, WebhookRecord } from "../../store/store";
import type { CreateWebhookRequest, DeliveryItem, PatchWebhookRequest, WebhookItem } from "./model";
import { sendDelivery } from "./send";

const MANAGERS = ["owner", "admin"] as const;

export function generateSecret(): string {
  return `whsec_${randomBase62(40)}`;
}

function toItem(w: WebhookRecord): WebhookItem {
  return { id: w.id, url: w.url, events: w.events, active: w.active, description: w.description, created_at: w.created_at, updated_at: w.updated_at };
}

function toDeliveryItem(d: DeliveryRecord): DeliveryItem {
  const { webhook_id: _, ...item } = d;
  return item;
}

function manager(p: Principal, writing: boolean): void {
  requireRole(p, [...MANAGERS]);
  if (writing) requireWrite(p);
}

/** Who may create or change a webhook (also checked before an Idempotency-Key replay). */
export const requireWebhookManager = (p: Principal): void => manager(p, true);

export function webhookService(store: Store, options: { sendTimeoutMs?: number } = {}) {
  return {
    async create(p: Principal, body: CreateWebhookRequest): Promise<WebhookItem & { secret: string }> {
      manager(p, true);
      const at = new Date().toISOString();
      const webhook: WebhookRecord = {
        id: crypto.randomUUID(),
        org_id: p.orgId,
        url: body.url,
        events: [...new Set(body.events)],
        secret: body.secret ?? generateSecret(),
        active: body.active ?? true,
        description: body.description ?? "",
        created_at: at,
        updated_at: at,
      };
      // The unit's value is the answer (an Idempotency-Key stores it, without the secret).
      return store.write({ orgId: p.orgId }, async (q) => {
        await q.webhooks.insert(webhook);
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "webhook.create",
          target: { type: "webhook", id: webhook.id, label: webhook.url },
          changes: { url: [null, webhook.url], events: [null, webhook.events], active: [null, webhook.active] },
          at,
        });
        return { ...toItem(webhook), secret: webhook.secret };
      });
    },

    async list(p: Principal, page: { limit?: number; cursor?: string }) {
      manager(p, false);
      const after = page.cursor ? (decodeStringCursor(page.cursor, 2) as [string, string]) : undefined;
      const { rows, more, total } = await store.read({ orgId: p.orgId }, (q) => q.webhooks.list(p.orgId, { limit: page.limit ?? DEFAULT_LIMIT, after }));
      const last = rows.at(-1);
      return { items: rows.map(toItem), total, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
    },

    async get(p: Principal, id: string): Promise<WebhookItem> {
      manager(p, false);
      const w = await store.read({ orgId: p.orgId }, (q) => q.webhooks.get(p.orgId, id));
      if (!w) throw notFound("webhook");
      return toItem(w);
    },

    /** Returns the webhook, plus `secret` when this call set or rotated it. */
    async update(p: Principal, id: string, body: PatchWebhookRequest): Promise<WebhookItem & { secret?: string }> {
      manager(p, true);
      const at = new Date().toISOString();
      return store.write({ orgId: p.orgId }, async (q) => {
        const before = await q.webhooks.get(p.orgId, id);
        if (!before) throw notFound("webhook");
        const newSecret = body.rotate_secret ? generateSecret() : body.secret;
        const after: WebhookRecord = {
          ...before,
          url: body.url ?? before.url,
          events: body.events ? [...new Set(body.events)] : before.events,
          active: body.active ?? before.active,
          description: body.description ?? before.description,
          secret: newSecret ?? before.secret,
          updated_at: at,
        };
        await q.webhooks.update(p.orgId, id, after);
        const changes: Record<string, [unknown, unknown]> = {};
        for (const field of ["url", "events", "active", "description"] as const) {
          if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changes[field] = [before[field], after[field]];
        }
        if (newSecret) changes.secret = ["(hidden)", "(changed)"];
        await q.activity.record({ orgId: p.orgId, actor: actorOf(p), action: "webhook.update", target: { type: "webhook", id, label: after.url }, changes, at });
        return newSecret ? { ...toItem(after), secret: newSecret } : toItem(after);
      });
    },

    async remove(p: Principal, id: string): Promise<void> {
      manager(p, true);
      await store.write({ orgId: p.orgId }, async (q) => {
        const before = await q.webhooks.get(p.orgId, id);
        if (!before || !(await q.webhooks.remove(p.orgId, id))) throw notFound("webhook");
        await q.activity.record({ orgId: p.orgId, actor: actorOf(p), action: "webhook.delete", target: { type: "webhook", id, label: before.url }, changes: {} });
      });
    },

    async deliveries(p: Principal, id: string, query: { status?: DeliveryStatus; limit?: number; cursor?: string }) {
      manager(p, false);
      const after = query.cursor ? decodeStringCursor(query.cursor, 1)[0] : undefined;
      const page = await store.read({ orgId: p.orgId }, async (q) => {
        if (!(await q.webhooks.get(p.orgId, id))) throw notFound("webhook");
        return q.webhooks.deliveries(p.orgId, id, { limit: query.limit ?? DEFAULT_LIMIT, after, status: query.status });
      });
      const last = page.rows.at(-1);
      return { items: page.rows.map(toDeliveryItem), total: page.total, next_cursor: page.more && last ? encodeCursor([last.id]) : null };
    },

    /** Sends a `webhook.ping` now (even to a paused webhook: it tests the receiver) and answers with the logged attempt. */
    async ping(p: Principal, id: string): Promise<DeliveryItem> {
      manager(p, true);
      const hook = await store.read({ orgId: p.orgId }, (q) => q.webhooks.get(p.orgId, id));
      if (!hook) throw notFound("webhook");
      const at = new Date().toISOString();
      const event: EventPayload = {
        id: Bun.randomUUIDv7(),
        seq: 0,
        type: "webhook.ping",
        at,
        organization_id: p.orgId,
        actor: actorOf(p),
        target: { type: "webhook", id: hook.id, label: hook.url },
        changes: {},
      };
      const body = JSON.stringify(event);
      const deliveryId = Bun.randomUUIDv7();
      // Outside any unit: the request waits for the receiver (at most the send timeout), the database does not.
      const result = await sendDelivery(
        { url: hook.url, secret: hook.secret, body, eventId: event.id, eventType: event.type, deliveryId },
        { timeoutMs: options.sendTimeoutMs },
      );
      const done = new Date().toISOString();
      const outcome = { status: result.ok ? ("succeeded" as const) : ("failed" as const), at: done, nextAttemptAt: null, httpStatus: result.httpStatus, error: result.error };
      await store.write({ orgId: p.orgId }, async (q) => {
        // Deleted while the ping was in flight: nothing to log it under.
        if (await q.webhooks.get(p.orgId, id)) {
          await q.webhooks.insertDelivery(p.orgId, { id: deliveryId, webhookId: id, eventId: event.id, eventType: event.type, body, createdAt: at, outcome });
        }
      });
      return {
        id: deliveryId,
        event_id: event.id,
        event_type: event.type,
        status: outcome.status,
        attempts: 1,
        created_at: at,
        next_attempt_at: null,
        last_attempt_at: done,
        last_status: result.httpStatus,
        last_error: result.error,
        completed_at: done,
      };
    },
  };
}
