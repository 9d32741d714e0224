/**
 * The nesting of subnets inside one (organization, VRF): automatic parents, adoption of
 * existing subnets by a new container, children moving up on removal, and the most specific
 * subnet of an address. Both families live in one tree (they never nest across families).
 *
 * Structure, per family:
 * - `byLength[L]`: Map network → node for the subnets of length L; `lengths`: the lengths
 *   present, sorted. The smallest container of a block is found by probing, from the longest
 *   present length below the block's own, the network masked to that length: cost
 *   O(number of distinct lengths) ≤ 129 map lookups, independent of the number of subnets.
 * - every node keeps its direct children in a `SortedNodeList` (sorted by network); the roots
 *   form one more list. Because siblings are disjoint, the siblings inside a new block are one
 *   contiguous slice of its parent's list, so adoption costs O(log n + adopted).
 *
 * Invariants: node.parent is the smallest other subnet of the tree containing node.prefix
 * (null for a root); node is in exactly one list (its parent's children, or the roots);
 * siblings are pairwise disjoint; no two nodes share (family, network, length).
 */
import { familyBits, type Family, type Ip } from "./address.ts";
import { lastAddress, netmask, type Prefix } from "./prefix.ts";
import { SortedNodeList } from "./sorted-node-list.ts";

interface TreeNode<Id> {
  id: Id;
  prefix: Prefix;
  parent: TreeNode<Id> | null;
  /** Created on first child: most subnets are leaves. */
  children: SortedNodeList<TreeNode<Id>> | null;
}

class FamilyIndex<Id> {
  readonly byLength: Map<bigint, TreeNode<Id>>[];
  /** Lengths with at least one subnet, ascending. */
  readonly lengths: number[] = [];
  readonly masks: bigint[];
  readonly roots = new SortedNodeList<TreeNode<Id>>();

  constructor(family: Family) {
    const bits = familyBits(family);
    this.byLength = Array.from({ length: bits + 1 }, () => new Map());
    this.masks = Array.from({ length: bits + 1 }, (_, length) => netmask({ family, network: 0n, length }));
  }

  /** Smallest node containing [value's block of length maxLength]: probes lengths ≤ maxLength, longest first. */
  smallestContaining(value: bigint, maxLength: number): TreeNode<Id> | null {
    for (let k = this.lengths.length - 1; k >= 0; k--) {
      const length = this.lengths[k]!;
      if (length > maxLength) continue;
      const node = this.byLength[length]!.get(value & this.masks[length]!);
      if (node !== undefined) return node;
    }
    return null;
  }

  register(node: TreeNode<Id>): void {
    const map = this.byLength[node.prefix.length]!;
    map.set(node.prefix.network, node);
    if (map.size === 1) {
      const at = this.lengths.findIndex((l) => l > node.prefix.length);
      this.lengths.splice(at === -1 ? this.lengths.length : at, 0, node.prefix.length);
    }
  }

  unregister(node: TreeNode<Id>): void {
    const map = this.byLength[node.prefix.length]!;
    map.delete(node.prefix.network);
    if (map.size === 0) this.lengths.splice(this.lengths.indexOf(node.prefix.length), 1);
  }
}

/** Result of `SubnetTree.insert`. */
export type InsertResult<Id> =
  | { ok: true; parent: Id | null; adopted: Id[] }
  | { ok: false; code: "duplicate"; existing: Id };

/** The subnets of one (organization, VRF); see the module comment. */
export class SubnetTree<Id = string> {
  private readonly v4 = new FamilyIndex<Id>(4);
  private readonly v6 = new FamilyIndex<Id>(6);
  private readonly nodes = new Map<Id, TreeNode<Id>>();

  private index(f: Family): FamilyIndex<Id> {
    return f === 4 ? this.v4 : this.v6;
  }

  /** Number of subnets. */
  get size(): number {
    return this.nodes.size;
  }

  /** The prefix of subnet `id`, or undefined. */
  get(id: Id): Prefix | undefined {
    return this.nodes.get(id)?.prefix;
  }

  /** The parent of subnet `id` (null for a root), or undefined for an unknown id. */
  parentIdOf(id: Id): Id | null | undefined {
    const node = this.nodes.get(id);
    return node === undefined ? undefined : (node.parent?.id ?? null);
  }

  /**
   * Adds subnet `id`. Its parent is the smallest subnet containing it; the subnets inside it
   * that had that parent become its children (`adopted`, in address order). The same
   * (family, network, length) twice is `duplicate`. Throws if `id` is already in the tree.
   */
  insert(id: Id, p: Prefix): InsertResult<Id> {
    if (this.nodes.has(id)) throw new Error(`subnet id ${String(id)} is already in the tree`);
    const fam = this.index(p.family);
    const existing = fam.byLength[p.length]!.get(p.network);
    if (existing !== undefined) return { ok: false, code: "duplicate", existing: existing.id };

    const parent = p.length === 0 ? null : fam.smallestContaining(p.network, p.length - 1);
    const siblings = parent === null ? fam.roots : this.childList(parent);
    const adopted = siblings.extractRange(p.network, lastAddress(p));
    const node: TreeNode<Id> = { id, prefix: p, parent, children: null };
    if (adopted.length > 0) {
      const children = this.childList(node);
      for (const child of adopted) {
        child.parent = node;
        children.insert(child);
      }
    }
    siblings.insert(node);
    fam.register(node);
    this.nodes.set(id, node);
    return { ok: true, parent: parent?.id ?? null, adopted: adopted.map((n) => n.id) };
  }

  /**
   * Removes subnet `id`; its children move up to its parent (or become roots). Returns that
   * parent and the moved children. Throws for an unknown id (check with `get` first).
   */
  remove(id: Id): { parent: Id | null; children: Id[] } {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`subnet id ${String(id)} is not in the tree`);
    const fam = this.index(node.prefix.family);
    const siblings = node.parent === null ? fam.roots : node.parent.children!;
    siblings.remove(node);
    const moved = node.children?.toArray() ?? [];
    for (const child of moved) {
      child.parent = node.parent;
      siblings.insert(child);
    }
    fam.unregister(node);
    this.nodes.delete(id);
    return { parent: node.parent?.id ?? null, children: moved.map((n) => n.id) };
  }

  /** The smallest subnet strictly containing `p` (p itself need not be in the tree). */
  parentOf(p: Prefix): Id | null {
    if (p.length === 0) return null;
    return this.index(p.family).smallestContaining(p.network, p.length - 1)?.id ?? null;
  }

  /** The smallest subnet containing `ip`, or null. */
  mostSpecific(ip: Ip): Id | null {
    return this.index(ip.family).smallestContaining(ip.value, familyBits(ip.family))?.id ?? null;
  }

  /** Direct children of `id` in address order; `null` lists the roots (IPv4 first). Unknown id: []. */
  childrenOf(id: Id | null): Id[] {
    if (id === null) return [...this.v4.roots.toArray(), ...this.v6.roots.toArray()].map((n) => n.id);
    return this.nodes.get(id)?.children?.toArray().map((n) => n.id) ?? [];
  }

  private childList(node: TreeNode<Id>): SortedNodeList<TreeNode<Id>> {
    if (node.children === null) node.children = new SortedNodeList();
    return node.children;
  }
}
