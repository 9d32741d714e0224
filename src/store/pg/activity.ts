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
import type { ActivityQueries, ActivityRecord, Scope } from "../store";
import { iso } from "./errors";
import { appendPgEvent } from "./events";

/** The advisory-lock key of activity pruning (any constant unique to this job). */
export const PRUNE_LOCK = 0x1bc7a_0001;

export function pgActivity(tx: SQL, scope: Scope): ActivityQueries {
  return {
    async record(e) {
      await Promise.all([
        tx`
        INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes)
        VALUES (${Bun.randomUUIDv7()}, ${e.orgId}, ${e.at ?? new Date().toISOString()}, ${e.actor.type}, ${e.actor.id}, ${e.actor.label},
                ${e.action}, ${e.target.type}, ${e.target.id}, ${e.target.label}, ${JSON.stringify(e.changes ?? {})})`.execute(),
        // The change feed's event and the webhook outbox, in this same transaction (store/events.ts).
        appendPgEvent(tx, e),
      ]);
    },

    async list(orgId, filter, opts) {
      const targetId = filter.targetId || null;
      const actor = filter.actor || null;
      const action = filter.action || null;
      const [afterAt, afterId] = opts.after ?? [null, null];
      const [{ n: total }] = await tx`
        SELECT count(*)::int AS n FROM activity
         WHERE org_id = ${orgId}
           AND (${targetId}::text IS NULL OR target_id = ${targetId}::text)
           AND (${actor}::text IS NULL OR actor_id = ${actor}::text OR actor_label = ${actor}::text)
           AND (${action}::text IS NULL OR action = ${action}::text)`;
      const rows = (await tx`
        SELECT id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes FROM activity
         WHERE org_id = ${orgId}
           AND (${targetId}::text IS NULL OR target_id = ${targetId}::text)
           AND (${actor}::text IS NULL OR actor_id = ${actor}::text OR actor_label = ${actor}::text)
           AND (${action}::text IS NULL OR action = ${action}::text)
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
