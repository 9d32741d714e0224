/** SQLite: appending to the activity log (API.md §8). */
import type { OpenDatabase } from "../../db/client";
import { multiInsert } from "../../db/multi-insert";
import type { ActivityEntry, ActivityQueries, ActivityRecord } from "../store";
import { appendEvent, appendEvents } from "./events";
import type { FlushParticipant } from "../../ipam/group-commit";

const statements = new WeakMap<OpenDatabase, ReturnType<typeof prepare>>();

function prepare(database: OpenDatabase) {
  return multiInsert(
    database.sqlite,
    "INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes)",
    11,
  );
}

/**
 * Synchronous insert of an activity row and, with it, its change-feed event and webhook
 * outbox rows (store/events.ts). The one place an activity row is written on SQLite:
 * activity.record, the IPAM facet's GroupCommit (store/sqlite/ipam.ts) and the legacy
 * writers (features/activity/record.ts) all call it, inside their transaction, so no writer
 * can record a change that the feed and the webhooks miss.
 */
export function insertActivity(database: OpenDatabase, entry: ActivityEntry): void {
  // One timestamp for both rows: the feed's `at` is the activity's.
  if (entry.at === undefined) entry = { ...entry, at: new Date().toISOString() };
  insertStatement(database)([rowOf(entry)]);
  appendEvent(database, entry);
}

/**
 * insertActivity for many entries, in order (the expiry sweep's thousands per transaction):
 * the same rows, with the change-feed counter bumped and the webhooks read once per
 * organization (events.ts appendEvents) rather than once per entry.
 */
export function insertActivities(database: OpenDatabase, entries: readonly ActivityEntry[]): void {
  if (entries.length === 0) return;
  const insert = insertStatement(database);
  const now = new Date().toISOString();
  const timed = entries.map((e) => (e.at === undefined ? { ...e, at: now } : e));
  insert(timed.map(rowOf));
  appendEvents(database, timed);
}

function insertStatement(database: OpenDatabase): ReturnType<typeof prepare> {
  let insert = statements.get(database);
  if (!insert) {
    insert = prepare(database);
    statements.set(database, insert);
  }
  return insert;
}

function rowOf(entry: ActivityEntry) {
  return [
    // Time-ordered ids append to the primary-key index instead of dirtying a random page.
    Bun.randomUUIDv7(),
    entry.orgId,
    entry.at ?? new Date().toISOString(),
    entry.actor.type,
    entry.actor.id,
    entry.actor.label,
    entry.action,
    entry.target.type,
    entry.target.id,
    entry.target.label,
    JSON.stringify(entry.changes ?? {}),
  ];
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

export function sqliteActivity(database: OpenDatabase): ActivityQueries {
  const { sqlite } = database;
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
      let removed = 0;
      const plans = Object.keys(cutoffs);
      for (const plan of plans) {
        removed += sqlite
          .query("DELETE FROM activity WHERE at < ? AND org_id IN (SELECT id FROM organizations WHERE plan = ?)")
          .run(cutoffs[plan]!, plan).changes;
      }
      removed += sqlite
        .query(`DELETE FROM activity WHERE at < ? AND org_id IN (SELECT id FROM organizations WHERE plan NOT IN (${plans.map(() => "?").join(", ")}))`)
        .run(otherwise, ...plans).changes;
      return removed;
    },
  };
}
