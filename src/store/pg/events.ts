/**
 * PostgreSQL: the change feed and the webhook outbox; the twin of src/store/sqlite/events.ts.
 * Why `seq` is commit order (the UPSERT's row lock on event_counters, held to COMMIT):
 * src/store/events.ts. The events of a transaction (one entry from activity.record, or a
 * whole allocation batch of store/pg/ipam.ts) cost one round trip, pipelined with the
 * activity INSERT (activity.ts insertPgActivity), and a second only when a webhook wants one:
 *
 *   WITH c AS (UPSERT event_counters … seq + n RETURNING seq)   ┐ one round trip; the counter
 *   INSERT INTO events … seqs c.seq-n+1 … c.seq from c          │ row stays locked until this
 *   SELECT the organization's active hooks                      ┘ transaction ends
 *   INSERT INTO webhook_deliveries …                              only when a hook matches
 */
import type { SQL } from "bun";
import { eventPayload, wantsEvent } from "../events";
import type { ActivityEntry, EventQueries, StoredEvent } from "../store";
import { settled } from "./errors";

/** Rows per INSERT (at most 65,535 parameters per statement). */
const CHUNK = 4000;

/**
 * Appends the events of `entries` (each with its `at` set) and their outbox rows, inside the
 * transaction `tx` that records them; called only by insertPgActivity (activity.ts). An
 * organization's events take their seqs with one UPSERT (`seq + n`): the payloads are built
 * here around the one number only the database knows yet (`head || seq || tail`), so a batch
 * of 256 allocations costs the same round trip as one entry.
 */
export async function appendPgEvents(tx: SQL, entries: (ActivityEntry & { at: string })[]): Promise<void> {
  const byOrg = new Map<string, { entry: ActivityEntry & { at: string }; id: string; head: string; tail: string }[]>();
  for (const entry of entries) {
    let list = byOrg.get(entry.orgId);
    if (!list) byOrg.set(entry.orgId, (list = []));
    const id = Bun.randomUUIDv7();
    const [head, tail] = splitAtSeq(JSON.stringify(eventPayload(entry, id, 0, entry.at)));
    list.push({ entry, id, head, tail });
  }
  const orgs = [...byOrg];
  const statements: PromiseLike<unknown>[] = [];
  for (const [orgId, list] of orgs) {
    const n = list.length;
    const rows = JSON.stringify(list.map((e) => ({ at: e.entry.at, head: e.head, tail: e.tail })));
    statements.push(
      tx`WITH c AS (INSERT INTO event_counters AS ec (org_id, seq) VALUES (${orgId}, ${n})
                    ON CONFLICT (org_id) DO UPDATE SET seq = ec.seq + ${n} RETURNING seq)
         INSERT INTO events (org_id, seq, at, payload)
         SELECT ${orgId}::text, c.seq - ${n}::int + e.k, (e.v->>'at')::timestamptz, (e.v->>'head') || (c.seq - ${n}::int + e.k)::text || (e.v->>'tail')
           FROM c, jsonb_array_elements(${rows}::text::jsonb) WITH ORDINALITY AS e(v, k)
         RETURNING seq`.execute(),
      tx`SELECT id, events FROM webhooks WHERE org_id = ${orgId} AND active = 1`.execute(),
    );
  }
  const results = (await settled(statements)) as unknown[][];
  const outbox: Record<string, unknown>[] = [];
  const now = new Date().toISOString();
  orgs.forEach(([orgId, list], i) => {
    const hooks = (results[2 * i + 1] as { id: string; events: string }[]).map((h) => ({ id: h.id, patterns: JSON.parse(h.events) as string[] }));
    if (hooks.length === 0) return;
    const last = Math.max(...(results[2 * i] as { seq: string | number }[]).map((r) => Number(r.seq)));
    list.forEach(({ entry, id, head, tail }, k) => {
      const body = `${head}${last - list.length + 1 + k}${tail}`;
      for (const h of hooks) {
        if (!wantsEvent(h.patterns, entry.action)) continue;
        outbox.push({
          id: Bun.randomUUIDv7(),
          org_id: orgId,
          webhook_id: h.id,
          event_id: id,
          event_type: entry.action,
          body,
          status: "pending",
          created_at: now,
          next_attempt_at: now,
        });
      }
    });
  });
  const writes = [];
  for (let i = 0; i < outbox.length; i += CHUNK) writes.push(tx`INSERT INTO webhook_deliveries ${tx(outbox.slice(i, i + CHUNK))}`.execute());
  await settled(writes);
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
