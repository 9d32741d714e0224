/**
 * PostgreSQL: the activity log; the twin of src/store/sqlite/activity.ts.
 *
 * Pruning is system work across organizations, under row-level security like everything
 * else, and must run once however many replicas run it hourly:
 *
 *   SELECT pg_try_advisory_xact_lock(PRUNE_LOCK)   false → another replica is at it: skip
 *   app.maintenance = 'retention'                  the one window (drizzle/pg/0005): SELECT
 *   SELECT id, plan FROM organizations             of organizations, nothing else
 *   app.maintenance = ''
 *   for each organization:
 *     app.org_id = <org>                           its tenant policy, as for any request
 *     DELETE FROM activity WHERE org_id = <org> AND at < <cutoff of its plan>
 *   app.org_id = ''
 *   COMMIT                                         releases the lock
 *
 * The lock is transaction-level: a replica that dies mid-prune releases it with its
 * connection, and nothing is half-deleted (one transaction).
 */
import type { SQL } from "bun";
import type { ActivityEntry, ActivityQueries, ActivityRecord, Scope } from "../store";
import { iso, settled } from "./errors";
import { appendPgEvents } from "./events";

/** The advisory-lock key of activity pruning (any constant unique to this job). */
export const PRUNE_LOCK = 0x1bc7a_0001;

/** Rows per INSERT (at most 65,535 parameters per statement). */
const CHUNK = 4000;

/**
 * Inserts activity rows and, in the same transaction `tx`, their change-feed events and
 * webhook outbox rows (events.ts). The one place an activity row is written on PostgreSQL:
 * activity.record and the per-subnet allocation batches (ipam.ts) both call it, so no writer
 * can record a change that the feed and the webhooks miss. Statements are pipelined.
 */
export async function insertPgActivity(tx: SQL, entries: ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // One timestamp per entry for both rows: the feed's `at` is the activity's.
  const now = new Date().toISOString();
  const timed = entries.map((e) => (e.at === undefined ? { ...e, at: now } : e) as ActivityEntry & { at: string });
  const rows = timed.map((e) => ({
    // Time-ordered ids append to the primary-key index instead of dirtying a random page.
    id: Bun.randomUUIDv7(),
    org_id: e.orgId,
    at: e.at,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    actor_label: e.actor.label,
    action: e.action,
    target_type: e.target.type,
    target_id: e.target.id,
    target_label: e.target.label,
    changes: JSON.stringify(e.changes ?? {}),
  }));
  const writes: PromiseLike<unknown>[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) writes.push(tx`INSERT INTO activity ${tx(rows.slice(i, i + CHUNK))}`.execute());
  writes.push(appendPgEvents(tx, timed));
  await settled(writes);
}

export function pgActivity(tx: SQL, scope: Scope): ActivityQueries {
  return {
    record: (e) => insertPgActivity(tx, [e]),
    recordMany: (entries) => insertPgActivity(tx, entries),

    async list(orgId, filter, opts) {
      const targetId = filter.targetId || null;
      const actor = filter.actor || null;
      const action = filter.action || null;
      const targetType = filter.targetType || null;
      const [afterAt, afterId] = opts.after ?? [null, null];
      const [{ n: total }] = await tx`
        SELECT count(*)::int AS n FROM activity
         WHERE org_id = ${orgId}
           AND (${targetId}::text IS NULL OR target_id = ${targetId}::text)
           AND (${actor}::text IS NULL OR actor_id = ${actor}::text OR actor_label = ${actor}::text)
           AND (${action}::text IS NULL OR action = ${action}::text)
           AND (${targetType}::text IS NULL OR target_type = ${targetType}::text)`;
      const rows = (await tx`
        SELECT id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes FROM activity
         WHERE org_id = ${orgId}
           AND (${targetId}::text IS NULL OR target_id = ${targetId}::text)
           AND (${actor}::text IS NULL OR actor_id = ${actor}::text OR actor_label = ${actor}::text)
           AND (${action}::text IS NULL OR action = ${action}::text)
           AND (${targetType}::text IS NULL OR target_type = ${targetType}::text)
           AND (${afterAt}::timestamptz IS NULL OR (at, id COLLATE "C") < (${afterAt}::timestamptz, ${afterId}::text))
         ORDER BY at DESC, id COLLATE "C" DESC
         LIMIT ${opts.limit + 1}`) as (Omit<ActivityRecord, "at"> & { at: Date })[];
      return { rows: rows.slice(0, opts.limit).map((r) => ({ ...r, at: iso(r.at) })), more: rows.length > opts.limit, total: total as number };
    },

    async prune(cutoffs, otherwise) {
      if (scope.orgId !== null) throw new Error("pruning is system work: run it in a unit with scope { orgId: null }");
      const [{ got }] = await tx`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK}) AS got`;
      if (!got) return null;
      const [, orgs] = await Promise.all([
        tx`SELECT set_config('app.maintenance', 'retention', true)`.execute(),
        tx`SELECT id, plan FROM organizations`.execute(),
        tx`SELECT set_config('app.maintenance', '', true)`.execute(),
      ]);
      let removed = 0;
      for (const org of orgs as { id: string; plan: string }[]) {
        const cutoff = cutoffs[org.plan] ?? otherwise;
        const [, deleted] = await Promise.all([
          tx`SELECT set_config('app.org_id', ${org.id}, true)`.execute(),
          tx`DELETE FROM activity WHERE org_id = ${org.id} AND at < ${cutoff}`.execute(),
        ]);
        removed += deleted.count;
      }
      await tx`SELECT set_config('app.org_id', '', true)`;
      return removed;
    },
  };
}
