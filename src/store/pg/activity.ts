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
 *     DELETE FROM activity WHERE org_id = <org>    the feed's prefix below the lowest seq at or
 *       AND older than <cutoff of its plan>        after the cutoff, and older entries without a seq
 *   app.org_id = ''
 *   COMMIT                                         releases the lock
 *
 * The lock is transaction-level: a replica that dies mid-prune releases it with its
 * connection, and nothing is half-deleted (one transaction).
 */
import type { SQL } from "bun";
import { byOrganization, deliveriesOf, hooksOf } from "../events";
import type { ActivityEntry, ActivityQueries, ActivityRecord, Scope } from "../store";
import { iso, settled } from "./errors";

/** The advisory-lock key of activity pruning (any constant unique to this job). */
export const PRUNE_LOCK = 0x1bc7a_0001;

/** Rows per outbox INSERT (at most 65,535 parameters per statement). */
const CHUNK = 4000;

/**
 * Inserts activity rows with their change-feed seqs and, in the same transaction `tx`, their
 * webhook outbox rows. The one place an activity row is written on PostgreSQL:
 * activity.record and the per-subnet allocation batches (ipam.ts) both call it, so no writer
 * can record a change that the feed and the webhooks miss. Why `seq` is commit order (the
 * UPSERT's row lock on event_counters, held to COMMIT): src/store/events.ts. Per
 * organization, one round trip whatever the number of entries, and a second only when a
 * webhook wants one:
 *
 *   WITH c AS (UPSERT event_counters … seq + n RETURNING seq)     ┐ pipelined; the counter
 *        INSERT INTO activity … seqs c.seq-n+1 … c.seq from c      │ row stays locked until
 *   SELECT the organization's active hooks                        ┘ this transaction ends
 *   INSERT INTO webhook_deliveries …                                only when a hook matches
 */
export async function insertPgActivity(tx: SQL, entries: ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const now = new Date().toISOString();
  // Time-ordered ids append to the primary-key index instead of dirtying a random page.
  const timed = entries.map((entry) => ({ orgId: entry.orgId, entry, id: Bun.randomUUIDv7(), at: entry.at ?? now }));
  const orgs = [...byOrganization(timed)];
  const statements: PromiseLike<unknown>[] = [];
  for (const [orgId, list] of orgs) {
    const n = list.length;
    // One jsonb parameter for the whole batch: a 10,000-entry bulk is one statement, not 2,500 parameters × 4.
    const rows = JSON.stringify(
      list.map(({ entry: e, id, at }) => [id, at, e.actor.type, e.actor.id, e.actor.label, e.action, e.target.type, e.target.id, e.target.label, JSON.stringify(e.changes ?? {})]),
    );
    statements.push(
      tx`WITH c AS (INSERT INTO event_counters AS ec (org_id, seq) VALUES (${orgId}, ${n})
                    ON CONFLICT (org_id) DO UPDATE SET seq = ec.seq + ${n} RETURNING seq),
              a AS (INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes, seq)
                    SELECT e.v->>0, ${orgId}::text, (e.v->>1)::timestamptz, e.v->>2, e.v->>3, e.v->>4, e.v->>5, e.v->>6, e.v->>7, e.v->>8, e.v->>9,
                           c.seq - ${n}::int + e.k
                      FROM c, jsonb_array_elements(${rows}::text::jsonb) WITH ORDINALITY AS e(v, k))
         SELECT seq FROM c`.execute(),
      tx`SELECT id, events FROM webhooks WHERE org_id = ${orgId} AND active = 1`.execute(),
    );
  }
  const results = (await settled(statements)) as unknown[][];
  const outbox: Record<string, unknown>[] = [];
  orgs.forEach(([orgId, list], i) => {
    const hooks = hooksOf(results[2 * i + 1] as { id: string; events: string }[]);
    if (hooks.length === 0) return;
    const first = Number((results[2 * i] as { seq: string | number }[])[0]!.seq) - list.length + 1;
    list.forEach(({ entry, id, at }, k) => {
      for (const d of deliveriesOf(hooks, entry, id, first + k, at)) {
        outbox.push({
          id: Bun.randomUUIDv7(),
          org_id: orgId,
          webhook_id: d.hookId,
          event_id: id,
          event_type: entry.action,
          body: d.body,
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
        // The feed's prefix below the lowest seq still within retention, and older entries without
        // a seq by time: never a hole in the feed (see src/store/sqlite/activity.ts FIRST_KEPT_SEQ).
        // `at + interval '0'` keeps the planner on the seq index, walking up from the oldest (about
        // as many rows as go) rather than reading every entry still within retention to sort them.
        const [, deleted] = await Promise.all([
          tx`SELECT set_config('app.org_id', ${org.id}, true)`.execute(),
          tx`DELETE FROM activity
              WHERE org_id = ${org.id}
                AND (seq < coalesce((SELECT seq FROM activity
                                      WHERE org_id = ${org.id} AND seq IS NOT NULL AND at + interval '0' >= ${cutoff}::timestamptz
                                      ORDER BY seq LIMIT 1), 9223372036854775807)
                     OR (seq IS NULL AND at < ${cutoff}))`.execute(),
        ]);
        removed += deleted.count;
      }
      await tx`SELECT set_config('app.org_id', '', true)`;
      return removed;
    },
  };
}
