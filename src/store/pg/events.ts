/**
 * PostgreSQL: the change feed and the webhook outbox; the twin of src/store/sqlite/events.ts.
 * Why `seq` is commit order (the UPSERT's row lock on event_counters, held to COMMIT):
 * src/store/events.ts. Two round trips per transaction's events (one event, or a whole
 * allocation batch of store/pg/ipam.ts), each pipelined:
 *
 *   UPSERT event_counters … RETURNING seq   ┐ one round trip; the row stays locked
 *   SELECT the organization's active hooks  ┘ until this transaction ends
 *   INSERT INTO events                      ┐ one round trip (the outbox rows only
 *   INSERT INTO webhook_deliveries …        ┘ when a webhook wants this type)
 */
import type { SQL } from "bun";
import { eventPayload, wantsEvent } from "../events";
import type { ActivityEntry, EventQueries, StoredEvent } from "../store";
import { settled } from "./errors";

/** Rows per INSERT (at most 65,535 parameters per statement). */
const CHUNK = 4000;

/**
 * Appends the events of `entries` (each with its `at` set) and their outbox rows, inside the
 * transaction `tx` that records them; called only by insertPgActivity (activity.ts). A batch
 * takes its organization's seqs with one UPSERT (`seq + n`), so a batch of 256 allocations
 * costs the same two round trips as one.
 */
export async function appendPgEvents(tx: SQL, entries: (ActivityEntry & { at: string })[]): Promise<void> {
  const byOrg = new Map<string, (ActivityEntry & { at: string })[]>();
  for (const e of entries) {
    let list = byOrg.get(e.orgId);
    if (!list) byOrg.set(e.orgId, (list = []));
    list.push(e);
  }
  const orgs = [...byOrg];
  // One round trip: every organization's seqs (its counter row stays locked to COMMIT) and hooks.
  const heads = (await settled(
    orgs.flatMap(([orgId, list]) => [
      tx`INSERT INTO event_counters AS c (org_id, seq) VALUES (${orgId}, ${list.length})
         ON CONFLICT (org_id) DO UPDATE SET seq = c.seq + ${list.length} RETURNING seq`.execute(),
      tx`SELECT id, events FROM webhooks WHERE org_id = ${orgId} AND active = 1`.execute(),
    ]),
  )) as unknown[][];
  const events: { org_id: string; seq: number; at: string; payload: string }[] = [];
  const outbox: Record<string, unknown>[] = [];
  const now = new Date().toISOString();
  orgs.forEach(([orgId, list], i) => {
    const last = Number((heads[2 * i] as { seq: string | number }[])[0]!.seq);
    const hooks = (heads[2 * i + 1] as { id: string; events: string }[]).map((h) => ({ id: h.id, patterns: JSON.parse(h.events) as string[] }));
    list.forEach((entry, k) => {
      const seq = last - list.length + 1 + k;
      const id = Bun.randomUUIDv7();
      const body = JSON.stringify(eventPayload(entry, id, seq, entry.at));
      events.push({ org_id: orgId, seq, at: entry.at, payload: body });
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
  // One round trip: the events and the outbox rows.
  const writes = [];
  for (let i = 0; i < events.length; i += CHUNK) writes.push(tx`INSERT INTO events ${tx(events.slice(i, i + CHUNK))}`.execute());
  for (let i = 0; i < outbox.length; i += CHUNK) writes.push(tx`INSERT INTO webhook_deliveries ${tx(outbox.slice(i, i + CHUNK))}`.execute());
  await settled(writes);
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
