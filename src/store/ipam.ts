/**
 * The IPAM facet of the Store: units of work over subnets and addresses that keep the
 * in-memory trees and allocators (ipam/memory.ts) equal to the committed rows, on either
 * backend. Services speak only this; how memory follows other writers is the backend's:
 *
 * | unit                      | SQLite (store/sqlite/ipam.ts)                | PostgreSQL (store/pg/ipam.ts)                              |
 * |---------------------------|----------------------------------------------|------------------------------------------------------------|
 * | read(org, fn)             | wait until the org's memory is current        | org version check (reload the org when it moved);          |
 * |                           | (ipam_versions + data_version, registry.ts)   | `fresh(ids)` brings those subnets' allocators up to date   |
 * | write(org, fn)            | one IMMEDIATE transaction, org still current, | org row locked (ipam_versions), every subnet row of the org |
 * |  (shape: subnets, moves,  | version bumped                                | locked and caught up, fn, change-log rows + alloc_seq bumps |
 * |   address patch/delete)   |                                               | for the subnets it touched, org version bumped if reshaped  |
 * | addresses(org, subnet, j) | GroupCommit: jobs share one transaction,      | per-subnet batches: `FOR NO KEY UPDATE` on the subnet row,  |
 * |  (the hot path)           | a savepoint each (exactly as before)          | catch up from the change log, jobs, one INSERT each, COMMIT |
 *
 * On both, a write's memory changes are journaled (ipam/journal.ts) and undone if it fails;
 * on PostgreSQL a failure (a lost COMMIT reply included) also marks memory unknown so that
 * the next use reloads it. The UNIQUE (org, vrf, ip_key) index stays the backstop.
 */
import type { Address } from "../features/addresses/model";
import type { AddressRow, NewAddress } from "../features/addresses/repo";
import type { WorkerJob } from "../features/io/import-thread";
import type { Journal } from "../ipam/journal";
import type { IpamMemory } from "../ipam/memory";
import type { SubnetState } from "../ipam/org-loader";
import type { ActivityEntry, Queries } from "./store";

/** The activity entry of a record the system freed at its deadline (sweep, or re-allocation before one). */
export function expireEntry(orgId: string, row: { id: string; ip: string }, at: string): ActivityEntry {
  return {
    orgId,
    actor: { type: "system", id: null, label: "system" },
    action: "address.expire",
    target: { type: "address", id: row.id, label: row.ip },
    changes: { ip: [row.ip, null] },
    at,
  };
}

/** What an address job asks the store to write, computed from memory alone. */
export interface AddressWrite<T> {
  insert: NewAddress[];
  /**
   * Expired records (not swept yet) whose addresses `insert` takes again: the store deletes
   * their rows first, in the same transaction, with activity address.expire (actor system).
   */
  replace?: { vrf: string; ipKey: Uint8Array; ip: string }[];
  activity: ActivityEntry[];
  value: T;
  /**
   * The store calls it with the integer number the first `insert` row took (the others follow
   * in order), once they are taken and before an Idempotency-Key stores the answer: the
   * writer puts them into `value`.
   */
  numbered?(first: number): void;
}

/** `"reuse": "hostname" | "mac"`: the subnet's record with this value, looked up under the job's serialization. */
export interface ReuseLookup {
  field: "hostname" | "mac";
  value: string;
}

/** One unit of the hot path: memory-only and synchronous, so that a batch can run many at once. */
export interface AddressJob<T> {
  /** how many addresses it adds (the plan limit is checked by the store, per job) */
  adding: number;
  /**
   * Look up the subnet's record with this hostname or MAC first, inside the subnet's
   * serialization (SQLite: the group transaction; PostgreSQL: the subnet's row lock, with the
   * records earlier jobs of the same batch made), and hand it to `run` (null: none).
   */
  reuse?: ReuseLookup;
  /** Takes values in `state` (journaled) and describes the rows; throw ApiError to refuse this job alone. */
  run(state: SubnetState, journal: Journal, existing?: Address | null): AddressWrite<T>;
}

/** The record a NewAddress becomes (a reuse lookup within one batch). */
export function addressOf(row: NewAddress): Address {
  return {
    id: row.id,
    subnet_id: row.subnetId,
    ip: row.ip,
    hostname: row.hostname,
    status: row.status as Address["status"],
    owner: row.owner,
    mac: row.mac,
    description: row.description,
    expires_at: row.expiresAt ?? null,
    created_at: row.at,
    updated_at: row.at,
  };
}

/**
 * Brings the named subnets' allocators, and their descendants' (a subnet's utilization counts
 * the records below it), up to date inside a read (PostgreSQL; a no-op on SQLite).
 */
export type Freshen = (subnetIds: string[]) => Promise<void>;

export interface IpamStore {
  readonly memory: IpamMemory;
  /**
   * A read for `orgId` with its memory current; `subnetIds`: bring these subnets' allocators
   * up to date first (on PostgreSQL in the same statement as the organization's version
   * check; `fresh` does the same for ids learnt inside `fn`).
   */
  read<T>(orgId: string, fn: (q: Queries, fresh: Freshen) => Promise<T>, subnetIds?: string[]): Promise<T>;
  /**
   * A read answered from memory alone (first-free): `fn` gets no queries. Memory is brought
   * current exactly as `read` brings it; on PostgreSQL, when nothing moved, that check is
   * one statement outside any transaction (drizzle/pg/0016_ipam_state.sql), else `read`'s path.
   */
  readMemory<T>(orgId: string, subnetIds: string[], fn: () => T): Promise<T>;
  /**
   * A write that may change memory anywhere in the organization: rows and memory together.
   * `subnets`: it changes the memory of these subnets only (and may create new ones); on
   * PostgreSQL it then locks the organization and just these subnets' rows, so that address
   * batches elsewhere in the organization are not held (a change to another subnet fails it).
   */
  write<T>(orgId: string, fn: (q: Queries, journal: Journal) => Promise<T>, options?: { subnets?: string[] }): Promise<T>;
  /** The hot path: a job on one subnet's addresses, batched with its neighbours. Rejects 404 when the subnet is gone. */
  addresses<T>(orgId: string, subnetId: string, job: AddressJob<T>): Promise<T>;
  /**
   * SQLite on a file: runs an API import or a large split in the import worker (its own
   * connection, one job at a time) and catches up; resolves the job's result. Absent
   * (PostgreSQL, an in-memory SQLite): run it in the request.
   */
  readonly offThread?: (job: WorkerJob) => Promise<unknown>;
  /** Expiry: the organizations holding a record expired by `now` (ISO), for the sweep (system work). */
  expiringOrgs(now: string): Promise<string[]>;
}

/**
 * Thrown by a write body to roll the write back on purpose once it has computed `value` (a
 * dry run): rows and memory are undone exactly as for a refusal, and memory stays known
 * (PostgreSQL does not reload the organization, as it does after an unexpected error).
 */
export class DeliberateRollback<T = unknown> {
  constructor(readonly value: T) {}
}

/**
 * The UNIQUE (org, vrf, ip_key) backstop refused a row memory thought free, or a given
 * address is taken in memory: the service answers 409 address_in_use with the record.
 */
export class AddressInUse extends Error {
  constructor(
    readonly vrf: string,
    readonly ipKey: Uint8Array,
    readonly ip: string,
    readonly field: string,
    readonly existing?: AddressRow | null,
  ) {
    super(`${ip} is already in use`);
  }
}
