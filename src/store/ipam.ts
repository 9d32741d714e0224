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
 * |  (shape: subnets, moves,  | version bumped (ipamWrite's twin)             | locked and caught up, fn, change-log rows + alloc_seq bumps |
 * |   address patch/delete)   |                                               | for the subnets it touched, org version bumped if reshaped  |
 * | addresses(org, subnet, j) | GroupCommit: jobs share one transaction,      | per-subnet batches: `FOR NO KEY UPDATE` on the subnet row,  |
 * |  (the hot path)           | a savepoint each (exactly as before)          | catch up from the change log, jobs, one INSERT each, COMMIT |
 *
 * On both, a write's memory changes are journaled (ipam/journal.ts) and undone if it fails;
 * on PostgreSQL a failure (a lost COMMIT reply included) also marks memory unknown so that
 * the next use reloads it. The UNIQUE (org, vrf, ip_key) index stays the backstop.
 */
import type { AddressRow, NewAddress } from "../features/addresses/repo";
import type { SplitJob } from "../features/subnets/split";
import type { Journal } from "../ipam/journal";
import type { IpamMemory } from "../ipam/memory";
import type { SubnetState } from "../ipam/org-loader";
import type { ActivityEntry, Queries } from "./store";

/** What an address job asks the store to write, computed from memory alone. */
export interface AddressWrite<T> {
  insert: NewAddress[];
  activity: ActivityEntry[];
  value: T;
}

/** One unit of the hot path: memory-only and synchronous, so that a batch can run many at once. */
export interface AddressJob<T> {
  /** how many addresses it adds (the plan limit is checked by the store, per job) */
  adding: number;
  /** Takes values in `state` (journaled) and describes the rows; throw ApiError to refuse this job alone. */
  run(state: SubnetState, journal: Journal): AddressWrite<T>;
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
   * A write that may change memory anywhere in the organization: rows and memory together.
   * `subnets`: it changes the memory of these subnets only (and may create new ones); on
   * PostgreSQL it then locks the organization and just these subnets' rows, so that address
   * batches elsewhere in the organization are not held (a change to another subnet fails it).
   */
  write<T>(orgId: string, fn: (q: Queries, journal: Journal) => Promise<T>, options?: { subnets?: string[] }): Promise<T>;
  /** The hot path: a job on one subnet's addresses, batched with its neighbours. Rejects 404 when the subnet is gone. */
  addresses<T>(orgId: string, subnetId: string, job: AddressJob<T>): Promise<T>;
  /** SQLite on a file: runs a large split in the import worker and catches up. Absent: run it in the request. */
  readonly offThread?: (job: SplitJob) => Promise<void>;
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
