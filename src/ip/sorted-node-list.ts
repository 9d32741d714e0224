/**
 * The direct children of one subnet (or the roots of one family), sorted by network.
 * Siblings are disjoint blocks, so sorting by network alone is a total order, and the
 * siblings inside any block form one contiguous slice — which is what adoption extracts.
 *
 * Paged like run-set.ts so that a parent with 100,000 children does not pay a 100,000-element
 * memmove per insert:
 *
 *     mins:  [ 10.0.0.0 , 10.3.0.0 , ... ]        (network of each page's first node)
 *     pages: [ [10.0.0.0/24, 10.0.1.0/24, ...], [10.3.0.0/24, ...], ... ]
 *
 * Invariants: nodes sorted by network across pages; each page holds 1..MAX_PAGE nodes;
 * mins[p] === pages[p][0].prefix.network.
 */

const MAX_PAGE = 128;

/** What the list needs to know of a node. */
export interface HasNetwork {
  prefix: { network: bigint };
}

/** A paged list of nodes sorted by network; see the module comment. */
export class SortedNodeList<T extends HasNetwork> {
  private readonly pages: T[][] = [];
  private readonly mins: bigint[] = [];
  private count = 0;

  /** Number of nodes. */
  get length(): number {
    return this.count;
  }

  /** Index of the last page whose first network ≤ key (0 when key precedes all), −1 if empty. */
  private pageFor(key: bigint): number {
    if (this.pages.length === 0) return -1;
    let lo = 0;
    let hi = this.mins.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.mins[mid]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the first node in `page` whose network ≥ key. */
  private static lowerBound<T extends HasNetwork>(page: T[], key: bigint): number {
    let lo = 0;
    let hi = page.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (page[mid]!.prefix.network < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts a node whose network is not yet in the list. */
  insert(node: T): void {
    const key = node.prefix.network;
    const p = this.pageFor(key);
    this.count++;
    if (p < 0) {
      this.pages.push([node]);
      this.mins.push(key);
      return;
    }
    const page = this.pages[p]!;
    page.splice(SortedNodeList.lowerBound(page, key), 0, node);
    this.mins[p] = page[0]!.prefix.network;
    if (page.length > MAX_PAGE) {
      const upper = page.splice(page.length >>> 1);
      this.pages.splice(p + 1, 0, upper);
      this.mins.splice(p + 1, 0, upper[0]!.prefix.network);
    }
  }

  /** Removes `node` (found by its network); false when it is not in the list. */
  remove(node: T): boolean {
    const p = this.pageFor(node.prefix.network);
    if (p < 0) return false;
    const page = this.pages[p]!;
    const i = SortedNodeList.lowerBound(page, node.prefix.network);
    if (page[i] !== node) return false;
    page.splice(i, 1);
    this.count--;
    this.dropOrRefresh(p);
    return true;
  }

  /** Removes and returns, in order, the nodes whose network lies in [lo, hi]. */
  extractRange(lo: bigint, hi: bigint): T[] {
    const out: T[] = [];
    let p = this.pageFor(lo);
    if (p < 0) return out;
    let start = SortedNodeList.lowerBound(this.pages[p]!, lo);
    while (p < this.pages.length) {
      const page = this.pages[p]!;
      let end = start;
      while (end < page.length && page[end]!.prefix.network <= hi) end++;
      const pageExhausted = end === page.length;
      if (end > start) for (const node of page.splice(start, end - start)) out.push(node);
      if (!this.dropOrRefresh(p)) p++;
      if (!pageExhausted) break;
      start = 0;
    }
    this.count -= out.length;
    return out;
  }

  /** Drops page p if empty (returns true) or refreshes its min (returns false). */
  private dropOrRefresh(p: number): boolean {
    const page = this.pages[p]!;
    if (page.length === 0) {
      this.pages.splice(p, 1);
      this.mins.splice(p, 1);
      return true;
    }
    this.mins[p] = page[0]!.prefix.network;
    return false;
  }

  /** The nodes in order. */
  toArray(): T[] {
    const out: T[] = [];
    for (const page of this.pages) for (const node of page) out.push(node);
    return out;
  }
}
