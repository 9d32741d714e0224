/**
 * PostgreSQL: the change feed and the webhook outbox; the twin of src/store/sqlite/events.ts.
 * Why `seq` is commit order (the UPSERT's row lock on event_counters, held to COMMIT):
 * src/store/events.ts. One round trip per event, pipelined with the activity row's INSERT
 * (so a write recording one entry waits no longer than before), a second only when a webhook
 * wants the event:
 *
 *   WITH c AS (UPSERT event_counters … RETURNING seq)   ┐ one round trip; the counter row
 *   INSERT INTO events … seq from c                     │ stays locked until this
 *   SELECT the organization's active hooks              ┘ transaction ends
 *   INSERT INTO webhook_deliveries …                      only when a hook matches
 */
import type { SQL } from "bun";
import { eventPayload, wantsEvent } from "../events";
import type { ActivityEntry, EventQueries, StoredEvent } from "../store";

/** Appends the event of `entry` and its outbox rows, inside the transaction `tx` that records the entry. */
export async function appendPgEvent(tx: SQL, entry: ActivityEntry): Promise<void> {
  const at = entry.at ?? new Date().toISOString();
  const id = Bun.randomUUIDv7();
  // The payload is built here, around the one number only the database knows yet: the CTE
  // bumps the counter and stores `head || seq || tail`, in the same round trip.
  const [head, tail] = splitAtSeq(JSON.stringify(eventPayload(entry, id, 0, at)));
  const [[{ seq }], hooks] = (await Promise.all([
    tx`WITH c AS (INSERT INTO event_counters AS ec (org_id, seq) VALUES (${entry.orgId}, 1)
                  ON CONFLICT (org_id) DO UPDATE SET seq = ec.seq + 1 RETURNING seq)
       INSERT INTO events (org_id, seq, at, payload) SELECT ${entry.orgId}::text, c.seq, ${at}::timestamptz, ${head}::text || c.seq::text || ${tail}::text FROM c
       RETURNING seq`.execute(),
    tx`SELECT id, events FROM webhooks WHERE org_id = ${entry.orgId} AND active = 1`.execute(),
  ])) as [[{ seq: string | number }], { id: string; events: string }[]];
  const wanting = hooks.filter((h) => wantsEvent(JSON.parse(h.events) as string[], entry.action));
  if (wanting.length === 0) return;
  const body = `${head}${seq}${tail}`;
  const now = new Date().toISOString();
  const outbox = wanting.map((h) => ({
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
  await tx`INSERT INTO webhook_deliveries ${tx(outbox)}`.execute();
}

/** `{"id":"…","seq":0,…}` → [`{"id":"…","seq":`, `,…}`] (eventPayload puts seq second, after a UUID). */
function splitAtSeq(json: string): [string, string] {
  const marker = '"seq":0,';
  const at = json.indexOf(marker);
  return [json.slice(0, at + marker.length - 2), json.slice(at + marker.length - 1)];
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
