/**
 * The per-subnet allocator: which usable addresses are used, the lowest free one, free ranges
 * and exact counts. Pure and in memory; the server builds one per subnet at boot
 * (`rebuildAllocators`) and updates it in the same synchronous step as the database write.
 *
 * Representation. Offsets (value − network) of address records live in an `OffsetSet`, an
 * interval set: maximal runs of taken offsets in paged Float64Arrays (see run-set.ts). We chose
 * runs over a chunked bitmap because real subnets are filled bottom-up, so taken addresses
 * form few long runs: a /8 with ten addresses or an IPv6 /64 with a million allocated ones
 * costs a few kilobytes, and first-free is "end of the first run + 1". The worst case is
 * random half-filling (every run one or two long): ~16–40 bytes per run, still bounded by the
 * number of taken addresses — where a bitmap would be 16× smaller for a dense random /8.
 * Child subnets are ranges in a separate `RangeList`: they can be astronomically large
 * (a /64 child of a /48), which only an interval can hold. The space they cover is also kept
 * merged in an `IntervalSet` (`coverage`), so that searches skip a row of touching children
 * in one step; `blocked` = records ∪ coverage is what every search walks (ordered-set.ts).
 *
 *     usable:   first ........................................... last
 *     records:    [###]    [#]         [####]            [#]
 *     children:          [==========]          [=====]
 *     used = records outside children + usable part of children
 *
 * IPv4-mapped space (::ffff:0:0/96) is never an address record (address.ts), but a subnet may
 * contain it (`::/64`): its part of such a subnet is `reserved`, an interval every address
 * search skips and `take` refuses. The counts keep API.md's one rule for usable addresses
 * (which knows no mapped space), so a subnet containing it counts those 2^32 as free: its
 * first-free and allocations never return them.
 *
 * Invariants:
 * - every record offset is usable (take refuses the rest, reserved offsets included);
 * - child ranges are disjoint and inside the subnet; records may lie under a child (briefly,
 *   while the caller moves them into the new child) and are then counted once;
 * - `recordsUnderChildren` = records inside some child range;
 * - `coveredUsable` = Σ over children of |child ∩ usable range|;
 * - `coverage` covers exactly the union of the child ranges;
 * - `lowWater`: every usable offset below it is used (so first-free starts there).
 *
 * Beyond first-free: `findFree`/`allocateWhere` take a constrained request (a window, excludes,
 * from the end, a contiguous block; constrained-allocation.ts) and `freeSubnets` finds free
 * aligned child blocks (free-subnets.ts). Both walk runs, never addresses.
 */
import { familyBits } from "./address.ts";
import { pickFree, type AllocationRequest, type ValueRange } from "./constrained-allocation.ts";
import { findFreeBlocks, type FreeBlockOptions } from "./free-subnets.ts";
import { IntervalSet } from "./interval-set.ts";
import { NarrowOffsetSet, offsetSetFor, type OffsetSet } from "./offset-set.ts";
import { UnionSet, type OrderedSet } from "./ordered-set.ts";
import { lastAddress, prefixSize, usableCount, usableRange, type Prefix } from "./prefix.ts";
import { RangeList } from "./range-list.ts";

/** No excludes (RunSet.firstAbsentOutside's `skip`). */
const NO_SKIP: readonly number[] = [];
/** A subnet whose network is below 2^53 ends below it too (prefixes are aligned): its values convert to numbers exactly. */
const MAX_EXACT = 2n ** 53n;

/** A free stretch of usable addresses, bounds inclusive; `size` = end − start + 1. */
export interface FreeRange {
  start: bigint;
  end: bigint;
  size: bigint;
}

/** Address counts of a subnet (API.md §6 utilization). */
export interface AllocatorCounts {
  size: bigint;
  usable: bigint;
  used: bigint;
  free: bigint;
}

/** What `take` did: taken now, already used (record or child subnet), or not usable here. */
export type TakeResult = "ok" | "taken" | "unusable";

/** Which addresses of one subnet are used; see the module comment. */
export class SubnetAllocator {
  /** The subnet. */
  readonly prefix: Prefix;
  private readonly base: bigint;
  private readonly firstOffset: bigint;
  private readonly lastOffset: bigint;
  private readonly usable: bigint;
  private readonly records: OffsetSet;
  private readonly children = new RangeList();
  private readonly coverage = new IntervalSet();
  /** IPv4-mapped offsets inside the usable range (empty unless the subnet contains some). */
  private readonly reserved = new IntervalSet();
  /** records ∪ coverage ∪ reserved: what address searches walk. */
  private readonly blocked: OrderedSet;
  /** records ∪ coverage: what searches for child blocks shorter than /96 walk (one may contain all of the mapped /96). */
  private readonly recordsOrChildren: OrderedSet;
  /** coverage ∪ reserved: what a contiguous search checks beside the records' own gaps. */
  private readonly childrenOrReserved: OrderedSet;
  private recordsUnderChildren = 0;
  private coveredUsable = 0n;
  private lowWater: bigint;
  /** The largest offset `loadKeys` appended (-1: none): later pages append after it. */
  private loadedMax = -1n;

  /** An allocator for `prefix` with nothing taken. */
  constructor(prefix: Prefix) {
    this.prefix = prefix;
    this.base = prefix.network;
    const { first, last } = usableRange(prefix);
    this.firstOffset = first - this.base;
    this.lastOffset = last - this.base;
    this.records = offsetSetFor(prefixSize(prefix));
    const mapped = mappedOffsets(prefix, this.firstOffset, this.lastOffset);
    if (mapped) this.reserved.add(mapped[0], mapped[1]);
    this.usable = usableCount(prefix);
    this.recordsOrChildren = new UnionSet([this.records, this.coverage]);
    this.blocked = mapped ? new UnionSet([this.records, this.coverage, this.reserved]) : this.recordsOrChildren;
    this.childrenOrReserved = mapped ? new UnionSet([this.coverage, this.reserved]) : this.coverage;
    this.lowWater = this.firstOffset;
  }

  /**
   * Builds an allocator from stored records (best in increasing order: then loading is a
   * linear append) and direct child subnets. Throws a RangeError on an unusable or duplicate
   * value — a database in that state needs `ipcraft check`, not a silent repair.
   */
  static fromTaken(prefix: Prefix, taken: Iterable<bigint>, children: Iterable<Prefix> = []): SubnetAllocator {
    const a = new SubnetAllocator(prefix);
    let previous = -1n;
    for (const value of taken) {
      const offset = value - a.base;
      if (offset < a.firstOffset || offset > a.lastOffset) {
        throw new RangeError(`address value ${value} is not usable in subnet ${prefix.network}/${prefix.length}`);
      }
      if (offset > previous) a.records.appendMax(offset);
      else if (!a.records.add(offset)) throw new RangeError(`address value ${value} is listed twice`);
      previous = offset > previous ? offset : previous;
    }
    for (const child of children) a.takePrefix(child);
    return a;
  }

  /**
   * Bulk load of stored records straight from the database's keys: `count` 16-byte keys
   * (`ipKey` layout; for IPv4 also just their last 4 bytes, `keyBytes` 4) packed end to end, best in increasing order across calls (then every
   * record is a plain append). Call before any other change. On subnets spanning ≤ 2^52
   * addresses (all of IPv4, IPv6 /76 and longer) offsets are computed on doubles from the
   * key's 32-bit words: no BigInt, no object per record. Throws a RangeError on an unusable
   * or duplicate record, like `fromTaken`.
   */
  loadKeys(packed: Uint8Array, count: number, keyBytes: 16 | 4 = 16): void {
    if (packed.byteLength !== count * keyBytes) throw new RangeError(`loadKeys: ${count} keys need ${count * keyBytes} bytes, got ${packed.byteLength}`);
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    const records = this.records;
    if (keyBytes === 4) {
      // IPv4 only: the keys' last 4 bytes (the address), half the bytes the database hex-encodes.
      if (this.prefix.family !== 4) throw new RangeError("loadKeys: 4-byte keys are IPv4 addresses");
      this.loadNarrow(view, count, 4, 0);
      return;
    }
    if (!(records instanceof NarrowOffsetSet)) {
      for (let i = 0; i < count; i++) {
        const value = (view.getBigUint64(i * 16) << 64n) | view.getBigUint64(i * 16 + 8);
        this.loadOffset(value - this.base, value);
      }
      return;
    }
    this.loadNarrow(view, count, 16, 12);
  }

  /** loadKeys on doubles: keys of `stride` bytes, the low 32 bits of the address at `low`. */
  private loadNarrow(view: DataView, count: number, stride: number, low: number): void {
    const records = this.records as NarrowOffsetSet;
    const first = Number(this.firstOffset);
    const last = Number(this.lastOffset);
    let previous = Number(this.loadedMax);
    const v4 = this.prefix.family === 4;
    // IPv6: every value of a subnet this narrow shares the network's top 64 bits.
    const netHigh0 = Number((this.base >> 96n) & 0xffff_ffffn);
    const netHigh1 = Number((this.base >> 64n) & 0xffff_ffffn);
    const net2 = v4 ? 0 : Number((this.base >> 32n) & 0xffff_ffffn);
    const net3 = v4 ? Number(this.base) : Number(this.base & 0xffff_ffffn);
    for (let i = 0, at = 0; i < count; i++, at += stride) {
      let offset: number;
      if (v4) offset = view.getUint32(at + low) - net3;
      else if (view.getUint32(at) !== netHigh0 || view.getUint32(at + 4) !== netHigh1) offset = -1;
      else offset = (view.getUint32(at + 8) - net2) * 2 ** 32 + (view.getUint32(at + 12) - net3);
      if (offset < first || offset > last) {
        const value = v4 ? BigInt(view.getUint32(at + low)) : (view.getBigUint64(at) << 64n) | view.getBigUint64(at + 8);
        throw new RangeError(`address value ${value} is not usable in subnet ${this.prefix.network}/${this.prefix.length}`);
      }
      if (offset > previous) {
        records.appendMaxNumber(offset);
        previous = offset;
      } else if (!records.addNumber(offset)) {
        throw new RangeError(`address value ${this.base + BigInt(offset)} is listed twice`);
      }
    }
    this.loadedMax = BigInt(previous);
  }

  private loadOffset(offset: bigint, value: bigint): void {
    if (offset < this.firstOffset || offset > this.lastOffset) {
      throw new RangeError(`address value ${value} is not usable in subnet ${this.prefix.network}/${this.prefix.length}`);
    }
    if (offset > this.loadedMax) {
      this.records.appendMax(offset);
      this.loadedMax = offset;
    } else if (!this.records.add(offset)) {
      throw new RangeError(`address value ${value} is listed twice`);
    }
  }

  /** The lowest usable address that holds no record and lies in no child subnet; null when full. */
  firstFree(): bigint | null {
    const offset = this.firstFreeOffset();
    return offset === null ? null : this.base + offset;
  }

  /** Takes and returns the lowest free address; null when the subnet is full. */
  allocate(): bigint | null {
    const offset = this.firstFreeOffset();
    if (offset === null) return null;
    this.records.add(offset);
    this.lowWater = offset + 1n;
    return this.base + offset;
  }

  /**
   * All or nothing: takes the `n` lowest free addresses and returns them in order, or returns
   * null and changes nothing when fewer than `n` are free.
   */
  allocateMany(n: number): bigint[] | null {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`allocateMany(${n}): n must be a non-negative integer`);
    if (BigInt(n) > this.allocatable()) return null;
    const picked: bigint[] = [];
    let cursor = this.lowWater;
    while (picked.length < n) {
      const start = this.nextFreeOffset(cursor);
      if (start === null) return null; // unreachable while the counts are right; never loop
      const end = this.freeStretchEnd(start);
      for (let v = start; v <= end && picked.length < n; v++) picked.push(v);
      cursor = end + 1n;
    }
    for (const offset of picked) this.records.add(offset);
    if (picked.length > 0) this.lowWater = picked[picked.length - 1]! + 1n;
    return picked.map((offset) => this.base + offset);
  }

  /** Takes one given address: "unusable" outside the usable range, "taken" when already used. */
  take(value: bigint): TakeResult {
    return this.reserved.has(value - this.base) ? "unusable" : this.restore(value);
  }

  /**
   * `take` for a record the database already holds (a rollback, a record moving to its new
   * parent, another replica's change): no refusal of IPv4-mapped space, which only a database
   * written before that refusal can hold (`ipcraft check` names such records).
   */
  restore(value: bigint): TakeResult {
    const offset = value - this.base;
    if (offset < this.firstOffset || offset > this.lastOffset) return "unusable";
    if (this.children.length > 0 && this.children.endOfRangeCovering(offset) !== null) return "taken";
    return this.records.add(offset) ? "ok" : "taken";
  }

  /** Removes the record at `value`; false when there was none (a child subnet is no record). */
  release(value: bigint): boolean {
    const offset = value - this.base;
    if (offset < this.firstOffset || offset > this.lastOffset) return false;
    if (!this.records.delete(offset)) return false;
    if (this.children.length > 0 && this.children.endOfRangeCovering(offset) !== null) {
      this.recordsUnderChildren--;
    } else if (offset < this.lowWater) {
      this.lowWater = offset;
    }
    return true;
  }

  /** Whether `value` is a used usable address (a record, or inside a child subnet). */
  isTaken(value: bigint): boolean {
    const offset = value - this.base;
    if (offset < this.firstOffset || offset > this.lastOffset) return false;
    return this.children.endOfRangeCovering(offset) !== null || this.records.has(offset);
  }

  /** How many records (not child subnets) lie in [first, last]. */
  recordsIn(first: bigint, last: bigint): number {
    return this.records.countInRange(first - this.base, last - this.base);
  }

  /** The child range (absolute bounds) containing `value`, or null. */
  coveringRange(value: bigint): { first: bigint; last: bigint } | null {
    const range = this.children.rangeCovering(value - this.base);
    return range === null ? null : { first: this.base + range.first, last: this.base + range.last };
  }

  /**
   * Marks [first, last] (a direct child subnet) as used; it is never handed out. Throws a
   * RangeError when the range leaves the subnet, is reversed, or overlaps another child.
   */
  takeRange(first: bigint, last: bigint): void {
    const a = first - this.base;
    const b = last - this.base;
    if (a > b || a < 0n || last > lastAddress(this.prefix)) {
      throw new RangeError(`takeRange: [${first}, ${last}] is not a range inside the subnet`);
    }
    this.children.add(a, b);
    this.coverage.add(a, b);
    this.coveredUsable += this.usableOverlap(a, b);
    this.recordsUnderChildren += this.records.countInRange(a, b);
  }

  /** Undoes `takeRange` for exactly [first, last]; false when no such child range exists. */
  releaseRange(first: bigint, last: bigint): boolean {
    const a = first - this.base;
    const b = last - this.base;
    if (!this.children.remove(a, b)) return false;
    this.coverage.remove(a, b);
    this.coveredUsable -= this.usableOverlap(a, b);
    this.recordsUnderChildren -= this.records.countInRange(a, b);
    const firstFreed = a > this.firstOffset ? a : this.firstOffset;
    if (firstFreed < this.lowWater) this.lowWater = firstFreed;
    return true;
  }

  /** `takeRange` for a child subnet. */
  takePrefix(child: Prefix): void {
    this.takeRange(child.network, lastAddress(child));
  }

  /** `releaseRange` for a child subnet. */
  releasePrefix(child: Prefix): boolean {
    return this.releaseRange(child.network, lastAddress(child));
  }

  /** Smallest free usable address > value, or null. */
  nextFreeAfter(value: bigint): bigint | null {
    const offset = this.nextFreeOffset(value - this.base + 1n);
    return offset === null ? null : this.base + offset;
  }

  /**
   * Up to `limit` maximal free usable ranges in increasing order, starting at `from`
   * (default: the first usable address; a `from` inside a free range cuts that range).
   * Never expands a range into addresses.
   */
  freeRanges(limit: number, from?: bigint): FreeRange[] {
    const out: FreeRange[] = [];
    let cursor = from === undefined ? this.firstOffset : from - this.base;
    while (out.length < limit) {
      const start = this.nextFreeOffset(cursor);
      if (start === null) break;
      const end = this.freeStretchEnd(start);
      out.push({ start: this.base + start, end: this.base + end, size: end - start + 1n });
      cursor = end + 1n;
    }
    return out;
  }

  /**
   * The free usable addresses a constrained request picks (constrained-allocation.ts), in
   * ascending order, without taking them; null when not enough are free. Throws a RangeError
   * on what `allocationRequestError` refuses or a count below 1.
   */
  findFree(request: AllocationRequest = {}): bigint[] | null {
    const { range, exclude } = request;
    let lo = this.firstOffset;
    let hi = this.lastOffset;
    if (range !== undefined) {
      if (range.start > range.end) throw new RangeError("findFree: the range is reversed");
      if (range.start - this.base > lo) lo = range.start - this.base;
      if (range.end - this.base < hi) hi = range.end - this.base;
    }
    if (lo < this.lowWater) lo = this.lowWater; // every usable offset below lowWater is used
    const count = request.count ?? 1;
    if (request.contiguous !== true && this.records instanceof NarrowOffsetSet && lo <= hi) {
      if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count ${count} must be a positive integer`);
      const [low, high] = [Number(lo), Number(hi)];
      const skip = exclude === undefined || exclude.length === 0 ? NO_SKIP : this.excludedOffsets(exclude, low, high);
      return this.pickNarrow(this.records, low, high, skip, count, request.from === "end");
    }
    let blocked = this.blocked;
    let others = this.childrenOrReserved;
    if (exclude !== undefined && exclude.length > 0) {
      const clipped: [bigint, bigint][] = [];
      for (const r of exclude) {
        if (r.start > r.end) throw new RangeError("findFree: an exclude range is reversed");
        const start = r.start - this.base;
        const end = r.end - this.base;
        const a = start > lo ? start : lo;
        const b = end < hi ? end : hi;
        if (a <= b) clipped.push([a, b]);
      }
      for (const [a, b] of this.reserved.intervals()) clipped.push([a, b]);
      const excluded = IntervalSet.of(clipped);
      blocked = new UnionSet([this.records, this.coverage, excluded]);
      others = new UnionSet([this.coverage, excluded]);
    }
    const picked = pickFree(blocked, lo, hi, request.count ?? 1, {
      contiguous: request.contiguous,
      fromEnd: request.from === "end",
      // IPv4 and small IPv6 subnets: a contiguous search walks the records' runs directly (NarrowOffsetSet).
      split: request.contiguous === true && this.records instanceof NarrowOffsetSet ? { records: this.records, others } : undefined,
    });
    return picked === null ? null : picked.map((offset) => this.base + offset);
  }

  /**
   * A request's excludes as offsets clipped to [lo, hi], sorted and merged, flat
   * [start0, end0, start1, end1, ...] numbers (RunSet.firstAbsentOutside); narrow subnets only.
   */
  private excludedOffsets(exclude: readonly ValueRange[], lo: number, hi: number): number[] {
    // Number() of a value far outside the subnet is inexact, but it is clipped away all the same.
    // A base below 2^53 (IPv4) converts once, and each value without a BigInt subtraction.
    const exact = this.base < MAX_EXACT;
    const baseN = Number(this.base);
    let pairs: number[] = [];
    let ordered = true;
    for (const r of exclude) {
      if (r.start > r.end) throw new RangeError("findFree: an exclude range is reversed");
      const a = Math.max(exact ? Number(r.start) - baseN : Number(r.start - this.base), lo);
      const b = Math.min(exact ? Number(r.end) - baseN : Number(r.end - this.base), hi);
      if (a > b) continue;
      if (pairs.length > 0 && a < pairs[pairs.length - 2]!) ordered = false;
      pairs.push(a, b);
    }
    if (!ordered) {
      const sorted = Array.from({ length: pairs.length / 2 }, (_, k) => [pairs[2 * k]!, pairs[2 * k + 1]!] as const).sort((x, y) => x[0] - y[0]);
      pairs = sorted.flat();
    }
    // Merge overlapping or touching intervals in place.
    let n = 0;
    for (let k = 0; k < pairs.length; k += 2) {
      const a = pairs[k]!;
      const b = pairs[k + 1]!;
      if (n > 0 && a <= pairs[n - 1]! + 1) {
        if (b > pairs[n - 1]!) pairs[n - 1] = b;
      } else {
        pairs[n++] = a;
        pairs[n++] = b;
      }
    }
    pairs.length = n;
    return pairs;
  }

  /**
   * The non-contiguous search of a narrow subnet (offsets are numbers): the records' runs and
   * the excludes walked side by side (RunSet.firstAbsentOutside), child subnets and reserved
   * space (few intervals) asked once per free stretch found. Ascending offsets → values, or null.
   */
  private pickNarrow(records: NarrowOffsetSet, lo: number, hi: number, skip: readonly number[], count: number, fromEnd: boolean): bigint[] | null {
    const others = this.childrenOrReserved;
    const out: number[] = [];
    let x = fromEnd ? hi : lo;
    while (out.length < count) {
      const s = fromEnd ? records.lastAbsentOutside(lo, x, skip) : records.firstAbsentOutside(x, hi, skip);
      if (s < 0) return null;
      let edge = records.stretchEdge;
      const at = BigInt(s);
      const free = fromEnd ? others.prevAbsent(at) : others.nextAbsent(at);
      if (free === null) return null; // everything below is under children or reserved
      if (free !== at) {
        x = Number(free); // s is under a child subnet or reserved space: go on past it
        continue;
      }
      if (count === 1) return [this.base + at]; // the common case: no stretch to measure
      if (fromEnd) {
        const below = others.prevPresent(at);
        if (below !== null && Number(below) + 1 > edge) edge = Number(below) + 1;
        for (let v = s; v >= edge && v >= lo && out.length < count; v--) out.push(v);
        x = edge - 1;
      } else {
        const above = others.nextPresent(at);
        if (above !== null && Number(above) - 1 < edge) edge = Number(above) - 1;
        for (let v = s; v <= edge && v <= hi && out.length < count; v++) out.push(v);
        x = edge + 1;
      }
    }
    if (fromEnd) out.reverse();
    return out.map((offset) => this.base + BigInt(offset));
  }

  /** `findFree`, then takes what it found: all or nothing; null (nothing changed) when not enough are free. */
  allocateWhere(request: AllocationRequest = {}): bigint[] | null {
    const picked = this.findFree(request);
    if (picked !== null) for (const value of picked) this.records.add(value - this.base);
    return picked;
  }

  /**
   * Free aligned child blocks of `length` (free-subnets.ts): blocks that overlap no child
   * subnet and hold no record, in walk order (ascending; descending with `from: "end"`).
   * `after` is an address value here (the network of the last block of the previous page).
   * For "N new children, all or nothing", ask for `limit: N` and refuse when fewer come back.
   * Throws a RangeError unless prefix.length < length ≤ the family's bits.
   */
  freeSubnets(length: number, options: FreeBlockOptions): Prefix[] {
    const bits = familyBits(this.prefix.family);
    if (!Number.isInteger(length) || length <= this.prefix.length || length > bits) {
      throw new RangeError(`a child of a /${this.prefix.length} has a prefix length in /${this.prefix.length + 1}../${bits}`);
    }
    const after = options.after === undefined ? undefined : options.after - this.base;
    const size = 1n << BigInt(bits - length);
    // A block of /96 or longer that overlaps IPv4-mapped space lies inside it, and is no subnet
    // (prefix.ts); a shorter one contains all of it or none, and may be one.
    const walked = length >= 96 ? this.blocked : this.recordsOrChildren;
    const starts = findFreeBlocks(walked, prefixSize(this.prefix), size, { ...options, after });
    return starts.map((offset) => ({ family: this.prefix.family, network: this.base + offset, length }));
  }

  /** Exact counts; `used` clips child subnets to the usable range and counts a record once. */
  counts(): AllocatorCounts {
    const used = this.usedCount();
    return { size: prefixSize(this.prefix), usable: this.usable, used, free: this.usable - used };
  }

  /**
   * How many addresses an allocation can still hand out: `counts().free` less the free part of
   * IPv4-mapped space (which the counts, by API.md's rule, call free).
   */
  allocatable(): bigint {
    const free = this.freeCount();
    let reservedFree = 0n;
    for (const [ra, rb] of this.reserved.intervals()) {
      reservedFree += rb - ra + 1n;
      for (const [ca, cb] of this.coverage.intervals()) {
        const x = ca > ra ? ca : ra;
        const y = cb < rb ? cb : rb;
        if (y >= x) reservedFree -= y - x + 1n;
      }
    }
    return free > reservedFree ? free - reservedFree : 0n;
  }

  /** Records held by this subnet itself (not lying under a child subnet). */
  ownRecords(): number {
    return this.records.size - this.recordsUnderChildren;
  }

  /** Usable addresses covered by direct child subnets (API.md §6 `in_children`). */
  coveredByChildren(): bigint {
    return this.coveredUsable;
  }

  /** Bytes of run storage for the records (object headers and child ranges not counted). */
  storageBytes(): number {
    return this.records.storageBytes();
  }

  private usedCount(): bigint {
    return BigInt(this.records.size - this.recordsUnderChildren) + this.coveredUsable;
  }

  private freeCount(): bigint {
    return this.usable - this.usedCount();
  }

  /** First free offset, advancing `lowWater` to it (everything below is used). */
  private firstFreeOffset(): bigint | null {
    const offset = this.nextFreeOffset(this.lowWater);
    this.lowWater = offset ?? this.lastOffset + 1n;
    return offset;
  }

  /**
   * Smallest free usable offset ≥ cursor: `blocked.nextAbsent` skips whole runs of records
   * and whole rows of touching children (see ordered-set.ts).
   */
  private nextFreeOffset(cursor: bigint): bigint | null {
    const x = this.blocked.nextAbsent(cursor > this.firstOffset ? cursor : this.firstOffset);
    return x <= this.lastOffset ? x : null;
  }

  /** Last offset of the free stretch that begins at the free offset `start`. */
  private freeStretchEnd(start: bigint): bigint {
    const next = this.blocked.nextPresent(start);
    return next !== null && next - 1n < this.lastOffset ? next - 1n : this.lastOffset;
  }

  /** |[a, b] ∩ usable range|. */
  private usableOverlap(a: bigint, b: bigint): bigint {
    const lo = a > this.firstOffset ? a : this.firstOffset;
    const hi = b < this.lastOffset ? b : this.lastOffset;
    return hi >= lo ? hi - lo + 1n : 0n;
  }
}

/** The first and last offsets of IPv4-mapped space (::ffff:0:0/96) inside [first, last] of `prefix`, or null. */
function mappedOffsets(prefix: Prefix, first: bigint, last: bigint): [bigint, bigint] | null {
  if (prefix.family !== 6) return null;
  const a = MAPPED_FIRST - prefix.network;
  const b = MAPPED_LAST - prefix.network;
  const lo = a > first ? a : first;
  const hi = b < last ? b : last;
  return lo <= hi ? [lo, hi] : null;
}

const MAPPED_FIRST = 0xffff_0000_0000n;
const MAPPED_LAST = 0xffff_ffff_ffffn;

/** What the server knows about one subnet at boot. */
export interface AllocatorSeed<K> {
  id: K;
  prefix: Prefix;
  /** Values of the subnet's own address records, ideally sorted ascending. */
  taken: Iterable<bigint>;
  /** The subnet's direct child subnets. */
  children?: Iterable<Prefix>;
}

/**
 * Builds the allocators of many subnets (server boot). Linear in the number of records when
 * each seed's values are sorted — order the query by the address key.
 */
export function rebuildAllocators<K>(seeds: Iterable<AllocatorSeed<K>>): Map<K, SubnetAllocator> {
  const out = new Map<K, SubnetAllocator>();
  for (const seed of seeds) out.set(seed.id, SubnetAllocator.fromTaken(seed.prefix, seed.taken, seed.children));
  return out;
}
