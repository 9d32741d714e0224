/**
 * A set of BigInt offsets stored as maximal closed intervals: the space covered by a subnet's
 * children (sixty thousand /24 children side by side are one interval, so a search skips them
 * in one step), or a caller's exclude list.
 *
 *     starts: [ 0,  256, 4096 ]      ends: [ 99, 1023, 8191 ]
 *     covers  [0..99] ∪ [256..1023] ∪ [4096..8191]
 *
 * Invariants: starts[k] ≤ ends[k] and ends[k] + 1 < starts[k+1] (sorted, disjoint, never
 * touching: touching intervals are merged); both arrays have the same length.
 * Lookups are binary searches; add and remove move the arrays' tails (as RangeList does).
 */
import type { OrderedSet } from "./ordered-set.ts";
import { lastIndexAtOrBefore } from "./sorted-search.ts";

/** Maximal disjoint intervals of offsets; see the module comment. */
export class IntervalSet implements OrderedSet {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];

  /** The set covering the given closed intervals (any order, overlaps allowed). */
  static of(intervals: Iterable<readonly [bigint, bigint]>): IntervalSet {
    let sorted = Array.isArray(intervals) ? (intervals as (readonly [bigint, bigint])[]) : [...intervals];
    let ordered = true;
    for (let k = 1; k < sorted.length && ordered; k++) ordered = sorted[k - 1]![0] <= sorted[k]![0];
    if (!ordered) sorted = [...sorted].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); // the caller's array stays as it was
    const set = new IntervalSet();
    // One merging pass over the sorted intervals (a request's excludes are built per call:
    // `add` per interval, with its search and splices, cost more than the search they serve).
    const { starts, ends } = set;
    for (const [first, last] of sorted) {
      if (first > last) throw new RangeError(`IntervalSet.add: [${first}, ${last}] is reversed`);
      const k = ends.length - 1;
      if (k >= 0 && first <= ends[k]! + 1n) {
        if (last > ends[k]!) ends[k] = last; // overlaps or touches the last one: extend it
      } else {
        starts.push(first);
        ends.push(last);
      }
    }
    return set;
  }

  /** Number of maximal intervals. */
  get length(): number {
    return this.starts.length;
  }

  /** Index of the last interval whose start ≤ x, or −1. */
  private lastStartAtOrBefore(x: bigint): number {
    return lastIndexAtOrBefore(this.starts, x);
  }

  /** Whether x is covered. */
  has(x: bigint): boolean {
    const k = this.lastStartAtOrBefore(x);
    return k >= 0 && x <= this.ends[k]!;
  }

  /** Covers [first, last], merging with every interval it overlaps or touches. */
  add(first: bigint, last: bigint): void {
    if (first > last) throw new RangeError(`IntervalSet.add: [${first}, ${last}] is reversed`);
    // Intervals k..j-1 overlap or touch [first, last]: k is the first with end ≥ first − 1,
    // j the first with start > last + 1 (appending in order hits the fast path: k = j = length).
    let k = this.lastStartAtOrBefore(first);
    if (k < 0 || this.ends[k]! < first - 1n) k++;
    let j = k;
    while (j < this.starts.length && this.starts[j]! <= last + 1n) j++;
    if (j > k) {
      if (this.starts[k]! < first) first = this.starts[k]!;
      if (this.ends[j - 1]! > last) last = this.ends[j - 1]!;
    }
    this.starts.splice(k, j - k, first);
    this.ends.splice(k, j - k, last);
  }

  /** Uncovers [first, last] (parts not covered are ignored), splitting an interval if needed. */
  remove(first: bigint, last: bigint): void {
    if (first > last) throw new RangeError(`IntervalSet.remove: [${first}, ${last}] is reversed`);
    let k = this.lastStartAtOrBefore(first);
    if (k < 0 || this.ends[k]! < first) k++;
    let j = k;
    while (j < this.starts.length && this.starts[j]! <= last) j++;
    if (j === k) return;
    // Keep what sticks out on either side of [first, last].
    const keptStarts: bigint[] = [];
    const keptEnds: bigint[] = [];
    if (this.starts[k]! < first) {
      keptStarts.push(this.starts[k]!);
      keptEnds.push(first - 1n);
    }
    if (this.ends[j - 1]! > last) {
      keptStarts.push(last + 1n);
      keptEnds.push(this.ends[j - 1]!);
    }
    this.starts.splice(k, j - k, ...keptStarts);
    this.ends.splice(k, j - k, ...keptEnds);
  }

  nextAbsent(x: bigint): bigint {
    const k = this.lastStartAtOrBefore(x);
    return k >= 0 && x <= this.ends[k]! ? this.ends[k]! + 1n : x;
  }

  nextPresent(x: bigint): bigint | null {
    const k = this.lastStartAtOrBefore(x);
    if (k >= 0 && x <= this.ends[k]!) return x;
    return this.starts[k + 1] ?? null;
  }

  prevAbsent(x: bigint): bigint | null {
    const k = this.lastStartAtOrBefore(x);
    if (k < 0 || x > this.ends[k]!) return x;
    return this.starts[k]! > 0n ? this.starts[k]! - 1n : null;
  }

  prevPresent(x: bigint): bigint | null {
    const k = this.lastStartAtOrBefore(x);
    if (k < 0) return null;
    return x <= this.ends[k]! ? x : this.ends[k]!;
  }

  /** The intervals in order (tests and diagnostics). */
  *intervals(): Generator<[bigint, bigint]> {
    for (let k = 0; k < this.starts.length; k++) yield [this.starts[k]!, this.ends[k]!];
  }

  /** Verifies the invariants of the module comment; throws on the first violation (tests). */
  checkInvariants(): void {
    if (this.starts.length !== this.ends.length) throw new Error("starts and ends differ in length");
    for (let k = 0; k < this.starts.length; k++) {
      if (this.starts[k]! > this.ends[k]!) throw new Error(`interval ${k} is reversed`);
      if (k > 0 && this.ends[k - 1]! + 1n >= this.starts[k]!) throw new Error(`intervals ${k - 1} and ${k} touch`);
    }
  }
}
