/**
 * PostgreSQL: the IPAM facet (store/ipam.ts) for any number of replicas over one database
 * (../shared/SCALE.md, "The design that won"). Each replica keeps the same in-memory trees
 * and allocators as SQLite (ipam/memory.ts), loaded per organization on first use, and
 * follows the others like this:
 *
 * - `ipam_versions.version`: bumped by every write that reshapes an organization (a subnet
 *   created, split, deleted: the trees change). A read compares it with memory's and reloads
 *   the organization when it moved.
 * - `subnets.alloc_seq` + `subnet_changes`: every transaction that changes a subnet's
 *   allocator bumps its alloc_seq and logs what it did at the new seq (`take`/`free` of one
 *   key, or `reload` when the subnet was reshaped). Memory keeps the seq each allocator
 *   equals (SubnetState.seq; -1 = unknown).
 *
 * The hot path, per subnet, one transaction in flight per replica (later requests join the
 * next batch):
 *
 *   BEGIN; set role and org (store.ts inScope)
 *   SELECT alloc_seq, plan FROM subnets … FOR NO KEY UPDATE  ┐ one round trip: the subnet's lock + version,
 *   SELECT subnet_changes since memory's seq                 ┘ and the log read ahead once the lock is held
 *   memory at that seq? ── no ─▶ apply those rows (idempotent);
 *                                 a gap, a `reload`, or unknown ─▶ reload the subnet / organization
 *   jobs in memory, each with its own Journal (a refused job is undone alone)
 *   INSERT addresses; INSERT subnet_changes + UPDATE alloc_seq = seq + 1 (one statement);
 *   INSERT activity with its feed seqs last (their counter row is the organization's lock)   ← one round trip
 *   COMMIT
 *
 * Any failure of the transaction — a lost COMMIT reply included — undoes every job's memory
 * and marks the subnet unknown, so the next use reloads it; the UNIQUE (org, vrf, ip_key)
 * index stays the backstop (a batch it refuses is retried after that reload).
 *
 * Writes that reshape (ipam.write) lock the organization's ipam_versions row, then every
 * subnet row of the organization (`FOR NO KEY UPDATE`: in-flight batches finish first, new
 * ones wait), catch memory up, run, log `reload`/`take`/`free` for each subnet they touched,
 * and bump the organization's version when the shape changed. A write that names the only
 * subnets it changes (`{ subnets }`: the next free subnet, which only carves a new child out
 * of its parent) locks those rows alone after the organization's: the tree is still guarded
 * by the organization's lock and version, the parent's allocator by its row and alloc_seq. Reshaping is rare; locking
 * the whole organization keeps it simple and obviously serial. Lock order is always
 * ipam_versions before subnets, and batches take no ipam_versions lock: no deadlock.
 */
import type { SQL, TransactionSQL } from "bun";
import { planLimits, refuseOverLimit } from "../../auth/plans";
import { ApiError, notFound } from "../../http/errors";
import { formatCidr, ipFromKey, SubnetAllocator, SubnetTree, type Family, type Prefix } from "../../ip";
import { keyOf, valueOfKey } from "../../ipam/codec";
import { Journal } from "../../ipam/journal";
import { IpamMemory } from "../../ipam/memory";
import { addToAncestors } from "../../ipam/nested-records";
import { OrgIpam, type SubnetState } from "../../ipam/org-loader";
import { DatabaseBusyError } from "../../db/errors";
import { type AddressJob, type AddressWrite, DeliberateRollback, expireEntry, type Freshen, type IpamStore } from "../ipam";
import { deadlineMs, expiryKey, expiryOf } from "../../ipam/expiry";
import type { ActivityEntry, Queries, Scope } from "../store";
import { insertAddressesJson } from "./addresses";
import { takePgNumbers } from "./numbers";
import { insertPgActivity } from "./activity";
import { isLockTimeout, isUniqueViolation, settled } from "./errors";
import { rememberForReuse, reuseIndex, reuseKey } from "./reuse";
import { addressOf } from "../ipam";
import { IdempotencyTaken, intentFor, keptSince, rowOf, storingIntent, type IdempotencyIntent, type IdempotencyRow } from "../idempotency";

/** Jobs per transaction at most (as GroupCommit on SQLite). */
const MAX_BATCH = 256;
/** Change-log rows kept per subnet: a replica further behind reloads the subnet. */
const KEEP_CHANGES = 1024;
/** Attempts at a batch the UNIQUE backstop refused (memory was wrong: reloaded in between). */
const BACKSTOP_RETRIES = 3;
/**
 * How long a batch waits in its transaction for its subnet's lock before it gives the
 * connection back and tries again later (another replica's import may hold the lock for
 * seconds: waiting batches must not hold the pool meanwhile). A batch of the other replica
 * holds it for a few milliseconds.
 */
const BATCH_LOCK_WAIT_MS = 100;
/** The longest pause between two such tries. */
const MAX_LOCK_PAUSE_MS = 1_000;
/** How many times a batch gives its slot back to wait for a write of its replica (runBatch). */
const MAX_DEFERRALS = 3;
/** Rows per INSERT (at most 65,535 parameters per statement). */
const CHUNK = 4000;

type QueriesOn = (tx: TransactionSQL, scope: Scope) => Queries;
type InScope = <T>(sql: SQL, scope: Scope, body: (tx: TransactionSQL) => Promise<T>) => Promise<T>;

/** Memory with the PostgreSQL bookkeeping: which organizations are loaded, at which version. */
class PgMemory extends IpamMemory {
  org(orgId: string): OrgIpam | undefined {
    return this.orgs.get(orgId);
  }
  install(orgId: string, org: OrgIpam): void {
    this.orgs.set(orgId, org);
  }
  /** Unknown: the next use reloads the organization. */
  forget(orgId: string): void {
    this.orgs.delete(orgId);
  }
}

interface Job {
  job: AddressJob<unknown>;
  /** the Idempotency-Key this job stores, captured at enqueue (the batch runs outside the request's context) */
  intent?: IdempotencyIntent;
  attempts: number;
  /** tries that found the subnet locked longer than BATCH_LOCK_WAIT_MS (the pause grows with them) */
  lockWaits: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface ChangeRow {
  seq: string | number;
  kind: "take" | "free" | "reload";
  ip_key: Uint8Array | null;
  expires_at: Date | null;
}

/** Change-log rows read ahead, with the seq memory was at when they were asked for (seq > from). */
interface Prefetched {
  from: number;
  rows: ChangeRow[];
}

/** A read's reload met a reshaping write of its replica: the read starts over once that write is done. */
class ReloadAgain extends Error {}

/**
 * Runs at most `n` of its works at a time, the others in turn. An allocation batch waits for
 * its subnet's lock inside its transaction, holding a pooled connection (at most
 * BATCH_LOCK_WAIT_MS, then it tries again later). With at most pool − 1 batches in their
 * transactions, one connection always stays for the replica's other work (reads, writes).
 */
function slots(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/**
 * `lookups`: where readMemory's one-statement check runs (store.ts createPgStore: a pipelined
 * connection). `pool`: the connections of `sql`, if known: batches use at most pool − 1.
 */
export function createPgIpam(sql: SQL, inScope: InScope, queriesOn: QueriesOn, lookups: SQL = sql, pool = Infinity): IpamStore {
  const batchSlot = slots(Math.max(1, pool - 1));
  const memory = new PgMemory();
  /** subnet id → jobs waiting for its next batch; present while a batch of it runs */
  const queues = new Map<string, Job[]>();
  /** organization → a load a read started (concurrent readers wait for it instead of loading too) */
  const loading = new Map<string, Promise<void>>();
  /**
   * organization → a reshaping write of this replica that holds its locks and is changing
   * memory (ipam.write): settles when it has finished.
   * - A read's reload must not install an organization loaded before that write changed
   *   memory: the write would lose the subnet it just placed (its answer failed with "in the
   *   database but not in memory"), and after its COMMIT it would mark the stale copy current.
   *   A read that loaded meanwhile waits for it and starts over instead (readerReload); reads
   *   that need no reload are not held up.
   */
  const reshaping = new Map<string, Promise<void>>();
  /**
   * organization → the reshaping writes of this replica that have begun, from before they ask
   * for their locks until they end. Batches of the subnets such a write will lock wait for it
   * without a connection (runBatch), also when it is still waiting for its locks: a batch that
   * went into its transaction meanwhile would wait there on the write's locks, holding a
   * pooled connection, and a few of them would leave none for the replica's other work.
   */
  const writing = new Map<string, Set<{ done: Promise<void>; only?: ReadonlySet<string> }>>();
  /**
   * organization → the last of its writes on this replica, which go into their transactions
   * one at a time. PostgreSQL runs them one at a time anyway (the version row's lock): this only
   * keeps the waiting ones off the pool, so that writes behind another replica's import (a
   * delete, the expiry sweep) hold one connection, not one each.
   */
  const writeTurns = new Map<string, Promise<void>>();
  async function writeTurn(orgId: string): Promise<() => void> {
    const previous = writeTurns.get(orgId) ?? Promise.resolve();
    const mine = Promise.withResolvers<void>();
    const tail = previous.then(() => mine.promise);
    writeTurns.set(orgId, tail);
    await previous;
    return () => {
      mine.resolve();
      if (writeTurns.get(orgId) === tail) writeTurns.delete(orgId);
    };
  }

  /** Reads an organization's shape and allocators (the version first: a later change only makes it look older). */
  async function loadOrg(tx: TransactionSQL, orgId: string): Promise<OrgIpam> {
    const [v] = await tx`SELECT version FROM ipam_versions WHERE org_id = ${orgId}`;
    const org = new OrgIpam(v ? Number(v.version) : 0);
    // Containers before what they contain: (vrf, family, network, length) order, as SQLite's loader.
    const subnets = await tx`
      SELECT id, vrf, family, network_key, prefix_length, alloc_seq FROM subnets WHERE org_id = ${orgId}
       ORDER BY vrf COLLATE "C", family, network_key, prefix_length`;
    for (const row of subnets as { id: string; vrf: string; family: Family; network_key: Uint8Array; prefix_length: number; alloc_seq: string }[]) {
      const prefix: Prefix = { family: row.family, network: valueOfKey(row.network_key, row.family), length: row.prefix_length };
      let tree = org.trees.get(row.vrf);
      if (!tree) org.trees.set(row.vrf, (tree = new SubnetTree<string>()));
      if (!tree.insert(row.id, prefix).ok) throw new Error(`database holds subnet ${formatCidr(prefix)} twice in VRF ${row.vrf}; run ipcraft check`);
      org.subnets.set(row.id, { id: row.id, orgId, vrf: row.vrf, prefix, cidr: formatCidr(prefix), allocator: null!, seq: Number(row.alloc_seq), nested: 0 });
    }
    const keys = new Map<string, bigint[]>();
    const rows = (await tx`SELECT subnet_id, ip_key FROM addresses WHERE org_id = ${orgId} ORDER BY subnet_id, ip_key`.values()) as [string, Uint8Array][];
    for (const [subnetId, key] of rows) {
      const state = org.subnets.get(subnetId);
      if (!state) continue; // a subnet created after the subnets query: the next version check reloads
      let list = keys.get(subnetId);
      if (!list) keys.set(subnetId, (list = []));
      list.push(valueOfKey(key, state.prefix.family));
    }
    for (const state of org.subnets.values()) {
      const children = org.trees.get(state.vrf)!.childrenOf(state.id).map((id) => org.subnets.get(id)!.prefix);
      state.allocator = SubnetAllocator.fromTaken(state.prefix, keys.get(state.id) ?? [], children);
    }
    // Records below each subnet (utilization, nested-records.ts): each subnet's own, added to its ancestors.
    for (const state of org.subnets.values()) {
      addToAncestors(null, { tree: org.trees.get(state.vrf)!, subnets: org.subnets }, state, state.allocator.ownRecords());
    }
    // Deadlines of expiring records (a partial index: only those rows), ipam/expiry.ts.
    const e = expiryOf(org);
    const expiring = (await tx`SELECT vrf, ip_key, expires_at FROM addresses WHERE org_id = ${orgId} AND expires_at IS NOT NULL`) as { vrf: string; ip_key: Uint8Array; expires_at: Date }[];
    for (const row of expiring) {
      const ip = ipFromKey(row.ip_key);
      e.index.set(expiryKey(row.vrf, ip.family, ip.value), deadlineMs(row.expires_at));
    }
    return org;
  }

  async function reloadOrg(tx: TransactionSQL, orgId: string): Promise<OrgIpam> {
    const org = await loadOrg(tx, orgId);
    memory.install(orgId, org);
    return org;
  }

  /**
   * Brings `state` to `seq` (the subnet's alloc_seq, read by the caller): applies the change
   * log, or reloads when the log cannot say (unknown, pruned, reshaped). Returns the state to
   * use, which is a new object after an organization reload. Idempotent: a take of a value
   * already taken, or a free of one already free, changes nothing.
   */
  async function catchUp(
    tx: TransactionSQL,
    orgId: string,
    state: SubnetState,
    seq: number,
    prefetched?: Prefetched,
    reload: (tx: TransactionSQL, orgId: string) => Promise<OrgIpam> = reloadOrg,
  ): Promise<SubnetState | undefined> {
    if (state.seq === seq) return state;
    if (state.seq >= 0 && state.seq < seq) {
      const rows =
        prefetched && prefetched.from === state.seq
          ? prefetched.rows.filter((r) => Number(r.seq) <= seq)
          : ((await tx`
        SELECT seq, kind, ip_key, expires_at FROM subnet_changes WHERE subnet_id = ${state.id} AND seq > ${state.seq} AND seq <= ${seq}
         ORDER BY seq, id`) as ChangeRow[]);
      const seqs = new Set(rows.map((r) => Number(r.seq)));
      if (seqs.size === seq - state.seq && !rows.some((r) => r.kind === "reload")) {
        const a = state.allocator;
        const family = state.prefix.family;
        let delta = 0;
        const e = expiryOf(memory.org(orgId)!);
        for (const r of rows) {
          const value = valueOfKey(r.ip_key!, family);
          // A take carries the record's deadline (null: none); a value that lapsed here (expired) is a new record.
          const key = expiryKey(state.vrf, family, value);
          e.lapsed.delete(key);
          if (r.kind === "take") {
            delta += a.restore(value) === "ok" ? 1 : 0;
            if (r.expires_at == null) e.index.delete(key);
            else e.index.set(key, deadlineMs(r.expires_at));
          } else {
            delta -= a.release(value) ? 1 : 0;
            e.index.delete(key);
          }
        }
        // The ancestors' counts of records below them follow (nested-records.ts).
        addToAncestors(null, memory.nestedScope(state), state, delta);
        state.seq = seq;
        return state;
      }
    }
    // The shape may have changed too (a reload entry, or nobody knows): the whole organization.
    return (await reload(tx, orgId)).subnets.get(state.id);
  }

  /**
   * The organization's stored version and the alloc_seq of the `ids` subnets, in one statement
   * (drizzle/pg/0016_ipam_state.sql): on its own (readMemory) or as a unit's (currentIn), where
   * the organization it declares is the unit's own. One row with `id` null when none matched.
   */
  async function ipamState(on: SQL, orgId: string, ids: string[]) {
    return (await on`SELECT * FROM ipcraft_ipam_state(${orgId}, ${on.array(ids, "TEXT")}::text[])`) as {
      version: number | null;
      id: string | null;
      alloc_seq: string | null;
    }[];
  }

  /**
   * In a read: the organization loaded and at the stored version, and the `ids` subnets'
   * allocators at their alloc_seq — both learnt in one statement.
   */
  async function currentIn(tx: TransactionSQL, orgId: string, ids: string[]): Promise<void> {
    for (;;) {
      const pending = loading.get(orgId);
      if (!pending) break;
      await pending.catch(() => {});
    }
    // A subnet with a batch in flight here is brought up to date by that batch.
    const wanted = ids.filter((id) => !queues.has(id));
    const rows = await ipamState(tx, orgId, wanted);
    const version = rows[0]?.version ?? 0;
    if (memory.org(orgId)?.version !== version) {
      const load = readerReload(tx, orgId).then(() => undefined);
      loading.set(orgId, load);
      try {
        await load;
      } finally {
        loading.delete(orgId);
      }
      return;
    }
    for (const row of rows) {
      if (row.id === null) continue;
      const state = memory.subnet(orgId, row.id);
      if (state && state.seq !== Number(row.alloc_seq)) await catchUp(tx, orgId, state, Number(row.alloc_seq), undefined, readerReload);
    }
  }

  /**
   * A read's reload: installs what it loaded unless a reshaping write of this replica took its
   * locks meanwhile (`reshaping`) — then it waits for that write and the read starts over
   * (ReloadAgain, caught by `read`), so it never puts back an organization older than the
   * write's changes.
   */
  async function readerReload(tx: TransactionSQL, orgId: string): Promise<OrgIpam> {
    const org = await loadOrg(tx, orgId);
    const write = reshaping.get(orgId);
    if (write) {
      await write;
      throw new ReloadAgain();
    }
    memory.install(orgId, org);
    return org;
  }

  /** `ids` (those in memory) and all their descendants in memory, each once. */
  function withDescendants(orgId: string, ids: string[]): string[] {
    const out = new Set<string>();
    const stack = ids.filter((id) => memory.subnet(orgId, id));
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      stack.push(...memory.tree(orgId, memory.subnet(orgId, id)!.vrf)!.childrenOf(id));
    }
    return [...out];
  }

  function enqueue<T>(orgId: string, subnetId: string, job: AddressJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Job = { job, intent: intentFor(orgId), attempts: 0, lockWaits: 0, resolve: resolve as (v: unknown) => void, reject };
      const waiting = queues.get(subnetId);
      if (waiting) {
        waiting.push(entry);
        return;
      }
      const queue = [entry];
      queues.set(subnetId, queue);
      void drain(orgId, subnetId, queue);
    });
  }

  /** One batch at a time for this subnet, until nobody waits. */
  async function drain(orgId: string, subnetId: string, queue: Job[]): Promise<void> {
    try {
      while (queue.length > 0) await runBatch(orgId, subnetId, queue.splice(0, MAX_BATCH), queue);
    } finally {
      queues.delete(subnetId);
    }
  }

  async function runBatch(orgId: string, subnetId: string, batch: Job[], queue: Job[]): Promise<void> {
    // A write of this replica that takes this subnet's lock (an import, a split, a subnet
    // created: every subnet of the organization; a next free subnet: its parent's) keeps it
    // until it ends: wait for it here, holding no connection. Waiting on the lock inside a
    // transaction would hold a pooled connection per subnet, and a few such subnets would leave
    // none for the replica's other organizations.
    const covering = () => [...(writing.get(orgId) ?? [])].filter((w) => w.only === undefined || w.only.has(subnetId)).map((w) => w.done);
    // The writes begun by now, not the ones after: a stream of writes must not starve the batch.
    const writesDone = async () => void (await Promise.all(covering()));
    await writesDone();
    const done: { entry: Job; journal: Journal; value: unknown }[] = [];
    const failed: { entry: Job; error: unknown }[] = [];
    let state: SubnetState | undefined;
    let allocator: SubnetAllocator | undefined;
    let newSeq: number | undefined;
    try {
      // A write may begin while this batch waits for its slot: then the slot goes back and the
      // batch waits for that write, as above (a few times at most: then it waits in its
      // transaction, in PostgreSQL's queue for the lock, which is fair).
      for (let deferrals = 0; ; deferrals++) {
        const deferred = await batchSlot(async () => {
          if (deferrals < MAX_DEFERRALS && covering().length > 0) return true;
          await inScope(sql, { orgId }, async (tx) => {
            // One round trip: the subnet's lock with its version and the plan, and, read ahead, the
            // change-log rows memory lacks. The read-ahead is a statement of its own, run once the
            // lock is held: its snapshot sees every change up to the locked alloc_seq (a subquery
            // of the locking statement would not: SCALE.md). With two replicas taking turns on a
            // subnet, every batch has the other's to apply: this keeps that read off the time the
            // lock is held. Nothing to apply costs an index probe.
            const known = memory.subnet(orgId, subnetId);
            const from = known && known.seq >= 0 ? known.seq : undefined;
            // The lock is waited for at most BATCH_LOCK_WAIT_MS (then the batch tries again
            // later, holding no connection: the catch below); the rest of the transaction waits
            // as long as it must (the event counter's lock is brief but shared).
            const [, [row], , ahead] = await settled([
              tx.unsafe(`SET LOCAL lock_timeout = '${BATCH_LOCK_WAIT_MS}ms'`),
              tx`SELECT s.alloc_seq, o.plan FROM subnets s JOIN organizations o ON o.id = s.org_id
                  WHERE s.org_id = ${orgId} AND s.id = ${subnetId} FOR NO KEY UPDATE OF s`,
              tx.unsafe("SET LOCAL lock_timeout = 0"),
              from === undefined
                ? Promise.resolve([])
                : tx`SELECT seq, kind, ip_key, expires_at FROM subnet_changes WHERE subnet_id = ${subnetId} AND seq > ${from} ORDER BY seq, id`,
            ]);
            if (!row) throw notFound("subnet");
            const seq = Number(row.alloc_seq);
            const plan = row.plan as string;
            const prefetched = from === undefined ? undefined : { from, rows: ahead as ChangeRow[] };
            let org = memory.org(orgId) ?? (await reloadOrg(tx, orgId));
            state = org.subnets.get(subnetId);
            if (!state) state = (org = await reloadOrg(tx, orgId)).subnets.get(subnetId);
            if (state) state = await catchUp(tx, orgId, state, seq, prefetched);
            if (!state) throw notFound("subnet");
            allocator = state.allocator;
            memory.settle(orgId);

            const limit = planLimits(plan).addresses;
            let current = 0;
            if (limit !== null) [{ n: current }] = await tx`SELECT count(*)::int AS n FROM addresses WHERE org_id = ${orgId}`;
            // Keys another request (this subnet's earlier batch, another replica) committed: those
            // jobs do not run; their callers replay the stored answer (store/idempotency.ts).
            const since = keptSince();
            const keyed = batch.filter((e) => e.intent).map((e) => e.intent!.key);
            const takenKeys = new Set<string>();
            if (keyed.length > 0) {
              const found = await tx`
                SELECT key FROM idempotency_keys WHERE org_id = ${orgId} AND key = ANY(${tx.array(keyed, "TEXT")}::text[]) AND created_at >= ${since}`;
              for (const r of found as { key: string }[]) takenKeys.add(r.key);
            }
            const reuse = await reuseIndex(tx, orgId, subnetId, batch.map((e) => e.job.reuse), new Date(memory.clock()).toISOString());
            const insert = [];
            // Per kept job: where its rows start in `insert` (their numbers are taken below), and its key.
            const kept: { at: number; out: AddressWrite<unknown>; intent: NonNullable<typeof batch[number]["intent"]> | undefined }[] = [];
            const activity: ActivityEntry[] = [];
            const changes: { org_id: string; subnet_id: string; seq: number; kind: string; ip_key: Uint8Array; expires_at: string | null }[] = [];
            const replace: NonNullable<AddressWrite<unknown>["replace"]> = [];
            for (const entry of batch) {
              const journal = new Journal();
              try {
                if (entry.intent && takenKeys.has(entry.intent.key)) throw new IdempotencyTaken();
                const lookup = entry.job.reuse;
                const existing = lookup ? (reuse.get(reuseKey(lookup)) ?? null) : undefined;
                const adding = existing ? 0 : entry.job.adding;
                if (limit !== null) refuseOverLimit(plan, "addresses", limit, current, adding);
                const out = entry.job.run(state, journal, existing);
                current += adding;
                kept.push({ at: insert.length, out, intent: entry.intent });
                insert.push(...out.insert);
                activity.push(...out.activity);
                // Later jobs of this batch find these records too (their rows are not inserted yet).
                for (const row of out.insert) rememberForReuse(reuse, addressOf(row));
                if (out.replace) replace.push(...out.replace);
                for (const c of journal.changes) {
                  if (c.kind !== "reload") {
                    changes.push({ org_id: orgId, subnet_id: subnetId, seq: seq + 1, kind: c.kind, ip_key: keyOf(state.prefix.family, c.value!), expires_at: isoOf(c.expiresAt) });
                  }
                }
                done.push({ entry, journal, value: out.value });
              } catch (error) {
                journal.rollback();
                failed.push({ entry, error });
              }
            }
            if (changes.length === 0 && !kept.some((k) => k.intent)) return;
            // The statements that need an answer first, each awaited before anything is pipelined
            // (a failure among pipelined statements must be the one that reaches settled()):
            // expired records whose addresses this batch takes again (rare: one round trip each),
            // then the new rows' numbers (one round trip; the counter row stays locked to COMMIT).
            if (replace.length > 0) {
              const now = new Date(memory.clock()).toISOString();
              for (const r of replace) {
                const [gone] = await tx`DELETE FROM addresses WHERE org_id = ${orgId} AND vrf = ${r.vrf} AND ip_key = ${Buffer.from(r.ipKey)} AND expires_at <= ${now} RETURNING id, ip`;
                if (gone) activity.unshift(expireEntry(orgId, gone as { id: string; ip: string }, now));
              }
            }
            const first = insert.length > 0 ? await takePgNumbers(tx, orgId, "address", insert.length) : 0;
            // The answers learn their numbers before a key stores them.
            const keyRows: IdempotencyRow[] = [];
            for (const k of kept) {
              if (k.out.insert.length > 0) k.out.numbered?.(first + k.at);
              if (k.intent) keyRows.push(rowOf(k.intent, k.out.value));
            }
            // Pipelined: every statement goes out at once, one round trip for the lot. The activity
            // rows go last: insertPgActivity takes their change-feed seqs with an UPSERT that
            // locks the organization's event counter until COMMIT (store/events.ts), the one lock
            // every subnet's batches share, so it is taken as late as possible.
            const writes: PromiseLike<unknown>[] = [];
            if (keyRows.length > 0) {
              // Stale rows of these keys (older than 24 h, not pruned yet) make way; a key committed
              // meanwhile by a batch of another subnet hits the primary key: the batch is retried.
              writes.push(tx`DELETE FROM idempotency_keys WHERE org_id = ${orgId} AND key = ANY(${tx.array(keyRows.map((r) => r.key), "TEXT")}::text[]) AND created_at < ${since}`.execute());
              writes.push(tx`INSERT INTO idempotency_keys ${tx(keyRows)}`.execute());
            }
            if (changes.length === 0) {
              await settled(writes);
              return;
            }
            newSeq = seq + 1;
            // Statements whose text does not depend on the batch's size (insertAddressesJson says
            // why), in chunks of CHUNK rows: a batch of bulk requests may hold many thousands.
            for (let i = 0; i < insert.length; i += CHUNK) writes.push(insertAddressesJson(tx, orgId, insert.slice(i, i + CHUNK), first + i));
            // The change log, in the batch's order (a replay applies it in id order); the last chunk
            // and the new version in one statement.
            for (let i = 0; i < changes.length; i += CHUNK) {
              const logged = JSON.stringify(changes.slice(i, i + CHUNK).map((c) => [c.kind, Buffer.from(c.ip_key).toString("hex"), c.expires_at]));
              const version = i + CHUNK >= changes.length ? newSeq : null; // null: the UPDATE matches nothing
              writes.push(
                tx`WITH logged AS (INSERT INTO subnet_changes (org_id, subnet_id, seq, kind, ip_key, expires_at)
                                   SELECT ${orgId}::text, ${subnetId}::text, ${newSeq}::bigint, e.v->>0, decode(e.v->>1, 'hex'), (e.v->>2)::timestamptz
                                     FROM jsonb_array_elements(${logged}::text::jsonb) WITH ORDINALITY AS e(v, k) ORDER BY e.k)
                   UPDATE subnets SET alloc_seq = ${version}::bigint WHERE org_id = ${orgId} AND id = ${subnetId} AND ${version}::bigint IS NOT NULL`.execute(),
              );
            }
            if (newSeq % KEEP_CHANGES === 0) writes.push(tx`DELETE FROM subnet_changes WHERE subnet_id = ${subnetId} AND seq <= ${newSeq - KEEP_CHANGES}`.execute());
            // With their change-feed seqs and webhook outbox rows (insertPgActivity, the one writer).
            writes.push(insertPgActivity(tx, activity));
            await settled(writes);
          });
          return false;
        });
        if (!deferred) break;
        await writesDone();
      }
    } catch (error) {
      // Nothing is known to have committed (a lost COMMIT reply looks the same): undo and forget.
      for (let i = done.length - 1; i >= 0; i--) done[i]!.journal.rollback();
      if (state) state.seq = -1;
      if (isLockTimeout(error)) {
        // The subnet stayed locked (another replica's import): nothing ran. The batch goes back
        // to the head of its queue and tries again after a pause, holding no connection.
        let waits = 0;
        for (const entry of batch) waits = Math.max(waits, ++entry.lockWaits);
        queue.unshift(...batch);
        await Bun.sleep(Math.min(MAX_LOCK_PAUSE_MS, 10 * 2 ** waits));
        return;
      }
      const retry = isUniqueViolation(error) ? batch.filter((e) => ++e.attempts < BACKSTOP_RETRIES) : [];
      queue.unshift(...retry);
      for (const entry of batch) {
        if (retry.includes(entry)) continue;
        entry.reject(isUniqueViolation(error) ? new DatabaseBusyError() : error);
      }
      return;
    }
    if (newSeq !== undefined && state) {
      // A read or a reshaping write may have replaced this allocator meanwhile: then nobody knows.
      state.seq = memory.subnet(orgId, subnetId) === state && state.allocator === allocator ? newSeq : -1;
    }
    for (const { entry, value } of done) {
      if (entry.intent) entry.intent.stored = true;
      entry.resolve(value);
    }
    for (const { entry, error } of failed) entry.reject(error);
  }

  /** IpamStore.read: the organization's version check and `subnetIds`' catch-up, then `fn`, in one unit. */
  async function read<T>(orgId: string, fn: (q: Queries, fresh: Freshen) => Promise<T>, subnetIds: string[] = []): Promise<T> {
    for (;;) {
      try {
        return await readOnce(orgId, fn, subnetIds);
      } catch (error) {
        // A reshaping write of this replica changed memory while this read loaded it: again, after it.
        if (!(error instanceof ReloadAgain)) throw error;
      }
    }
  }

  function readOnce<T>(orgId: string, fn: (q: Queries, fresh: Freshen) => Promise<T>, subnetIds: string[]): Promise<T> {
    const scope = { orgId };
    return inScope(sql, scope, async (tx) => {
      await currentIn(tx, orgId, subnetIds);
      memory.settle(orgId); // expired records are free at once (ipam/expiry.ts)
      const fresh = async (ids: string[]) => {
        // With every descendant: a subnet's utilization counts the records below it
        // (nested-records.ts), which other replicas may have changed without touching it.
        const wanted = withDescendants(orgId, ids).filter((id) => !queues.has(id));
        if (wanted.length === 0) return;
        const rows = (await tx`
          SELECT id, alloc_seq FROM subnets WHERE org_id = ${orgId} AND id = ANY(${tx.array(wanted, "TEXT")}::text[])`) as { id: string; alloc_seq: string }[];
        for (const row of rows) {
          const state = memory.subnet(orgId, row.id);
          if (state && state.seq !== Number(row.alloc_seq)) await catchUp(tx, orgId, state, Number(row.alloc_seq), undefined, readerReload);
        }
      };
      return fn(queriesOn(tx, scope), fresh);
    });
  }

  return {
    memory,

    read,

    async readMemory(orgId, subnetIds, fn) {
      // The read unit's first statement, alone and outside a transaction: when memory already
      // holds what it answers (the organization loaded at that version, each subnet at that
      // alloc_seq), memory is current and nothing else needs the database. Anything else
      // (not loaded, a load running, a version or seq that moved) takes read's path.
      const org = memory.org(orgId);
      if (org && !loading.has(orgId)) {
        const wanted = subnetIds.filter((id) => !queues.has(id));
        const rows = await ipamState(lookups, orgId, wanted);
        const current =
          memory.org(orgId) === org &&
          !loading.has(orgId) &&
          (rows[0]?.version ?? 0) === org.version &&
          rows.every((row) => row.id === null || memory.subnet(orgId, row.id)?.seq === Number(row.alloc_seq));
        if (current) {
          memory.settle(orgId); // expired records are free at once (ipam/expiry.ts)
          return fn();
        }
      }
      return read(orgId, async () => fn(), subnetIds);
    },

    async write(orgId, fn, options = {}) {
      const scope = { orgId };
      const journal = new Journal();
      // An Idempotency-Key's row goes into the transaction (store/idempotency.ts).
      const unit = storingIntent(intentFor(orgId), ([q], row) => q.idempotency.save(row, keptSince()), fn);
      const only = options.subnets;
      let after: { version: number | null; seqs: Map<string, number> } | undefined;
      const done = Promise.withResolvers<void>();
      /** the organization object this write changes (its version moves only if it is still the one in memory) */
      let mine: OrgIpam | undefined;
      const begun = { done: done.promise, only: only ? new Set(only) : undefined };
      let ofOrg = writing.get(orgId);
      if (!ofOrg) writing.set(orgId, (ofOrg = new Set()));
      ofOrg.add(begun);
      let endTurn: (() => void) | undefined;
      try {
        endTurn = await writeTurn(orgId);
        const value = await inScope(sql, scope, async (tx) => {
          // The organization's lock (its version row, created on first use), then every subnet's
          // — or, for a write scoped to some subnets, only theirs: batches elsewhere go on.
          const [v] = await tx`
            INSERT INTO ipam_versions (org_id, version) VALUES (${orgId}, 0)
            ON CONFLICT (org_id) DO UPDATE SET version = ipam_versions.version RETURNING version`;
          const version = Number(v.version);
          const locked = (
            only
              ? await tx`SELECT id, alloc_seq FROM subnets WHERE org_id = ${orgId} AND id IN ${tx(only)} FOR NO KEY UPDATE`
              : await tx`SELECT id, alloc_seq FROM subnets WHERE org_id = ${orgId} FOR NO KEY UPDATE`
          ) as { id: string; alloc_seq: string }[];
          // Locks held: from here until this write has settled memory, reads of this replica wait.
          reshaping.set(orgId, done.promise);
          let org = memory.org(orgId);
          if (!org || org.version !== version || (!only && org.subnets.size !== locked.length)) org = await reloadOrg(tx, orgId);
          for (const row of locked) {
            const state = org.subnets.get(row.id);
            const seq = Number(row.alloc_seq);
            if (state && state.seq !== seq && !(await catchUp(tx, orgId, state, seq))) throw new Error(`subnet ${row.id} vanished under its lock`);
            if (!state) org = await reloadOrg(tx, orgId);
          }

          memory.settle(orgId);
          mine = memory.org(orgId);
          const result = await unit.body(queriesOn(tx, scope), journal);
          if (only) {
            // Other subnets were not locked nor caught up: a change to one would be a bug, never a silent race.
            const stray = journal.changes.find((c) => !journal.created.has(c.subnetId) && !only.includes(c.subnetId));
            if (stray) throw new Error(`a write scoped to subnets ${only.join(", ")} changed subnet ${stray.subnetId}`);
          }

          // Log what each subnet's allocator went through (new subnets: nobody knows them yet).
          const bySubnet = new Map<string, { kind: string; value?: bigint; expiresAt?: number | null }[]>();
          for (const c of journal.changes) {
            if (journal.created.has(c.subnetId)) continue;
            let list = bySubnet.get(c.subnetId);
            if (!list) bySubnet.set(c.subnetId, (list = []));
            list.push(c);
          }
          const seqs = new Map<string, number>();
          if (bySubnet.size > 0) {
            const bumped = (await tx`
              UPDATE subnets SET alloc_seq = alloc_seq + 1 WHERE org_id = ${orgId} AND id IN ${tx([...bySubnet.keys()])}
              RETURNING id, alloc_seq, family`) as { id: string; alloc_seq: string; family: Family }[];
            const rows: { org_id: string; subnet_id: string; seq: number; kind: string; ip_key: Uint8Array | null; expires_at: string | null }[] = [];
            for (const b of bumped) {
              const seq = Number(b.alloc_seq);
              seqs.set(b.id, seq);
              const list = bySubnet.get(b.id)!;
              if (list.some((c) => c.kind === "reload")) rows.push({ org_id: orgId, subnet_id: b.id, seq, kind: "reload", ip_key: null, expires_at: null });
              else for (const c of list) rows.push({ org_id: orgId, subnet_id: b.id, seq, kind: c.kind, ip_key: keyOf(b.family, c.value!), expires_at: isoOf(c.expiresAt) });
            }
            for (let i = 0; i < rows.length; i += CHUNK) await tx`INSERT INTO subnet_changes ${tx(rows.slice(i, i + CHUNK))}`;
          }
          let newVersion: number | null = null;
          if (journal.created.size > 0 || journal.changes.some((c) => c.kind === "reload")) {
            [{ version: newVersion }] = await tx`UPDATE ipam_versions SET version = version + 1 WHERE org_id = ${orgId} RETURNING version`;
          }
          after = { version: newVersion === null ? null : Number(newVersion), seqs };
          return result;
        });
        // Only the organization this write changed takes its version: one loaded meanwhile (the next
        // write of this replica may already have reloaded it after this COMMIT) keeps its own, and
        // is caught up by the version check if it is older.
        const org = memory.org(orgId);
        if (org && org === mine && after) {
          if (after.version !== null) org.version = after.version;
          for (const [id, seq] of after.seqs) {
            const state = org.subnets.get(id);
            if (state) state.seq = seq;
          }
        }
        unit.committed();
        return value;
      } catch (error) {
        // A refusal (ApiError) rolled back with memory undone by the journal; anything else
        // (a lost COMMIT reply too) leaves nobody sure: the next use reloads the organization.
        journal.rollback();
        if (!(error instanceof ApiError) && !(error instanceof DeliberateRollback) && !(error instanceof IdempotencyTaken)) memory.forget(orgId);
        throw error;
      } finally {
        if (reshaping.get(orgId) === done.promise) reshaping.delete(orgId);
        ofOrg.delete(begun);
        if (ofOrg.size === 0 && writing.get(orgId) === ofOrg) writing.delete(orgId);
        endTurn?.();
        done.resolve();
      }
    },

    addresses: enqueue,

    // System work across organizations (RLS): list them through the maintenance policy, then look in each.
    expiringOrgs: (now) =>
      inScope(sql, { orgId: null }, async (tx) => {
        const [, orgs] = await Promise.all([
          tx`SELECT set_config('app.maintenance', 'retention', true)`.execute(),
          tx`SELECT id FROM organizations`.execute(),
          tx`SELECT set_config('app.maintenance', '', true)`.execute(),
        ]);
        const out: string[] = [];
        for (const { id } of orgs as { id: string }[]) {
          const [, found] = await Promise.all([
            tx`SELECT set_config('app.org_id', ${id}, true)`.execute(),
            tx`SELECT 1 FROM addresses WHERE org_id = ${id} AND expires_at <= ${now} LIMIT 1`.execute(),
          ]);
          if (found.length > 0) out.push(id);
        }
        await tx`SELECT set_config('app.org_id', '', true)`;
        return out;
      }),
  };
}

function isoOf(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
