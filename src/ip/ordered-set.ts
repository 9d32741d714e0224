/**
 * The four questions every search of the IP core asks of a set of non-negative BigInt
 * offsets, and the union of several such sets answered without materializing it.
 *
 * The constrained allocator asks them of "records ∪ child subnets ∪ excluded ranges", the
 * free-subnet search of "records ∪ child subnets". Each set answers in O(log n) and a union
 * skips one maximal run of one member set per turn, so a search costs the number of runs
 * it walks past, never the number of addresses in between.
 *
 *     records:    [##]   [#]        [###]
 *     children:      [=====]   [==]
 *     union:      [##=====#]   [==] [###]       nextAbsent(2) = 9: three turns
 *                 0  3     9
 */

/** A set of offsets ≥ 0 that can be walked in both directions by runs. */
export interface OrderedSet {
  /** Smallest non-member ≥ x (x ≥ 0). */
  nextAbsent(x: bigint): bigint;
  /** Smallest member ≥ x, or null. */
  nextPresent(x: bigint): bigint | null;
  /** Largest non-member ≤ x (x ≥ 0), or null when all of [0, x] are members. */
  prevAbsent(x: bigint): bigint | null;
  /** Largest member ≤ x, or null. */
  prevPresent(x: bigint): bigint | null;
}

/**
 * The union of `sets`, computed on demand. Absent = absent from every set; each turn of the
 * loops below moves x past a whole run of one set, and x only moves one way, so they end.
 */
export class UnionSet implements OrderedSet {
  constructor(private readonly sets: readonly OrderedSet[]) {}

  nextAbsent(x: bigint): bigint {
    for (let settled = 0, k = 0; settled < this.sets.length; k = (k + 1) % this.sets.length) {
      const y = this.sets[k]!.nextAbsent(x);
      if (y === x) settled++;
      else {
        x = y;
        settled = 1;
      }
    }
    return x;
  }

  nextPresent(x: bigint): bigint | null {
    let best: bigint | null = null;
    for (const set of this.sets) {
      const y = set.nextPresent(x);
      if (y !== null && (best === null || y < best)) best = y;
    }
    return best;
  }

  prevAbsent(x: bigint): bigint | null {
    for (let settled = 0, k = 0; settled < this.sets.length; k = (k + 1) % this.sets.length) {
      const y = this.sets[k]!.prevAbsent(x);
      if (y === null) return null;
      if (y === x) settled++;
      else {
        x = y;
        settled = 1;
      }
    }
    return x;
  }

  prevPresent(x: bigint): bigint | null {
    let best: bigint | null = null;
    for (const set of this.sets) {
      const y = set.prevPresent(x);
      if (y !== null && (best === null || y > best)) best = y;
    }
    return best;
  }
}
