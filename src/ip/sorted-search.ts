/** Binary search over a sorted array of BigInt offsets, shared by the interval lists. */

/** Index of the last element ≤ x in `sorted` (ascending), or −1 when every element is > x. */
export function lastIndexAtOrBefore(sorted: readonly bigint[], x: bigint): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
