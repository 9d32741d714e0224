/**
 * Constrained allocation: the lowest (or highest) free addresses of a subnet inside a window,
 * skipping excluded ranges, one by one or as one unbroken block. Pure; `SubnetAllocator`
 * turns a request into offsets and calls `pickFree`.
 *
 * The search never expands addresses. It walks free stretches of the window, where
 * "blocked" is the union of the subnet's records, its child subnets and the excludes:
 *
 *     window:       lo ......................................... hi
 *     blocked:      [###]  [####xxxx]    [#]      [xxxxx]   [##]
 *     stretches:         f1        f2     f3     f4      f5
 *
 * Each step jumps from a free stretch to the next one (one `nextAbsent` + one `nextPresent`
 * on the union, each skipping a whole run), so the cost grows with the stretches and runs
 * walked past — never with the size of the subnet: a 99 % fragmented /8 and an IPv6 /64 alike.
 * `from: "end"` walks the same stretches downwards.
 */
import { formatIp, ipError, type Family, type IpError } from "./address.ts";
import type { OrderedSet } from "./ordered-set.ts";

/** A closed range of address values, start ≤ end (a single address is start = end). */
export interface ValueRange {
  start: bigint;
  end: bigint;
}

/**
 * Where and how many addresses to allocate. Every field is optional: `{}` asks for the single
 * lowest free usable address, as `SubnetAllocator.allocate` does.
 * - `count` (default 1): how many, all or nothing;
 * - `range`: only addresses inside it (the part outside the subnet's usable range is ignored);
 * - `exclude`: never these addresses or ranges (may overlap each other, or lie outside);
 * - `from: "end"`: the highest free addresses instead of the lowest;
 * - `contiguous`: the `count` addresses form one unbroken block — the lowest such block
 *   (the highest with `from: "end"`).
 */
export interface AllocationRequest {
  count?: number;
  range?: ValueRange;
  exclude?: readonly ValueRange[];
  from?: "start" | "end";
  contiguous?: boolean;
}

/**
 * The first problem of a request, as an error value (`range_invalid` for a reversed range or
 * exclude), or null. Routes call this before allocating; the allocator throws a RangeError on
 * what this refuses. `count` bounds are the route's business (a number schema).
 */
export function allocationRequestError(family: Family, request: AllocationRequest): IpError | null {
  const ranges = [...(request.range === undefined ? [] : [request.range]), ...(request.exclude ?? [])];
  for (const r of ranges) {
    if (r.start > r.end) {
      const shown = (v: bigint) => formatIp({ family, value: v });
      return ipError("range_invalid", `the range start ${shown(r.start)} is after its end ${shown(r.end)}`);
    }
  }
  return null;
}

/**
 * A set that finds its own gaps of n absent offsets in a window (the records' RunSet walks
 * its runs one after the other, with no search per step).
 */
export interface GapWalker {
  /** Start of the lowest run of n absent offsets in [lo, hi], or null. */
  firstGap(lo: bigint, hi: bigint, n: bigint): bigint | null;
  /** Start of the highest run of n absent offsets in [lo, hi], or null. */
  lastGap(lo: bigint, hi: bigint, n: bigint): bigint | null;
}

/**
 * `blocked` as `records ∪ others` (child subnets, excludes): in a fragmented subnet almost
 * every stretch between two records is too short for a block, or under an exclude, and
 * walking the records' runs directly skips them without a search each (a /8 at 99 %: ~100
 * stretches before the first free pair).
 */
export interface SplitBlocked {
  records: GapWalker;
  others: OrderedSet;
}

/**
 * The `count` free offsets of [lo, hi] (not in `blocked`) that the request picks, in ascending
 * order, or null when there are not enough. Empty window (lo > hi): null. `count` ≥ 1.
 * `split`, when given, is the same set as `blocked`, in two parts (see SplitBlocked), for `contiguous`.
 */
export function pickFree(
  blocked: OrderedSet,
  lo: bigint,
  hi: bigint,
  count: number,
  options: { contiguous?: boolean; fromEnd?: boolean; split?: SplitBlocked } = {},
): bigint[] | null {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count ${count} must be a positive integer`);
  if (lo < 0n || lo > hi) return null;
  const { split } = options;
  if (options.contiguous === true) {
    const n = BigInt(count);
    const start =
      split !== undefined
        ? options.fromEnd === true
          ? highestSplitBlock(split, lo, hi, n)
          : lowestSplitBlock(split, lo, hi, n)
        : options.fromEnd === true
          ? highestBlock(blocked, lo, hi, n)
          : lowestBlock(blocked, lo, hi, n);
    if (start === null) return null;
    return Array.from({ length: count }, (_, k) => start + BigInt(k));
  }
  return options.fromEnd === true ? highestFree(blocked, lo, hi, count) : lowestFree(blocked, lo, hi, count);
}

/** The `count` lowest free offsets of [lo, hi], ascending, or null. */
function lowestFree(blocked: OrderedSet, lo: bigint, hi: bigint, count: number): bigint[] | null {
  const out: bigint[] = [];
  let x = lo;
  while (out.length < count) {
    const start = blocked.nextAbsent(x); // a free stretch [start, end] ...
    if (start > hi) return null;
    if (out.length === count - 1) {
      // The last one wanted: the stretch's end does not matter (a single allocation, the
      // common case, saves the search for it).
      out.push(start);
      break;
    }
    const next = blocked.nextPresent(start); // ... ends before the next blocked offset
    const end = next === null || next > hi ? hi : next - 1n;
    for (let v = start; v <= end && out.length < count; v++) out.push(v);
    x = end + 1n;
  }
  return out;
}

/** The `count` highest free offsets of [lo, hi], ascending, or null. */
function highestFree(blocked: OrderedSet, lo: bigint, hi: bigint, count: number): bigint[] | null {
  const out: bigint[] = [];
  let x = hi;
  while (out.length < count) {
    const end = blocked.prevAbsent(x); // a free stretch [start, end] seen from its top
    if (end === null || end < lo) return null;
    if (out.length === count - 1) {
      out.push(end); // the last one wanted: no search for the stretch's start
      break;
    }
    const previous = blocked.prevPresent(end);
    const start = previous === null || previous < lo ? lo : previous + 1n;
    for (let v = end; v >= start && out.length < count; v--) out.push(v);
    if (start === 0n) break; // nothing below offset 0 (the loop test then fails as it should)
    x = start - 1n;
  }
  return out.length < count ? null : out.reverse();
}

/** Start of the lowest run of n free offsets inside [lo, hi], or null. */
function lowestBlock(blocked: OrderedSet, lo: bigint, hi: bigint, n: bigint): bigint | null {
  let x = lo;
  for (;;) {
    const start = blocked.nextAbsent(x);
    if (start + n - 1n > hi) return null;
    const next = blocked.nextPresent(start);
    if (next === null || next - start >= n) return start; // [start, start + n − 1] is free
    x = next; // too short: jump to the next stretch
  }
}

/** Start of the highest run of n free offsets inside [lo, hi], or null. */
function highestBlock(blocked: OrderedSet, lo: bigint, hi: bigint, n: bigint): bigint | null {
  let x = hi;
  for (;;) {
    const end = blocked.prevAbsent(x);
    if (end === null || end - n + 1n < lo) return null;
    const previous = blocked.prevPresent(end);
    if (previous === null || end - previous >= n) return end - n + 1n; // [end − n + 1, end] is free
    x = previous;
  }
}

/**
 * lowestBlock over records ∪ others: the records' lowest gap of n from x, then the others
 * checked on it; each turn either answers or moves x past a run of the others (few: child
 * subnets and excludes), so the turns are bounded by those runs, and the records' runs are
 * walked inside firstGap.
 */
function lowestSplitBlock({ records, others }: SplitBlocked, lo: bigint, hi: bigint, n: bigint): bigint | null {
  let x = lo;
  for (;;) {
    const s = records.firstGap(x, hi, n);
    if (s === null) return null;
    const a = others.nextAbsent(s);
    if (a !== s) {
      x = a; // s is under a child or an exclude: go on past it
      continue;
    }
    const p = others.nextPresent(s);
    if (p === null || p - s >= n) return s;
    x = p;
  }
}

/** highestBlock over records ∪ others; lowestSplitBlock downwards. */
function highestSplitBlock({ records, others }: SplitBlocked, lo: bigint, hi: bigint, n: bigint): bigint | null {
  let x = hi;
  for (;;) {
    const s = records.lastGap(lo, x, n);
    if (s === null) return null;
    const e = s + n - 1n;
    const a = others.prevAbsent(e);
    if (a === null) return null;
    if (a !== e) {
      x = a;
      continue;
    }
    const p = others.prevPresent(e);
    if (p === null || e - p >= n) return s;
    if (p === 0n) return null;
    x = p - 1n;
  }
}

