/**
 * The in-memory IPAM state both backends keep, per organization: one SubnetTree per VRF
 * (automatic nesting, most specific subnet of an IP) and one SubnetAllocator per subnet
 * (its direct records plus one range per direct child: first-free, allocation and
 * utilization without counting rows).
 *
 * Every change goes through the journaled methods below, inside a write: the Journal holds
 * the inverse of each change (run if the write fails) and a note of what changed per subnet
 * (`take`/`free` of a value, `reload` when a subnet's shape changed), which the PostgreSQL
 * store writes to its change log so that other replicas can follow (store/pg/ipam.ts).
 * How memory follows the database is the backend's business: IpamRegistry (registry.ts,
 * SQLite: ipam_versions and data_version) or PgIpam (store/pg/ipam.ts: per-subnet alloc_seq).
 * Every record change here also moves the `nested` counts of the subnet's ancestors
 * (utilization counts what lies below a subnet, nested-records.ts).
 */
import { formatCidr, SubnetAllocator, SubnetTree, type AllocationRequest, type Prefix, type TakeResult } from "../ip";
import type { Journal, SubnetChange } from "./journal";
import { expiryKey, expiryOf, parseExpiryKey } from "./expiry";
import { addNested, addToAncestors, subtreeRecords, type NestedScope } from "./nested-records";
import { OrgIpam, type SubnetState } from "./org-loader";

export class IpamMemory {
  protected orgs = new Map<string, OrgIpam>();
  /**
   * Every per-subnet change since the current write began, whichever journal it went to
   * (a CSV import journals its takes as one entry and hands each take a throw-away
   * journal): what a SQLite writer other than the server logs for the server to replay
   * (registry.ts, `ipam_changes`). Null: not kept (the server, PostgreSQL).
   */
  protected pending: PendingChanges | null = null;

  /** Notes a change in the write's journal and in `pending`. */
  private noteChange(journal: Journal, subnetId: string, kind: SubnetChange["kind"], value?: bigint): void {
    journal.note(subnetId, kind, value);
    if (this.pending) keepChange(this.pending, { subnetId, kind, value });
  }

  /** Replication of changes this memory keeps in step with (registry.ts overrides; null: none). */
  followStats(): Record<string, number> | null {
    return null;
  }

  /** What expiry reads as now (epoch milliseconds); tests drive it instead of sleeping. */
  clock: () => number = Date.now;

  /** The state of `orgId`, created (journaled) when it has none yet. */
  protected orgFor(journal: Journal, orgId: string): OrgIpam {
    let org = this.orgs.get(orgId);
    if (!org) {
      const created = new OrgIpam(0);
      this.orgs.set(orgId, created);
      journal.onRollback(() => {
        if (this.orgs.get(orgId) === created) this.orgs.delete(orgId);
      });
      org = created;
    }
    return org;
  }

  /** The subnet `id` if it belongs to `orgId` (foreign ids look absent). */
  subnet(orgId: string, id: string): SubnetState | undefined {
    return this.orgs.get(orgId)?.subnets.get(id);
  }

  /** The tree of (org, vrf), or undefined when that VRF holds no subnet. */
  tree(orgId: string, vrf: string): SubnetTree<string> | undefined {
    return this.orgs.get(orgId)?.trees.get(vrf);
  }

  /** Every VRF tree of an organization. */
  treesOf(orgId: string): SubnetTree<string>[] {
    const org = this.orgs.get(orgId);
    return org ? [...org.trees.values()] : [];
  }

  /** The tree and subnets the nested record counts of `state` live in (nested-records.ts). */
  nestedScope(state: SubnetState): NestedScope {
    const org = this.orgs.get(state.orgId)!;
    return { tree: org.trees.get(state.vrf)!, subnets: org.subnets };
  }

  /** Number of subnets in memory (tests, diagnostics). */
  get size(): number {
    let n = 0;
    for (const org of this.orgs.values()) n += org.subnets.size;
    return n;
  }

  /**
   * Adds a subnet to its tree and gives it an allocator, moving into it what the tree says
   * it adopts (child ranges) and the parent's `moved` record values. Journaled.
   */
  addSubnet(
    journal: Journal,
    input: { id: string; orgId: string; vrf: string; prefix: Prefix; moved: bigint[] },
  ): { ok: true; parentId: string | null; adopted: string[] } | { ok: false; existing: SubnetState } {
    const org = this.orgFor(journal, input.orgId);
    let tree = org.trees.get(input.vrf);
    if (!tree) {
      const created = new SubnetTree<string>();
      org.trees.set(input.vrf, created);
      journal.onRollback(() => org.trees.delete(input.vrf));
      tree = created;
    }
    const inserted = tree.insert(input.id, input.prefix);
    if (!inserted.ok) return { ok: false, existing: org.subnets.get(inserted.existing)! };
    const tree_ = tree;
    journal.onRollback(() => tree_.remove(input.id));

    const adoptedPrefixes = inserted.adopted.map((id) => org.subnets.get(id)!.prefix);
    const parent = inserted.parent === null ? undefined : org.subnets.get(inserted.parent)!;
    if (parent) {
      const a = parent.allocator;
      for (const child of adoptedPrefixes) {
        a.releasePrefix(child);
        journal.onRollback(() => a.takePrefix(child));
      }
      for (const value of input.moved) {
        a.release(value);
        journal.onRollback(() => a.restore(value));
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
      seq: 0,
      nested: 0,
    };
    org.subnets.set(input.id, state);
    journal.onRollback(() => org.subnets.delete(input.id));
    // Adopted subtrees now lie below the new subnet; the parent's moved records one level lower.
    for (const id of inserted.adopted) state.nested += subtreeRecords(org.subnets.get(id)!);
    if (parent) addNested(journal, parent, input.moved.length);
    journal.noteCreated(input.id);
    if (this.pending) keepChange(this.pending, { subnetId: input.id, kind: "reload" });
    if (parent) this.noteChange(journal, parent.id, "reload");
    return { ok: true, parentId: inserted.parent, adopted: inserted.adopted };
  }

  /**
   * Removes a subnet: its children move up to its parent, and so do its record values
   * `moved` (pass [] when they are deleted instead). Journaled.
   */
  removeSubnet(journal: Journal, state: SubnetState, moved: bigint[]): void {
    const org = this.orgs.get(state.orgId)!;
    const tree = org.trees.get(state.vrf)!;
    // Its own records leave the subtree below its parent: `moved` into the parent, the rest deleted.
    const own = state.allocator.ownRecords();
    addToAncestors(journal, { tree, subnets: org.subnets }, state, moved.length - own);
    const above = tree.parentIdOf(state.id);
    if (above) addNested(journal, org.subnets.get(above)!, -moved.length);
    const { parent: parentId, children } = tree.remove(state.id);
    journal.onRollback(() => tree.insert(state.id, state.prefix));
    org.subnets.delete(state.id);
    journal.onRollback(() => org.subnets.set(state.id, state));
    this.noteChange(journal, state.id, "reload");
    if (parentId === null) return;
    this.noteChange(journal, parentId, "reload");
    const a = org.subnets.get(parentId)!.allocator;
    a.releasePrefix(state.prefix);
    journal.onRollback(() => a.takePrefix(state.prefix));
    for (const childId of children) {
      const child = org.subnets.get(childId)!.prefix;
      a.takePrefix(child);
      journal.onRollback(() => a.releasePrefix(child));
    }
    for (const value of moved) {
      if (a.restore(value) !== "ok") throw new Error(`address ${value} cannot move into ${formatCidr(a.prefix)}`);
      journal.onRollback(() => a.release(value));
    }
  }

  /** Takes one given address in a subnet's allocator. Journaled when it succeeds. */
  take(journal: Journal, state: SubnetState, value: bigint) {
    const result = state.allocator.take(value);
    if (result === "ok") {
      journal.onRollback(() => state.allocator.release(value));
      this.noteChange(journal, state.id, "take", value);
      addToAncestors(journal, this.nestedScope(state), state, 1);
    }
    return result;
  }

  /** Allocates `n` lowest free addresses all-or-nothing (null when short). Journaled. */
  allocate(journal: Journal, state: SubnetState, n: number): bigint[] | null {
    const a = state.allocator;
    const values = n === 1 ? single(a.allocate()) : a.allocateMany(n);
    if (values) {
      journal.onRollback(() => values.forEach((v) => a.release(v)));
      for (const v of values) this.noteChange(journal, state.id, "take", v);
      addToAncestors(journal, this.nestedScope(state), state, values.length);
    }
    return values;
  }

  /** A constrained allocation (range, excludes, from the end, contiguous), all or nothing (null when nothing fits). Journaled. */
  allocateWhere(journal: Journal, state: SubnetState, request: AllocationRequest): bigint[] | null {
    const a = state.allocator;
    const values = a.allocateWhere(request);
    if (values) {
      journal.onRollback(() => values.forEach((v) => a.release(v)));
      for (const v of values) this.noteChange(journal, state.id, "take", v);
      addToAncestors(journal, this.nestedScope(state), state, values.length);
    }
    return values;
  }

  /**
   * Takes every value of `values` (a reserved range), all or nothing: the first one that is
   * not free comes back and nothing is taken. Journaled.
   */
  takeAll(journal: Journal, state: SubnetState, values: bigint[]): { ok: true } | { ok: false; value: bigint; result: TakeResult } {
    const a = state.allocator;
    for (let i = 0; i < values.length; i++) {
      const result = a.take(values[i]!);
      if (result !== "ok") {
        for (let j = 0; j < i; j++) a.release(values[j]!);
        return { ok: false, value: values[i]!, result };
      }
    }
    journal.onRollback(() => values.forEach((v) => a.release(v)));
    for (const v of values) this.noteChange(journal, state.id, "take", v);
    addToAncestors(journal, this.nestedScope(state), state, values.length);
    return { ok: true };
  }

  /** Frees one address record (and forgets its deadline). Journaled. */
  release(journal: Journal, state: SubnetState, value: bigint): void {
    if (state.allocator.release(value)) {
      journal.onRollback(() => state.allocator.restore(value));
      this.noteChange(journal, state.id, "free", value);
      addToAncestors(journal, this.nestedScope(state), state, -1);
    }
    const org = this.orgs.get(state.orgId);
    if (!org) return;
    const e = expiryOf(org);
    if (e.lapsed.size === 0 && e.index.size === 0) return;
    const key = expiryKey(state.vrf, state.prefix.family, value);
    const before = e.index.get(key);
    if (before !== undefined) {
      e.index.delete(key);
      journal.onRollback(() => e.index.set(key, before));
    }
    if (e.lapsed.delete(key)) journal.onRollback(() => e.lapsed.add(key));
  }

  /**
   * Expiry (expiry.ts): releases every record of `orgId` whose deadline is at or before the
   * clock, so that it is free at once for reads and allocation, before any sweep. Not
   * journaled — time only moves on; a write that later takes such a value deletes the old
   * row (`takeLapsed`). Cheap when nothing is due: one look at the earliest deadline.
   */
  settle(orgId: string): void {
    const org = this.orgs.get(orgId);
    if (!org) return;
    const e = expiryOf(org);
    const now = this.clock();
    const first = e.index.next();
    if (first === null || first.at > now) return;
    for (const { key } of e.index.popDue(now)) {
      const { vrf, family, value } = parseExpiryKey(key);
      const id = org.trees.get(vrf)?.mostSpecific({ family, value });
      const state = id === undefined || id === null ? undefined : org.subnets.get(id);
      if (state && state.allocator.release(value)) addToAncestors(null, this.nestedScope(state), state, -1);
      e.lapsed.add(key);
    }
  }

  /** Sets (epoch ms) or clears (null) the deadline of the record `value` in `state`. Journaled, and noted for replicas. */
  setExpiry(journal: Journal, state: SubnetState, value: bigint, at: number | null): void {
    const e = expiryOf(this.orgs.get(state.orgId)!);
    const key = expiryKey(state.vrf, state.prefix.family, value);
    const before = e.index.get(key);
    if (at === null) e.index.delete(key);
    else e.index.set(key, at);
    journal.onRollback(() => (before === undefined ? e.index.delete(key) : e.index.set(key, before)));
    journal.note(state.id, "take", value, at);
    // The replay log (registry.ts) holds no deadlines: whoever follows this write rebuilds.
    if (this.pending) this.pending.replayable = false;
  }

  /**
   * A write just took `value`: true when an expired record of it still has a row, which the
   * write must delete in its own transaction (activity address.expire). Journaled.
   */
  takeLapsed(journal: Journal, state: SubnetState, value: bigint): boolean {
    const org = this.orgs.get(state.orgId);
    if (!org) return false;
    const e = expiryOf(org);
    if (e.lapsed.size === 0 && e.index.size === 0) return false; // the common case: no key to build
    const key = expiryKey(state.vrf, state.prefix.family, value);
    // A deadline left from a record deleted with its subnet must not free the new record later.
    const stale = e.index.get(key);
    if (stale !== undefined) {
      e.index.delete(key);
      journal.onRollback(() => e.index.set(key, stale));
    }
    if (!e.lapsed.delete(key)) return false;
    journal.onRollback(() => e.lapsed.add(key));
    return true;
  }

  /** The deadline (epoch ms) memory holds for the record `value` of `state`, if any. */
  expiryAt(state: SubnetState, value: bigint): number | undefined {
    const org = this.orgs.get(state.orgId);
    return org ? expiryOf(org).index.get(expiryKey(state.vrf, state.prefix.family, value)) : undefined;
  }

  /** The sweep deleted the row of the expired record `value` of `state`: memory forgets it (released already, or now). Journaled. */
  expired(journal: Journal, state: SubnetState, value: bigint): void {
    const org = this.orgs.get(state.orgId);
    if (!org) return;
    const e = expiryOf(org);
    const key = expiryKey(state.vrf, state.prefix.family, value);
    if (e.lapsed.delete(key)) {
      journal.onRollback(() => e.lapsed.add(key));
      this.noteChange(journal, state.id, "free", value);
      return;
    }
    this.release(journal, state, value);
  }
}

/**
 * Changes one write made, as far as a replay can repeat them: takes and frees of values. A
 * reshaped subnet (created, removed, children moved) or more than MAX_REPLAYED_CHANGES
 * changes make the write `replayable: false`: whoever follows it rebuilds the organization.
 */
export interface PendingChanges {
  changes: SubnetChange[];
  replayable: boolean;
}

/** Beyond this many changes in one write (a bulk import), rebuilding the organization costs about as much as a replay (a 100,000-address organization loads in ~30 ms of CPU), and the log row stays small (~60 bytes a change). */
export const MAX_REPLAYED_CHANGES = 1_000;

function keepChange(pending: PendingChanges, change: SubnetChange): void {
  if (!pending.replayable) return;
  if (change.kind === "reload" || pending.changes.length >= MAX_REPLAYED_CHANGES) {
    pending.replayable = false;
    pending.changes.length = 0;
  } else {
    pending.changes.push(change);
  }
}

function single(value: bigint | null): bigint[] | null {
  return value === null ? null : [value];
}
