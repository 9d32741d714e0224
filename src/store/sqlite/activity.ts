/**
 * SQLite: the activity log (API.md §8), which is also the change feed and the webhook outbox's
 * source: every entry takes its organization's next feed `seq` as it is written
 * (store/events.ts says why that is commit order).
 */
import type { OpenDatabase } from "../../db/client";
import { multiInsert } from "../../db/multi-insert";
import { byOrganization, deliveriesOf, hooksOf } from "../events";
import type { ActivityEntry, ActivityQueries, ActivityRecord } from "../store";
import type { FlushParticipant } from "../../ipam/group-commit";

const statements = new WeakMap<OpenDatabase, ReturnType<typeof prepare>>();

function prepare(database: OpenDatabase) {
  const { sqlite } = database;
  return {
    insert: multiInsert(
      sqlite,
      "INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes, seq)",
      12,
    ),
    // Takes the organization's next `n` seqs; returns the last of them.
    bump: sqlite.query<{ seq: number }, [string, number]>(
      "INSERT INTO event_counters (org_id, seq) VALUES (?1, ?2) ON CONFLICT (org_id) DO UPDATE SET seq = seq + ?2 RETURNING seq",
    ),
    hooks: sqlite.query<{ id: string; events: string }, [string]>("SELECT id, events FROM webhooks WHERE org_id = ? AND active = 1"),
    enqueue: sqlite.query<unknown, [string, string, string, string, string, string, string, string]>(
      `INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event_type, body, status, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ),
  };
}

function statementsOf(database: OpenDatabase): ReturnType<typeof prepare> {
  let s = statements.get(database);
  if (!s) {
    s = prepare(database);
    statements.set(database, s);
  }
  return s;
}

/**
 * Synchronous insert of an activity entry with its feed seq and, for each active webhook that
 * wants it, an outbox row. The one place an activity row is written on SQLite:
 * activity.record, the IPAM facet's GroupCommit (store/sqlite/ipam.ts) and the legacy
 * writers (features/activity/record.ts) all call it, inside their transaction, so no writer
 * can record a change that the feed and the webhooks miss.
 */
export function insertActivity(database: OpenDatabase, entry: ActivityEntry): void {
  insertActivities(database, [entry]);
}

/**
 * insertActivity for many entries, in order (a batch's, a bulk's or an expiry sweep's
 * thousands per transaction): one bump of each organization's feed counter by its number of
 * entries, one read of its webhooks and multi-row INSERTs. The seqs are those a loop of
 * insertActivity would hand out.
 */
export function insertActivities(database: OpenDatabase, entries: readonly ActivityEntry[]): void {
  if (entries.length === 0) return;
  const s = statementsOf(database);
  const rows: (string | number | null)[][] = [];
  const now = new Date().toISOString();
  for (const [orgId, list] of byOrganization(entries)) {
    const hooks = hooksOf(s.hooks.all(orgId));
    let seq = s.bump.get(orgId, list.length)!.seq - list.length;
    for (const entry of list) {
      const at = entry.at ?? now;
      // Time-ordered ids append to the primary-key index instead of dirtying a random page.
      const id = Bun.randomUUIDv7();
      seq++;
      rows.push([
        id,
        orgId,
        at,
        entry.actor.type,
        entry.actor.id,
        entry.actor.label,
        entry.action,
        entry.target.type,
        entry.target.id,
        entry.target.label,
        JSON.stringify(entry.changes ?? {}),
        seq,
      ]);
      if (hooks.length === 0) continue;
      for (const d of deliveriesOf(hooks, entry, id, seq, at)) s.enqueue.run(Bun.randomUUIDv7(), orgId, d.hookId, id, entry.action, d.body, now, now);
    }
  }
  s.insert(rows);
}

/**
 * The activity rows of one group commit's jobs (ipam/group-commit.ts), written with their
 * events after the jobs, before COMMIT: one event-counter bump and one webhook read per
 * organization for the whole batch. A job that rolls back takes its entries back with it.
 */
export function flushActivity(database: OpenDatabase): FlushParticipant & { add(entries: readonly ActivityEntry[]): void } {
  let entries: ActivityEntry[] = [];
  return {
    add(more) {
      // A loop, not push(...more): a bulk allocation hands over 10,000 entries at once.
      for (const entry of more) entries.push(entry);
    },
    mark: () => entries.length,
    undo: (mark) => void (entries.length = mark),
    finish: () => insertActivities(database, entries),
    reset: () => void (entries = []),
  };
}

/**
 * Pruning keeps the feed whole. `at` is taken when a write starts and `seq` when it commits,
 * so around a cutoff an older `at` can sit above a newer one in seq order; deleting by `at`
 * alone could leave a hole that a cursor skips unnoticed. So an organization loses the prefix
 * of its feed below the lowest seq still within retention (found walking the seq index up
 * from the oldest: about as many rows as go), and its entries without a seq (older than the
 * feed) by time. An entry at most one write's duration past the cutoff may stay an hour longer.
 */
const FIRST_KEPT_SEQ = "SELECT seq FROM activity WHERE org_id = ? AND seq IS NOT NULL AND +at >= ? ORDER BY seq LIMIT 1";
const DROP_BEFORE = "DELETE FROM activity WHERE org_id = ?1 AND (seq < ?2 OR (seq IS NULL AND at < ?3))";

export function sqliteActivity(database: OpenDatabase): ActivityQueries {
  const { sqlite } = database;
  const dropBefore = (orgId: string, cutoff: string): number => {
    const kept = sqlite.query<{ seq: number }, [string, string]>(FIRST_KEPT_SEQ).get(orgId, cutoff);
    return sqlite.query<unknown, [string, number, string]>(DROP_BEFORE).run(orgId, kept ? kept.seq : Number.MAX_SAFE_INTEGER, cutoff).changes;
  };
  return {
    record: async (entry) => insertActivity(database, entry),
    recordMany: async (entries) => insertActivities(database, entries),

    async list(orgId, filter, opts) {
      const where = ["org_id = ?"];
      const args: (string | number)[] = [orgId];
      if (filter.targetId) {
        where.push("target_id = ?");
        args.push(filter.targetId);
      }
      if (filter.actor) {
        where.push("(actor_id = ? OR actor_label = ?)");
        args.push(filter.actor, filter.actor);
      }
      if (filter.action) {
        where.push("action = ?");
        args.push(filter.action);
      }
      if (filter.targetType) {
        where.push("target_type = ?");
        args.push(filter.targetType);
      }
      const total = (sqlite.query(`SELECT COUNT(*) AS n FROM activity WHERE ${where.join(" AND ")}`).get(...args) as { n: number }).n;
      if (opts.after) {
        const [at, id] = opts.after;
        where.push("(at < ? OR (at = ? AND id < ?))");
        args.push(at, at, id);
      }
      const rows = sqlite
        .query<ActivityRecord, (string | number)[]>(
          `SELECT id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes
             FROM activity WHERE ${where.join(" AND ")} ORDER BY at DESC, id DESC LIMIT ?`,
        )
        .all(...args, opts.limit + 1);
      return { rows: rows.slice(0, opts.limit), more: rows.length > opts.limit, total };
    },

    // One server per SQLite database (the server lock): nobody else prunes at the same time.
    async prune(cutoffs, otherwise) {
      const orgs = sqlite.query<{ id: string; plan: string }, []>("SELECT id, plan FROM organizations").all();
      let removed = 0;
      for (const org of orgs) removed += dropBefore(org.id, cutoffs[org.plan] ?? otherwise);
      return removed;
    },
  };
}
