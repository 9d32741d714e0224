/**
 * Oracles for constrained allocation and free-subnet search, written from the rules without
 * the run-walking of the real code: they test every candidate and keep the best.
 *
 * Small spaces: every address (or every aligned block) of the subnet is a candidate.
 * Wide spaces (an IPv6 /64): the candidates are the few values where an answer can begin —
 * the subnet's and window's edges, and the neighbours of every record, child and exclude —
 * extended by up to `n` steps on each side (the k-th answer of a run of consecutive answers
 * lies at most k steps from such a point). Each candidate is then checked by brute force.
 */
import type { AllocationRequest } from "../../src/ip/index.ts";
import type { NaiveAllocator } from "./naive-allocator.ts";

/** Spaces up to this many addresses are enumerated in full. */
const SMALL = 4096n;

function sortUnique(values: Iterable<bigint>): bigint[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Points next to which an answer may begin (wide spaces), clipped to the subnet. */
function anchorPoints(n: NaiveAllocator, extra: { start: bigint; end: bigint }[]): bigint[] {
  const points = [n.network, n.broadcast, n.first, n.last];
  for (const v of n.records) points.push(v - 1n, v, v + 1n);
  for (const r of n.ranges) points.push(r.first - 1n, r.first, r.last, r.last + 1n);
  for (const r of extra) points.push(r.start - 1n, r.start, r.end, r.end + 1n);
  return points.filter((v) => v >= n.network && v <= n.broadcast);
}

/** What the request picks, ascending; null when not enough are free. */
export function naiveFindFree(n: NaiveAllocator, request: AllocationRequest): bigint[] | null {
  const count = request.count ?? 1;
  const range = request.range;
  const exclude = request.exclude ?? [];
  const free = (v: bigint) =>
    n.usable(v) && !n.used(v) && (range === undefined || (v >= range.start && v <= range.end)) &&
    !exclude.some((r) => v >= r.start && v <= r.end);
  let candidates: bigint[];
  if (n.size <= SMALL) {
    candidates = [];
    for (let v = n.network; v <= n.broadcast; v++) candidates.push(v);
  } else {
    const spread: bigint[] = [];
    for (const p of anchorPoints(n, [...(range === undefined ? [] : [range]), ...exclude])) {
      for (let k = -count; k <= count; k++) spread.push(p + BigInt(k));
    }
    candidates = sortUnique(spread);
  }
  const fromEnd = request.from === "end";
  const ordered = fromEnd ? [...candidates].reverse() : candidates;
  if (request.contiguous === true) {
    for (const c of ordered) {
      const start = fromEnd ? c - BigInt(count) + 1n : c;
      const block = Array.from({ length: count }, (_, k) => start + BigInt(k));
      if (block.every(free)) return block;
    }
    return null;
  }
  const picked = ordered.filter(free).slice(0, count);
  if (picked.length < count) return null;
  return fromEnd ? picked.reverse() : picked;
}

/** Whether the aligned block [a, a + size − 1] holds no record and meets no child range. */
function blockFree(n: NaiveAllocator, a: bigint, size: bigint): boolean {
  const b = a + size - 1n;
  for (const v of n.records) if (v >= a && v <= b) return false;
  return !n.ranges.some((r) => r.first <= b && a <= r.last);
}

/**
 * Free aligned blocks of `length` in the subnet, in walk order (ascending, or descending with
 * from end), at most `limit`; `after` as in FreeBlockOptions (absolute value).
 */
export function naiveFreeBlocks(
  n: NaiveAllocator,
  bits: number,
  length: number,
  options: { limit: number; from?: "start" | "end"; after?: bigint },
): bigint[] {
  const size = 1n << BigInt(bits - length);
  let starts: bigint[];
  if (n.size <= SMALL) {
    starts = [];
    for (let a = n.network; a <= n.broadcast; a += size) starts.push(a);
  } else {
    const spread: bigint[] = [];
    const anchors = anchorPoints(n, []);
    if (options.after !== undefined) anchors.push(options.after);
    for (const p of anchors) {
      const block = n.network + ((p - n.network) / size) * size;
      for (let k = -1 - options.limit; k <= options.limit + 1; k++) spread.push(block + BigInt(k) * size);
    }
    starts = sortUnique(spread.filter((a) => a >= n.network && a + size - 1n <= n.broadcast));
  }
  const fromEnd = options.from === "end";
  const after = options.after;
  const wanted = starts.filter(
    (a) => after === undefined || (fromEnd ? a + size - 1n < after : a > after),
  );
  const ordered = fromEnd ? wanted.reverse() : wanted;
  const out: bigint[] = [];
  for (const a of ordered) {
    if (out.length >= options.limit) break;
    if (blockFree(n, a, size)) out.push(a);
  }
  return out;
}
