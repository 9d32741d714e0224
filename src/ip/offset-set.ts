/**
 * Sets of address offsets (value − subnet network) with a BigInt interface, backed by
 * `RunSet`s of plain numbers so the arithmetic stays on doubles.
 *
 * - `NarrowOffsetSet`: the subnet spans ≤ 2^52 addresses (all of IPv4, IPv6 /76 and longer):
 *   one RunSet, offsets converted with `Number()` at the edge.
 * - `WideOffsetSet`: larger subnets (an IPv6 /64 spans 2^64). An offset is split into
 *   a bucket number (offset >> 52, a BigInt map key) and a 52-bit number inside the bucket:
 *
 *       offset = bucket · 2^52 + low        buckets: Map<bucket, RunSet of low>
 *                                           bucketKeys: the present buckets, sorted
 *
 *   Invariants: a bucket is in the map iff it has members; `bucketKeys` lists exactly the
 *   map's keys in increasing order. Memory still grows only with the members.
 */
import type { OrderedSet } from "./ordered-set.ts";
import { RunSet } from "./run-set.ts";

/** Offsets below 2^52 fit a double exactly, with room for `end + 1`. */
const BUCKET_BITS = 52n;
const BUCKET_SPAN = 2 ** 52;
const LOW_MASK = (1n << BUCKET_BITS) - 1n;

/** A set of non-negative BigInt offsets; see the module comment for the two layouts. */
export interface OffsetSet extends OrderedSet {
  /** Number of members (always a safe integer: members are added one at a time). */
  readonly size: number;
  has(x: bigint): boolean;
  /** false if already present */
  add(x: bigint): boolean;
  /** false if absent */
  delete(x: bigint): boolean;
  /** Smallest non-member ≥ x. */
  nextAbsent(x: bigint): bigint;
  /** Smallest member ≥ x, or null. */
  nextPresent(x: bigint): bigint | null;
  /** Largest non-member ≤ x (x ≥ 0), or null when all of [0, x] are members. */
  prevAbsent(x: bigint): bigint | null;
  /** Largest member ≤ x, or null. */
  prevPresent(x: bigint): bigint | null;
  /** Members in [a, b]. */
  countInRange(a: bigint, b: bigint): number;
  /** Adds x, which must exceed every member (bulk load). */
  appendMax(x: bigint): void;
  /** Maximal runs in order (tests and diagnostics). */
  runs(): Iterable<[bigint, bigint]>;
  /** Bytes of run storage (see RunSet.storageBytes), for metrics and benchmarks. */
  storageBytes(): number;
}

/** The right set for a subnet spanning `span` addresses. */
export function offsetSetFor(span: bigint): OffsetSet {
  return span <= 1n << BUCKET_BITS ? new NarrowOffsetSet() : new WideOffsetSet();
}

/** All offsets < 2^52: a single RunSet. */
export class NarrowOffsetSet implements OffsetSet {
  private readonly set = new RunSet();
  get size(): number {
    return this.set.size;
  }
  has(x: bigint): boolean {
    return this.set.has(Number(x));
  }
  add(x: bigint): boolean {
    return this.set.add(Number(x));
  }
  delete(x: bigint): boolean {
    return this.set.delete(Number(x));
  }
  nextAbsent(x: bigint): bigint {
    return BigInt(this.set.nextAbsent(Number(x)));
  }
  nextPresent(x: bigint): bigint | null {
    const n = this.set.nextPresent(Number(x));
    return n < 0 ? null : BigInt(n);
  }
  prevAbsent(x: bigint): bigint | null {
    const n = this.set.prevAbsent(Number(x));
    return n < 0 ? null : BigInt(n);
  }
  prevPresent(x: bigint): bigint | null {
    const n = this.set.prevPresent(Number(x));
    return n < 0 ? null : BigInt(n);
  }
  countInRange(a: bigint, b: bigint): number {
    return this.set.countInRange(Number(a), Number(b));
  }
  /** Start of the lowest run of n free offsets in [lo, hi], or null (RunSet.firstGap). */
  firstGap(lo: bigint, hi: bigint, n: bigint): bigint | null {
    const s = this.set.firstGap(Number(lo), Number(hi), Number(n));
    return s < 0 ? null : BigInt(s);
  }
  /** Start of the highest run of n free offsets in [lo, hi], or null (RunSet.lastGap). */
  lastGap(lo: bigint, hi: bigint, n: bigint): bigint | null {
    const s = this.set.lastGap(Number(lo), Number(hi), Number(n));
    return s < 0 ? null : BigInt(s);
  }
  /** RunSet.firstAbsentOutside, on offsets already numbers (constrained allocation). */
  firstAbsentOutside(lo: number, hi: number, skip: readonly number[]): number {
    return this.set.firstAbsentOutside(lo, hi, skip);
  }
  /** RunSet.lastAbsentOutside, on offsets already numbers. */
  lastAbsentOutside(lo: number, hi: number, skip: readonly number[]): number {
    return this.set.lastAbsentOutside(lo, hi, skip);
  }
  /** The far end of the stretch the last of those two found (RunSet.stretchEdge). */
  get stretchEdge(): number {
    return this.set.stretchEdge;
  }
  appendMax(x: bigint): void {
    this.set.appendMax(Number(x));
  }
  /** `add` for an offset already a number (bulk load: no BigInt per record). */
  addNumber(x: number): boolean {
    return this.set.add(x);
  }
  /** `appendMax` for an offset already a number. */
  appendMaxNumber(x: number): void {
    this.set.appendMax(x);
  }
  storageBytes(): number {
    return this.set.storageBytes();
  }
  *runs(): Generator<[bigint, bigint]> {
    for (const [s, e] of this.set.runs()) yield [BigInt(s), BigInt(e)];
  }
}

/** Offsets of any size: RunSets per 2^52-wide bucket. */
export class WideOffsetSet implements OffsetSet {
  private readonly buckets = new Map<bigint, RunSet>();
  private readonly bucketKeys: bigint[] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }
  has(x: bigint): boolean {
    return this.buckets.get(x >> BUCKET_BITS)?.has(Number(x & LOW_MASK)) ?? false;
  }
  add(x: bigint): boolean {
    const key = x >> BUCKET_BITS;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new RunSet();
      this.buckets.set(key, bucket);
      this.bucketKeys.splice(this.keyIndexAtOrAfter(key), 0, key);
    }
    if (!bucket.add(Number(x & LOW_MASK))) return false;
    this.total++;
    return true;
  }
  delete(x: bigint): boolean {
    const key = x >> BUCKET_BITS;
    const bucket = this.buckets.get(key);
    if (bucket === undefined || !bucket.delete(Number(x & LOW_MASK))) return false;
    this.total--;
    if (bucket.size === 0) {
      this.buckets.delete(key);
      this.bucketKeys.splice(this.keyIndexAtOrAfter(key), 1);
    }
    return true;
  }
  nextAbsent(x: bigint): bigint {
    for (;;) {
      const key = x >> BUCKET_BITS;
      const bucket = this.buckets.get(key);
      if (bucket === undefined) return x;
      const low = bucket.nextAbsent(Number(x & LOW_MASK));
      if (low < BUCKET_SPAN) return (key << BUCKET_BITS) + BigInt(low);
      x = (key + 1n) << BUCKET_BITS; // this bucket is full from x on: try the next one
    }
  }
  nextPresent(x: bigint): bigint | null {
    const key = x >> BUCKET_BITS;
    const low = this.buckets.get(key)?.nextPresent(Number(x & LOW_MASK)) ?? -1;
    if (low >= 0) return (key << BUCKET_BITS) + BigInt(low);
    const nextKey = this.bucketKeys[this.keyIndexAtOrAfter(key + 1n)];
    if (nextKey === undefined) return null;
    return (nextKey << BUCKET_BITS) + BigInt(this.buckets.get(nextKey)!.nextPresent(0));
  }
  prevAbsent(x: bigint): bigint | null {
    for (;;) {
      const key = x >> BUCKET_BITS;
      const bucket = this.buckets.get(key);
      if (bucket === undefined) return x;
      const low = bucket.prevAbsent(Number(x & LOW_MASK));
      if (low >= 0) return (key << BUCKET_BITS) + BigInt(low);
      if (key === 0n) return null;
      x = (key << BUCKET_BITS) - 1n; // this bucket is full up to x: try the previous one
    }
  }
  prevPresent(x: bigint): bigint | null {
    const key = x >> BUCKET_BITS;
    const low = this.buckets.get(key)?.prevPresent(Number(x & LOW_MASK)) ?? -1;
    if (low >= 0) return (key << BUCKET_BITS) + BigInt(low);
    const prevKey = this.bucketKeys[this.keyIndexAtOrAfter(key) - 1];
    if (prevKey === undefined) return null;
    return (prevKey << BUCKET_BITS) + BigInt(this.buckets.get(prevKey)!.prevPresent(BUCKET_SPAN - 1));
  }
  countInRange(a: bigint, b: bigint): number {
    let n = 0;
    for (let k = this.keyIndexAtOrAfter(a >> BUCKET_BITS); k < this.bucketKeys.length; k++) {
      const key = this.bucketKeys[k]!;
      const bucketStart = key << BUCKET_BITS;
      if (bucketStart > b) break;
      const from = a > bucketStart ? Number(a - bucketStart) : 0;
      const to = b - bucketStart < LOW_MASK ? Number(b - bucketStart) : BUCKET_SPAN - 1;
      n += this.buckets.get(key)!.countInRange(from, to);
    }
    return n;
  }
  appendMax(x: bigint): void {
    const key = x >> BUCKET_BITS;
    const top = this.bucketKeys[this.bucketKeys.length - 1];
    if (top !== undefined && top > key) throw new RangeError("appendMax: input is not increasing");
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new RunSet();
      this.buckets.set(key, bucket);
      this.bucketKeys.push(key);
    }
    bucket.appendMax(Number(x & LOW_MASK));
    this.total++;
  }
  storageBytes(): number {
    let bytes = 8 * this.bucketKeys.length;
    for (const bucket of this.buckets.values()) bytes += bucket.storageBytes();
    return bytes;
  }
  *runs(): Generator<[bigint, bigint]> {
    // Runs never cross buckets in storage; join the ones that touch across a boundary.
    let pending: [bigint, bigint] | null = null;
    for (const key of this.bucketKeys) {
      for (const [s, e] of this.buckets.get(key)!.runs()) {
        const run: [bigint, bigint] = [(key << BUCKET_BITS) + BigInt(s), (key << BUCKET_BITS) + BigInt(e)];
        if (pending !== null && pending[1] + 1n === run[0]) pending[1] = run[1];
        else {
          if (pending !== null) yield pending;
          pending = run;
        }
      }
    }
    if (pending !== null) yield pending;
  }

  /** Index of the first bucket key ≥ key (binary search). */
  private keyIndexAtOrAfter(key: bigint): number {
    let lo = 0;
    let hi = this.bucketKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bucketKeys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
