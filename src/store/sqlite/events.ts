/**
 * SQLite: the change feed and the webhook outbox, appended with every activity entry
 * (ordering and why: src/store/events.ts). Synchronous, and called only by insertActivity and insertActivities
 * (store/sqlite/activity.ts), the one writer of activity rows: activity.record, GroupCommit's
 * address jobs and the legacy writers all pass through it; prepared once per connection.
 */
import type { OpenDatabase } from "../../db/client";
import { multiInsert } from "../../db/multi-insert";
import { eventPayload, wantsEvent } from "../events";
import type { ActivityEntry, EventQueries, StoredEvent } from "../store";

const statements = new WeakMap<OpenDatabase, ReturnType<typeof prepare>>();

function prepare(database: OpenDatabase) {
  const { sqlite } = database;
  return {
    // Takes the organization's next `n` seqs; returns the last of them.
    bump: sqlite.query<{ seq: number }, [string, number]>(
      "INSERT INTO event_counters (org_id, seq) VALUES (?1, ?2) ON CONFLICT (org_id) DO UPDATE SET seq = seq + ?2 RETURNING seq",
    ),
    insertEvents: multiInsert(sqlite, "INSERT INTO events (org_id, seq, at, payload)", 4),
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

/** Appends the event of `entry` and its outbox rows; call it in the transaction that records the entry. */
export function appendEvent(database: OpenDatabase, entry: ActivityEntry): void {
  appendEvents(database, [entry]);
}

/**
 * appendEvent for many entries (in order), in the transaction that records them: one bump of
 * each organization's counter by its number of entries, one read of its webhooks and a
 * multi-row INSERT, instead of one each per entry. The seqs are those a loop of appendEvent
 * would hand out.
 */
export function appendEvents(database: OpenDatabase, entries: readonly ActivityEntry[]): void {
  if (entries.length === 0) return;
  const s = statementsOf(database);
  const byOrg = new Map<string, ActivityEntry[]>();
  for (const entry of entries) {
    const list = byOrg.get(entry.orgId);
    if (list) list.push(entry);
    else byOrg.set(entry.orgId, [entry]);
  }
  const rows: [string, number, string, string][] = [];
  const now = new Date().toISOString();
  for (const [orgId, list] of byOrg) {
    const hooks = hooksOf(s, orgId);
    let seq = s.bump.get(orgId, list.length)!.seq - list.length;
    for (const entry of list) {
      const at = entry.at ?? now;
      const id = Bun.randomUUIDv7();
      const body = JSON.stringify(eventPayload(entry, id, ++seq, at));
      rows.push([orgId, seq, at, body]);
      for (const hook of hooks) {
        if (wantsEvent(hook.patterns, entry.action)) s.enqueue.run(Bun.randomUUIDv7(), orgId, hook.id, id, entry.action, body, now, now);
      }
    }
  }
  s.insertEvents(rows);
}

type Statements = ReturnType<typeof prepare>;
type Hook = { id: string; patterns: string[] };

/** The organization's active webhooks, their patterns parsed. */
function hooksOf(s: Statements, orgId: string): Hook[] {
  return s.hooks.all(orgId).map((h) => ({ id: h.id, patterns: JSON.parse(h.events) as string[] }));
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
