/**
 * The in-memory IPAM state the hot paths read instead of the database:
 * - one SubnetTree per (organization, VRF): automatic nesting, most specific subnet of an IP;
 * - one SubnetAllocator per subnet, holding its direct address records plus one range per
 *   direct child subnet: first-free, allocation and utilization without counting rows.
 *
 * It is built from the database at boot (`IpamRegistry.load`) and changed only inside IPAM
 * write transactions (journal.ts), so it always equals what is committed. Another process
 * writing the same file (the CLI) is noticed through `PRAGMA data_version` and triggers a
 * rebuild before the next read or write.
 */
import type { Database } from "bun:sqlite";
import type { OpenDatabase } from "../db/client";
import { formatCidr, lastAddress, SubnetAllocator, SubnetTree, type Family, type Prefix } from "../ip";
import { valueOfKey } from "./codec";
import type { Journal } from "./journal";

/** What memory knows about one subnet. */
export interface SubnetState {
  id: string;
  orgId: string;
  vrf: string;
  prefix: Prefix;
  cidr: string;
  allocator: SubnetAllocator;
}

interface SubnetBootRow {
  id: string;
  org_id: string;
  vrf: string;
  family: Family;
  network_key: Uint8Array;
  prefix_length: number;
}

/** See the module comment. */
export class IpamRegistry {
  private trees = new Map<string, SubnetTree<string>>();
  private subnets = new Map<string, SubnetState>();
  private dataVersion = -1;
  private readonly versionQuery;

  private constructor(private readonly sqlite: Database) {
    this.versionQuery = sqlite.query<{ data_version: number }, []>("PRAGMA data_version");
  }

  /** Builds the registry from every subnet and address row (server boot). */
  static load(database: OpenDatabase): IpamRegistry {
    const registry = new IpamRegistry(database.sqlite);
    registry.rebuild();
    return registry;
  }

  /** Rebuilds from the database when another connection committed since we last looked. */
  syncWithDatabase(): void {
    const version = this.versionQuery.get()!.data_version;
    if (version !== this.dataVersion) this.rebuild();
  }

  private rebuild(): void {
    this.dataVersion = this.versionQuery.get()!.data_version;
    const trees = new Map<string, SubnetTree<string>>();
    const states = new Map<string, SubnetState>();
    // Sorted so that a container is always inserted before what it contains: no adoption work.
    const rows = this.sqlite
      .query<SubnetBootRow, []>(
        `SELECT id, org_id, vrf, family, network_key, prefix_length FROM subnets
          ORDER BY org_id, vrf, family, network_key, prefix_length`,
      )
      .all();
    for (const row of rows) {
      const prefix: Prefix = { family: row.family, network: valueOfKey(row.network_key, row.family), length: row.prefix_length };
      const key = treeKey(row.org_id, row.vrf);
      let tree = trees.get(key);
      if (!tree) trees.set(key, (tree = new SubnetTree<string>()));
      const inserted = tree.insert(row.id, prefix);
      if (!inserted.ok) throw new Error(`database holds subnet ${formatCidr(prefix)} twice in VRF ${row.vrf}; run ipcraft check`);
      states.set(row.id, { id: row.id, orgId: row.org_id, vrf: row.vrf, prefix, cidr: formatCidr(prefix), allocator: null! });
    }
    // Addresses grouped by subnet and sorted by key: each allocator loads by appending.
    const taken = new Map<string, bigint[]>();
    const addressRows = this.sqlite.query<[string, Uint8Array], []>("SELECT subnet_id, ip_key FROM addresses ORDER BY subnet_id, ip_key");
    let currentId = "";
    let current: bigint[] = [];
    let family: Family = 4;
    for (const pair of addressRows.values()) {
      const subnetId = pair[0] as string;
      const key = pair[1] as Uint8Array;
      if (subnetId !== currentId) {
        currentId = subnetId;
        current = [];
        taken.set(subnetId, current);
        family = states.get(subnetId)?.prefix.family ?? 4;
      }
      current.push(valueOfKey(key, family));
    }
    for (const state of states.values()) {
      const tree = trees.get(treeKey(state.orgId, state.vrf))!;
      const children = tree.childrenOf(state.id).map((id) => states.get(id)!.prefix);
      state.allocator = SubnetAllocator.fromTaken(state.prefix, taken.get(state.id) ?? [], children);
    }
    this.trees = trees;
    this.subnets = states;
  }

  /** The subnet `id` if it belongs to `orgId` (foreign ids look absent). */
  subnet(orgId: string, id: string): SubnetState | undefined {
    const state = this.subnets.get(id);
    return state && state.orgId === orgId ? state : undefined;
  }

  /** The tree of (org, vrf), or undefined when that VRF holds no subnet. */
  tree(orgId: string, vrf: string): SubnetTree<string> | undefined {
    return this.trees.get(treeKey(orgId, vrf));
  }

  /** Every VRF tree of an organization. */
  treesOf(orgId: string): SubnetTree<string>[] {
    const out: SubnetTree<string>[] = [];
    const prefix = `${orgId}\u0000`;
    for (const [key, tree] of this.trees) if (key.startsWith(prefix)) out.push(tree);
    return out;
  }

  /** Number of subnets in memory (tests, diagnostics). */
  get size(): number {
    return this.subnets.size;
  }

  /**
   * Adds a subnet to its tree and gives it an allocator, moving into it what the tree says
   * it adopts (child ranges) and the parent's `moved` record values. Journaled.
   */
  addSubnet(
    journal: Journal,
    input: { id: string; orgId: string; vrf: string; prefix: Prefix; moved: bigint[] },
  ): { ok: true; parentId: string | null; adopted: string[] } | { ok: false; existing: SubnetState } {
    const key = treeKey(input.orgId, input.vrf);
    let tree = this.trees.get(key);
    if (!tree) {
      const created = new SubnetTree<string>();
      this.trees.set(key, created);
      journal.onRollback(() => this.trees.delete(key));
      tree = created;
    }
    const inserted = tree.insert(input.id, input.prefix);
    if (!inserted.ok) return { ok: false, existing: this.subnets.get(inserted.existing)! };
    const tree_ = tree;
    journal.onRollback(() => tree_.remove(input.id));

    const adoptedPrefixes = inserted.adopted.map((id) => this.subnets.get(id)!.prefix);
    const parent = inserted.parent === null ? undefined : this.subnets.get(inserted.parent)!;
    if (parent) {
      const a = parent.allocator;
      for (const child of adoptedPrefixes) {
        a.releasePrefix(child);
        journal.onRollback(() => a.takePrefix(child));
      }
      for (const value of input.moved) {
        a.release(value);
        journal.onRollback(() => a.take(value));
      }
      a.takePrefix(input.prefix);
      journal.onRollback(() => a.releasePrefix(input.prefix));
    }
    const state: SubnetState = {
      id: input.id,
      orgId: input.orgId,
      vrf: input.vrf,
      prefix: input.prefix,
      cidr: formatCidr(input.prefix),
      allocator: SubnetAllocator.fromTaken(input.prefix, input.moved, adoptedPrefixes),
    };
    this.subnets.set(input.id, state);
    journal.onRollback(() => this.subnets.delete(input.id));
    return { ok: true, parentId: inserted.parent, adopted: inserted.adopted };
  }

  /**
   * Removes a subnet: its children move up to its parent, and so do its record values
   * `moved` (pass [] when they are deleted instead). Journaled.
   */
  removeSubnet(journal: Journal, state: SubnetState, moved: bigint[]): void {
    const tree = this.trees.get(treeKey(state.orgId, state.vrf))!;
    const { parent: parentId, children } = tree.remove(state.id);
    journal.onRollback(() => tree.insert(state.id, state.prefix));
    this.subnets.delete(state.id);
    journal.onRollback(() => this.subnets.set(state.id, state));
    if (parentId === null) return;
    const a = this.subnets.get(parentId)!.allocator;
    a.releasePrefix(state.prefix);
    journal.onRollback(() => a.takePrefix(state.prefix));
    for (const childId of children) {
      const child = this.subnets.get(childId)!.prefix;
      a.takePrefix(child);
      journal.onRollback(() => a.releasePrefix(child));
    }
    for (const value of moved) {
      if (a.take(value) !== "ok") throw new Error(`address ${value} cannot move into ${formatCidr(a.prefix)}`);
      journal.onRollback(() => a.release(value));
    }
  }

  /** Takes one given address in a subnet's allocator. Journaled when it succeeds. */
  take(journal: Journal, state: SubnetState, value: bigint) {
    const result = state.allocator.take(value);
    if (result === "ok") journal.onRollback(() => state.allocator.release(value));
    return result;
  }

  /** Allocates `n` lowest free addresses all-or-nothing (null when short). Journaled. */
  allocate(journal: Journal, state: SubnetState, n: number): bigint[] | null {
    const a = state.allocator;
    const values = n === 1 ? single(a.allocate()) : a.allocateMany(n);
    if (values) journal.onRollback(() => values.forEach((v) => a.release(v)));
    return values;
  }

  /** Frees one address record. Journaled. */
  release(journal: Journal, state: SubnetState, value: bigint): void {
    if (state.allocator.release(value)) journal.onRollback(() => state.allocator.take(value));
  }
}

function single(value: bigint | null): bigint[] | null {
  return value === null ? null : [value];
}

function treeKey(orgId: string, vrf: string): string {
  return `${orgId}\u0000${vrf}`;
}

/** Both ends of a subnet, for BETWEEN scans. */
export function boundsOf(p: Prefix): { first: bigint; last: bigint } {
  return { first: p.network, last: lastAddress(p) };
}
