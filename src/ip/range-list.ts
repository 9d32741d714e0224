/**
 * A small sorted list of disjoint closed BigInt ranges: the child subnets a subnet's allocator
 * treats as used. Children of one subnet never overlap (the subnet tree nests them), so the
 * list refuses overlaps instead of reference-counting them.
 *
 * Invariants: starts[k] ≤ ends[k] < starts[k+1]; both arrays have the same length.
 * Lookups are binary searches; adding or removing a range moves the arrays' tails (a subnet
 * has at most tens of thousands of direct children, and these calls are rare).
 */
import { lastIndexAtOrBefore } from "./sorted-search";
export class RangeList {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];

  /** Number of ranges. */
  get length(): number {
    return this.starts.length;
  }

  /** Index of the last range whose start ≤ x, or −1. */
  private lastStartAtOrBefore(x: bigint): number {
    return lastIndexAtOrBefore(this.starts, x);
  }

  /** End of the range containing x, or null when no range contains it. */
  endOfRangeCovering(x: bigint): bigint | null {
    if (this.starts.length === 0) return null;
    const k = this.lastStartAtOrBefore(x);
    if (k < 0) return null;
    const end = this.ends[k]!;
    return x <= end ? end : null;
  }

  /** The range containing x, or null. */
  rangeCovering(x: bigint): { first: bigint; last: bigint } | null {
    const k = this.lastStartAtOrBefore(x);
    if (k < 0 || x > this.ends[k]!) return null;
    return { first: this.starts[k]!, last: this.ends[k]! };
  }

  /** Smallest range start > x, or null. */
  nextStartAfter(x: bigint): bigint | null {
    return this.starts[this.lastStartAtOrBefore(x) + 1] ?? null;
  }

  /** Adds [first, last]; throws a RangeError when it overlaps a range already present. */
  add(first: bigint, last: bigint): void {
    const k = this.lastStartAtOrBefore(last);
    // The only candidates for overlap: the range at k (starts ≤ last) must end before first.
    if (k >= 0 && this.ends[k]! >= first) {
      throw new RangeError(`range overlaps an existing range starting at offset ${this.starts[k]}`);
    }
    this.starts.splice(k + 1, 0, first);
    this.ends.splice(k + 1, 0, last);
  }

  /** Removes exactly [first, last]; false when no such range is present. */
  remove(first: bigint, last: bigint): boolean {
    const k = this.lastStartAtOrBefore(first);
    if (k < 0 || this.starts[k] !== first || this.ends[k] !== last) return false;
    this.starts.splice(k, 1);
    this.ends.splice(k, 1);
    return true;
  }
}
