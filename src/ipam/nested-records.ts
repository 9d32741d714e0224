/**
 * Utilization that counts what lies below a subnet (API.md §6): `used` = usable addresses of
 * the subnet holding an address record in it or in any descendant. Each SubnetState keeps
 * `nested`, the number of records held by its strict descendants, moved in step with every
 * record change by the registry (one walk up the tree, O(depth) ≤ 129), so that a subnet's
 * utilization costs O(depth) whatever its size or number of children:
 *
 *     10.0.0.0/24            own 0   nested 10 ──▶ used 10 / 254, in_children 252
 *      ├─ 10.0.0.0/26        own 4   nested 0
 *      ├─ 10.0.0.64/26       own 6   nested 0
 *      └─ …
 *
 * Invariant: state.nested = Σ over direct children c of (c's own records + c.nested).
 * Where records move between a subnet and its descendants (a child created over a parent's
 * records, a subnet deleted with its records moving up) only the two ends change; records
 * created or deleted change every ancestor.
 */
import { isUsable, type Prefix, type SubnetTree } from "../ip";
import { utilizationOf, type Utilization } from "./codec";
import type { Journal } from "./journal";
import type { SubnetState } from "./org-loader";

/** What the walk needs: the subnets of one organization and the VRF tree of `state`. */
export interface NestedScope {
  tree: SubnetTree<string>;
  subnets: ReadonlyMap<string, SubnetState> | { get(id: string): SubnetState | undefined };
}

/** Adds `delta` records to the `nested` count of every ancestor of `state`. Journaled. */
export function addToAncestors(journal: Journal | null, scope: NestedScope, state: SubnetState, delta: number): void {
  if (delta === 0) return;
  // A state the organization no longer holds (PostgreSQL: a catch-up or batch that began before
  // the organization was reloaded) must not move the new states' counts: they were loaded from
  // the database, and the change log brings them the rest. Moving them too counted twice.
  if (scope.subnets.get(state.id) !== state) return;
  const touched: SubnetState[] = [];
  for (let id = scope.tree.parentIdOf(state.id); id !== null && id !== undefined; id = scope.tree.parentIdOf(id)) {
    const ancestor = scope.subnets.get(id)!;
    ancestor.nested += delta;
    touched.push(ancestor);
  }
  journal?.onRollback(() => {
    for (const a of touched) a.nested -= delta;
  });
}

/** Adds `delta` to one subnet's own `nested` count. Journaled. */
export function addNested(journal: Journal | null, state: SubnetState, delta: number): void {
  if (delta === 0) return;
  state.nested += delta;
  journal?.onRollback(() => (state.nested -= delta));
}

/** Records in a subnet's whole subtree (its own plus its descendants'). */
export function subtreeRecords(state: SubnetState): number {
  return state.allocator.ownRecords() + state.nested;
}

/**
 * The API utilization of a subnet. A descendant /31, /32 (/127, /128) at the very edge of
 * the subnet can hold a record on the subnet's own network or broadcast address, which is not
 * usable here: those (at most two) are looked up and left out, so used ≤ usable always.
 */
export function utilizationIn(scope: NestedScope, state: SubnetState): Utilization {
  const a = state.allocator;
  const counts = a.counts();
  let used = BigInt(subtreeRecords(state));
  if (state.nested > 0) used -= BigInt(edgeRecords(scope, state.prefix, counts.size));
  return utilizationOf({ ...counts, used, inChildren: a.coveredByChildren() });
}

/** Records held by descendants on the unusable first/last address of `prefix`. */
function edgeRecords(scope: NestedScope, prefix: Prefix, size: bigint): number {
  let n = 0;
  for (const value of size > 1n ? [prefix.network, prefix.network + size - 1n] : [prefix.network]) {
    if (isUsable(prefix, value)) continue;
    const id = scope.tree.mostSpecific({ family: prefix.family, value });
    const holder = id === null ? undefined : scope.subnets.get(id);
    if (holder && holder.prefix.length > prefix.length && holder.allocator.isTaken(value)) n++;
  }
  return n;
}
