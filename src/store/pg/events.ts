/**
 * PostgreSQL: the change feed and the webhook outbox; the twin of src/store/sqlite/events.ts.
 * Why `seq` is commit order (the UPSERT's row lock on event_counters, held to COMMIT):
 * src/store/events.ts. Two round trips per event, each pipelined:
 *
 *   UPSERT event_counters … RETURNING seq   ┐ one round trip; the row stays locked
 *   SELECT the organization's active hooks  ┘ until this transaction ends
 *   INSERT INTO events                      ┐ one round trip (the outbox rows only
 *   INSERT INTO webhook_deliveries …        ┘ when a webhook wants this type)
 */
import type { SQL } from "bun";
import { eventPayload, wantsEvent } from "../events";
import type { ActivityEntry, EventQueries, StoredEvent } from "../store";

/** Appends the event of `entry` and its outbox rows, inside the transaction `tx` that records the entry. */
export async function appendPgEvent(tx: SQL, entry: ActivityEntry): Promise<void> {
  const at = entry.at ?? new Date().toISOString();
  const [[{ seq }], hooks] = (await Promise.all([
    tx`INSERT INTO event_counters AS c (org_id, seq) VALUES (${entry.orgId}, 1)
       ON CONFLICT (org_id) DO UPDATE SET seq = c.seq + 1 RETURNING seq`.execute(),
    tx`SELECT id, events FROM webhooks WHERE org_id = ${entry.orgId} AND active = 1`.execute(),
  ])) as [[{ seq: string | number }], { id: string; events: string }[]];
  const id = Bun.randomUUIDv7();
  const body = JSON.stringify(eventPayload(entry, id, Number(seq), at));
  const now = new Date().toISOString();
  const outbox = hooks
    .filter((h) => wantsEvent(JSON.parse(h.events) as string[], entry.action))
    .map((h) => ({
      id: Bun.randomUUIDv7(),
      org_id: entry.orgId,
      webhook_id: h.id,
      event_id: id,
      event_type: entry.action,
      body,
      status: "pending",
      created_at: now,
      next_attempt_at: now,
    }));
  await Promise.all([
    tx`INSERT INTO events (org_id, seq, at, payload) VALUES (${entry.orgId}, ${seq}, ${at}, ${body})`.execute(),
    ...(outbox.length ? [tx`INSERT INTO webhook_deliveries ${tx(outbox)}`.execute()] : []),
  ]);
}

export function pgEvents(tx: SQL): EventQueries {
  return {
    async after(orgId, after, limit) {
      const [rows, [bounds]] = (await Promise.all([
        tx`SELECT seq, payload FROM events WHERE org_id = ${orgId} AND seq > ${after} ORDER BY seq LIMIT ${limit}`.execute(),
        tx`SELECT (SELECT min(seq) FROM events WHERE org_id = ${orgId}) AS oldest, (SELECT seq FROM event_counters WHERE org_id = ${orgId}) AS head`.execute(),
      ])) as [{ seq: string | number; payload: string }[], { oldest: string | number | null; head: string | number | null }[]];
      return {
        rows: rows.map((r): StoredEvent => ({ seq: Number(r.seq), payload: r.payload })),
        oldest: bounds!.oldest === null ? null : Number(bounds!.oldest),
        head: bounds!.head === null ? 0 : Number(bounds!.head),
      };
    },
  };
}
