/**
 * Loading one organization's IPAM state from the database, in small pieces.
 *
 * `loadOrganization` is a generator: it reads at most ROWS_PER_QUERY rows per query (keyset
 * pagination in index order, so no query sorts or skips) and yields after each query. Driven
 * to the end in one go (`loadNow`) it is the boot loader; driven by `loadSliced`, which gives
 * the event loop back whenever SLICE_MS of work has passed, it rebuilds one organization
 * while the server goes on answering everyone else (registry.ts).
 *
 *     version ─▶ subnets of the org, in (vrf, family, network, length) order ─▶ trees
 *             ─▶ per subnet: its address keys in key order, a page at a time, each page
 *                one BLOB of packed keys decoded straight into the allocator's run set
 *                (SubnetAllocator.loadKeys) ─▶ child ranges
 *
 * Boot streams: no step holds more than one page of rows (BULK_ROWS keys, 512 KiB), so
 * memory after boot is the allocators' own (1M addresses: ~100 MB RSS in all, where
 * materialising every row as objects peaked above 700 MB).
 *
 * A load spread over several turns is a consistent picture only if the organization did not
 * change in between: the caller compares the version read first with the version at the end
 * (every IPAM write transaction bumps it, journal.ts).
 *
 * Queries and the indexes they walk:
 * - subnets: `subnets_org_vrf_net_unique (org_id, vrf, family, network_key, prefix_length)`;
 * - addresses: `addresses_subnet_ip_idx (subnet_id, ip_key)`, covering (no table lookups).
 */
import type { Database } from "bun:sqlite";
import { formatCidr, SubnetAllocator, SubnetTree, type Family, type Prefix } from "../ip";
import { valueOfKey } from "./codec";
import { addToAncestors } from "./nested-records";

/** Rows per query in a sliced load: a few milliseconds of work on a busy machine. */
export const ROWS_PER_QUERY = 2_000;
/**
 * Rows per query in a load done in one turn (boot): big enough that the per-query cost
 * vanishes, small enough that a page (16 bytes a row, one BLOB) never weighs on memory.
 */
export const BULK_ROWS = 32_768;
/** Work between two returns to the event loop in a sliced load. */
export const SLICE_MS = 5;

/** What memory knows about one subnet. */
export interface SubnetState {
  id: string;
  orgId: string;
  vrf: string;
  prefix: Prefix;
  cidr: string;
  allocator: SubnetAllocator;
  /**
   * PostgreSQL: the `subnets.alloc_seq` this allocator equals (-1: unknown, reload before
   * use). SQLite follows whole organizations instead (ipam_versions) and leaves it 0.
   */
  seq: number;
  /** Records held by strict descendants (utilization, nested-records.ts). */
  nested: number;
}

/** One organization's IPAM state: its subnet trees (one per VRF) and its subnets. */
export class OrgIpam {
  readonly trees = new Map<string, SubnetTree<string>>();
  readonly subnets = new Map<string, SubnetState>();
  /** The ipam_versions value this state equals (0: no row). */
  constructor(public version: number) {}
}

interface SubnetRow {
  id: string;
  vrf: string;
  family: Family;
  network_key: Uint8Array;
  prefix_length: number;
}

const EMPTY_KEY = new Uint8Array(0); // sorts before every BLOB key

/** The prepared statements a loader uses (prepare once per connection). */
export function loaderQueries(sqlite: Database) {
  return {
    version: sqlite.query<{ version: number }, [string]>("SELECT version FROM ipam_versions WHERE org_id = ?"),
    allVersions: sqlite.query<{ org_id: string; version: number }, []>("SELECT org_id, version FROM ipam_versions"),
    organizations: sqlite.query<{ org_id: string }, []>("SELECT DISTINCT org_id FROM subnets UNION SELECT org_id FROM ipam_versions"),
    subnets: sqlite.query<SubnetRow, [string, string, number, Uint8Array, number, number]>(
      `SELECT id, vrf, family, network_key, prefix_length FROM subnets
        WHERE org_id = ? AND (vrf, family, network_key, prefix_length) > (?, ?, ?, ?)
        ORDER BY vrf, family, network_key, prefix_length LIMIT ?`,
    ),
    // One row per page: the page's keys packed end to end in one BLOB (16 bytes each), so a
    // page costs a few JavaScript objects instead of a row and a Uint8Array per address.
    // group_concat keeps the subquery's (index) order in practice but does not promise it:
    // `last` (the keyset cursor) is computed apart, and loadKeys accepts any order (an
    // ORDER BY inside group_concat would sort every page again: 2.4× slower in total).
    addressKeys: sqlite.query<KeyPage, [string, Uint8Array, number]>(
      `SELECT count(*) AS n, max(ip_key) AS last, unhex(group_concat(hex(ip_key), '')) AS keys
         FROM (SELECT ip_key FROM addresses WHERE subnet_id = ? AND ip_key > ? ORDER BY ip_key LIMIT ?)`,
    ),
    // IPv4: only the last 4 bytes of each key (the first 12 are ::ffff:), a quarter of the hex.
    addressKeys4: sqlite.query<KeyPage, [string, Uint8Array, number]>(
      `SELECT count(*) AS n, max(ip_key) AS last, unhex(group_concat(hex(substr(ip_key, 13)), '')) AS keys
         FROM (SELECT ip_key FROM addresses WHERE subnet_id = ? AND ip_key > ? ORDER BY ip_key LIMIT ?)`,
    ),
  };
}

export type LoaderQueries = ReturnType<typeof loaderQueries>;

/** One page of a subnet's address keys: how many, the last (the next page's cursor), all packed. */
interface KeyPage {
  n: number;
  last: Uint8Array | null;
  keys: Uint8Array | null;
}

/** The stored version of an organization (0 when it has no row). */
export function storedVersion(q: LoaderQueries, orgId: string): number {
  return q.version.get(orgId)?.version ?? 0;
}

/** Loads one organization; yields after each query of at most `pageRows` rows. See the module comment. */
export function* loadOrganization(q: LoaderQueries, orgId: string, pageRows = ROWS_PER_QUERY): Generator<void, OrgIpam, void> {
  const org = new OrgIpam(storedVersion(q, orgId));
  // Sorted so that a container is always inserted before what it contains: no adoption work.
  let after: [string, number, Uint8Array, number] = ["", 0, EMPTY_KEY, -1];
  for (;;) {
    const rows = q.subnets.all(orgId, ...after, pageRows);
    for (const row of rows) {
      const prefix: Prefix = { family: row.family, network: valueOfKey(row.network_key, row.family), length: row.prefix_length };
      let tree = org.trees.get(row.vrf);
      if (!tree) org.trees.set(row.vrf, (tree = new SubnetTree<string>()));
      const inserted = tree.insert(row.id, prefix);
      if (!inserted.ok) throw new Error(`database holds subnet ${formatCidr(prefix)} twice in VRF ${row.vrf}; run ipcraft check`);
      org.subnets.set(row.id, { id: row.id, orgId, vrf: row.vrf, prefix, cidr: formatCidr(prefix), allocator: null!, seq: 0, nested: 0 });
    }
    yield;
    if (rows.length < pageRows) break;
    const last = rows[rows.length - 1]!;
    after = [last.vrf, last.family, last.network_key, last.prefix_length];
  }
  for (const state of org.subnets.values()) {
    // Keys in key order, decoded straight into the allocator's run set (appends).
    const allocator = new SubnetAllocator(state.prefix);
    const v4 = state.prefix.family === 4;
    const query = v4 ? q.addressKeys4 : q.addressKeys;
    let afterKey: Uint8Array = EMPTY_KEY;
    for (;;) {
      const page = query.get(state.id, afterKey, pageRows)!;
      if (page.n > 0) allocator.loadKeys(page.keys!, page.n, v4 ? 4 : 16);
      if (page.n < pageRows) break;
      afterKey = page.last!;
      yield;
    }
    for (const childId of org.trees.get(state.vrf)!.childrenOf(state.id)) allocator.takePrefix(org.subnets.get(childId)!.prefix);
    state.allocator = allocator;
    yield;
  }
  // Records below each subnet (utilization): every subnet's own records, added to its ancestors.
  let counted = 0;
  for (const state of org.subnets.values()) {
    addToAncestors(null, { tree: org.trees.get(state.vrf)!, subnets: org.subnets }, state, state.allocator.ownRecords());
    if (++counted % pageRows === 0) yield;
  }
  return org;
}

/** Runs a load to its end in this turn (boot, CLI, the last resort of a rebuild); pass it BULK_ROWS. */
export function loadNow(load: Generator<void, OrgIpam, void>): OrgIpam {
  for (;;) {
    const step = load.next();
    if (step.done) return step.value;
  }
}

/** Runs a load in slices of about SLICE_MS, giving the event loop back between them. */
export async function loadSliced(load: Generator<void, OrgIpam, void>): Promise<OrgIpam> {
  let sliceStart = performance.now();
  for (;;) {
    const step = load.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/**
 * Resolves after pending I/O callbacks (HTTP requests) have run: a plain `await` would only
 * run other promise callbacks and keep every socket waiting.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
