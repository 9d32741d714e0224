/**
 * SQLite: the change feed and the webhook outbox, appended with every activity entry
 * (ordering and why: src/store/events.ts). Synchronous, and called only by insertActivity
 * (store/sqlite/activity.ts), the one writer of activity rows: activity.record, GroupCommit's
 * address jobs and the legacy writers all pass through it; prepared once per connection.
 */
import type { OpenDatabase } from "../../db/client";
import { eventPayload, wantsEvent } from "../events";
import type { ActivityEntry, EventQueries, StoredEvent } from "../store";

const statements = new WeakMap<OpenDatabase, ReturnType<typeof prepare>>();

function prepare(database: OpenDatabase) {
  const { sqlite } = database;
  return {
    /** Takes n seqs: answers the last one. */
    bumpBy: sqlite.query<{ seq: number }, [string, number, number]>(
      "INSERT INTO event_counters (org_id, seq) VALUES (?, ?) ON CONFLICT (org_id) DO UPDATE SET seq = seq + ? RETURNING seq",
    ),
    insertEvent: sqlite.query<unknown, [string, number, string, string]>("INSERT INTO events (org_id, seq, at, payload) VALUES (?, ?, ?, ?)"),
    hooks: sqlite.query<{ id: string; events: string }, [string]>("SELECT id, events FROM webhooks WHERE org_id = ? AND active = 1"),
    enqueue: sqlite.query<unknown, [string, string, string, string, string, string, string, string]>(
      `INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event_type, body, status, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ),
    after: sqlite.query<StoredEvent, [string, number, number]>("SELECT seq, payload FROM events WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
    bounds: sqlite.query<{ oldest: number | null; head: number | null }, [string, string]>(
      "SELECT (SELECT min(seq) FROM events WHERE org_id = ?) AS oldest, (SELECT seq FROM event_counters WHERE org_id = ?) AS head",
    ),
  };
}

function statementsOf(database: OpenDatabase) {
  let s = statements.get(database);
  if (!s) {
    s = prepare(database);
    statements.set(database, s);
  }
  return s;
}

/**
 * Appends the events of `entries` (in order) and their outbox rows, in the transaction that
 * records them: per organization one counter bump by the number of its entries and one read
 * of its webhooks, instead of one of each per entry (a bulk allocation of 10,000 addresses
 * writes 10,000 events). The seqs handed out are the same: consecutive, in entry order.
 */
export function appendEvents(database: OpenDatabase, entries: readonly ActivityEntry[]): void {
  if (entries.length === 0) return;
  const s = statementsOf(database);
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.orgId, (counts.get(entry.orgId) ?? 0) + 1);
  const orgs = new Map<string, { next: number; hooks: { id: string; patterns: string[] }[] }>();
  for (const [orgId, n] of counts) {
    const { seq } = s.bumpBy.get(orgId, n, n)!;
    const hooks = s.hooks.all(orgId).map((h) => ({ id: h.id, patterns: JSON.parse(h.events) as string[] }));
    orgs.set(orgId, { next: seq - n + 1, hooks });
  }
  const now = new Date().toISOString();
  for (const entry of entries) {
    const org = orgs.get(entry.orgId)!;
    const seq = org.next++;
    const at = entry.at ?? now;
    const id = Bun.randomUUIDv7();
    const body = JSON.stringify(eventPayload(entry, id, seq, at));
    s.insertEvent.run(entry.orgId, seq, at, body);
    for (const hook of org.hooks) {
      if (wantsEvent(hook.patterns, entry.action)) s.enqueue.run(Bun.randomUUIDv7(), entry.orgId, hook.id, id, entry.action, body, now, now);
    }
  }
}

export function sqliteEvents(database: OpenDatabase): EventQueries {
  return {
    async after(orgId, after, limit) {
      const s = statementsOf(database);
      // Both in one turn of the event loop with no write in between (one connection): consistent.
      const rows = s.after.all(orgId, after, limit);
      const { oldest, head } = s.bounds.get(orgId, orgId)!;
      return { rows, oldest, head: head ?? 0 };
    },
  };
}
