/**
 * SQLite: the IPAM facet (store/ipam.ts) over the one connection, exactly as fast as the
 * synchronous code it replaces. Memory is the IpamRegistry (ipam/registry.ts: loaded whole
 * at boot, sliced rebuilds of an organization another process changed); a write is one
 * store unit (org still current? fn, bump the version; memory
 * undone in the same turn as ROLLBACK), and the hot path is GroupCommit, unchanged: its jobs
 * stay synchronous, one savepoint each, rows through statements prepared once.
 */
import { assertPlanAllows } from "../../auth/plans";
import type { OpenDatabase } from "../../db/client";
import { DatabaseBusyError } from "../../db/errors";
import { withWriteLock } from "../../db/tx";
import { addressRepo } from "../../features/addresses/repo";
import { offThread } from "../../features/io/import-thread";
import { notFound } from "../../http/errors";
import { GroupCommit } from "../../ipam/group-commit";
import { Journal, MAX_STALE_RETRIES, StaleOrganization } from "../../ipam/journal";
import { IpamRegistry } from "../../ipam/registry";
import { expireEntry, type IpamStore } from "../ipam";
import type { Queries, Store } from "../store";
import { flushActivity } from "./activity";
import { insertAll } from "./addresses";
import { flushNumbers } from "./numbers";
import { runBody } from "./store";
import { intentFor, keptSince, rowOf, storingIntent } from "../idempotency";
import { idempotencyStatements } from "./idempotency";
import { reuseLookup } from "./reuse";

export interface SqliteIpam extends IpamStore {
  /** The same object as `memory`: the import worker, DNS/DHCP exports and `check` use it directly. */
  readonly registry: IpamRegistry;
}

const noFresh = async () => {};

/** `registry`: an already loaded one (the import worker's, which follows one organization). */
export function createSqliteIpam(database: OpenDatabase, store: Pick<Store, "read">, queries: Queries, registry = IpamRegistry.load(database)): SqliteIpam {
  // What a batch's jobs write once for all of them, before its COMMIT (ipam/group-commit.ts).
  const numbers = flushNumbers(database.sqlite);
  const activity = flushActivity(database);
  const group = new GroupCommit(database, registry, [numbers, activity]);
  const rows = addressRepo(database);
  const keys = idempotencyStatements(database.sqlite);
  const findForReuse = reuseLookup(database.sqlite);
  const path = database.sqlite.filename;
  const onFile = path !== ":memory:" && path !== "";

  const read: SqliteIpam["read"] = async (orgId, fn) => {
    await registry.readyForRead(orgId);
    registry.settle(orgId); // expired records are free at once (ipam/expiry.ts)
    return store.read({ orgId }, (q) => fn(q, noFresh));
  };

  return {
    memory: registry,
    registry,
    read,
    // `read`'s path: memory is current once the organization is (registry.ts), and the
    // connection queue keeps it from reading in the middle of another unit's write.
    readMemory: (orgId, _subnetIds, fn) => read(orgId, async () => fn()),

    async write(orgId, fn) {
      // An Idempotency-Key's row goes into the transaction (store/idempotency.ts).
      const unit = storingIntent(intentFor(orgId), ([q], row) => q.idempotency.save(row, keptSince()), fn);
      for (let attempt = 1; ; attempt++) {
        await registry.ready(orgId);
        const journal = new Journal();
        try {
          const value = await withWriteLock(database.sqlite, () =>
            runBody(
              database,
              async () => {
                if (!registry.isCurrent(orgId)) throw new StaleOrganization();
                registry.settle(orgId);
                const value = await unit.body(queries, journal);
                registry.bump(journal, orgId);
                return value;
              },
              // In the same turn as the ROLLBACK: no request ever sees memory ahead of the rows.
              () => journal.rollback(),
            ),
          );
          unit.committed();
          return value;
        } catch (error) {
          if (!(error instanceof StaleOrganization)) throw error;
          if (attempt >= MAX_STALE_RETRIES) throw new DatabaseBusyError();
        }
      }
    },

    async addresses(orgId, subnetId, job) {
      // Captured now: the batch runs later, outside this request's async context.
      const intent = intentFor(orgId);
      const value = await group.run(orgId, (journal) => {
        const state = registry.subnet(orgId, subnetId);
        if (!state) throw notFound("subnet");
        // Expired records are free before anything looks at the subnet (reuse included).
        registry.settle(orgId);
        const existing = job.reuse ? findForReuse(subnetId, job.reuse, new Date(registry.clock()).toISOString()) : undefined;
        assertPlanAllows(database.sqlite, orgId, "addresses", existing ? 0 : job.adding);
        const out = job.run(state, journal, existing);
        if (out.replace) {
          const now = new Date(registry.clock()).toISOString();
          for (const r of out.replace) {
            const gone = rows.removeExpiredKey(orgId, r.vrf, r.ipKey, now);
            if (gone) activity.add([expireEntry(orgId, gone, now)]);
          }
        }
        if (out.insert.length > 0) out.numbered?.(insertAll(rows, orgId, out.insert, (n) => numbers.take(orgId, "address", n)));
        activity.add(out.activity);
        // In the job's savepoint: the key row commits with the records, or neither does.
        if (intent) keys.save(rowOf(intent, out.value), keptSince());
        return out.value;
      });
      if (intent) intent.stored = true;
      return value;
    },

    async expiringOrgs(now) {
      return rows.expiringOrgs(now);
    },

    offThread: onFile ? (job) => offThread({ database, registry }, job) : undefined,
  };
}
