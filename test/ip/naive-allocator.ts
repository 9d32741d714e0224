/**
 * The oracle for allocator tests: the obvious implementation, written from API.md §6 and §7
 * without looking at `SubnetAllocator`. Usable range computed here from the rule text; used
 * = a record or inside a child range; first free by scanning; free ranges as the complement
 * of the merged used intervals (a different algorithm from the allocator's). IPv4-mapped
 * addresses (::ffff:0:0/96, IPv6 only) are never recorded: searches skip them and `take`
 * refuses them, while the counts follow API.md's usable rule, which does not name them.
 */
export class NaiveAllocator {
  readonly first: bigint;
  readonly last: bigint;
  readonly size: bigint;
  readonly network: bigint;
  readonly broadcast: bigint;
  readonly records = new Set<bigint>();
  ranges: { first: bigint; last: bigint }[] = [];
  readonly family: 4 | 6;

  constructor(family: 4 | 6, network: bigint, length: number) {
    this.family = family;
    const bits = family === 4 ? 32 : 128;
    this.network = network;
    this.size = 2n ** BigInt(bits - length);
    this.broadcast = network + this.size - 1n;
    if (bits - length <= 1) {
      this.first = network; // /31, /32, /127, /128: every address is usable
      this.last = this.broadcast;
    } else {
      this.first = network + 1n; // the network (IPv4) or subnet-router anycast (IPv6) address
      this.last = family === 4 ? this.broadcast - 1n : this.broadcast; // IPv4 broadcast
    }
  }

  usable(v: bigint): boolean {
    return v >= this.first && v <= this.last;
  }
  /** ::ffff:a.b.c.d */
  mapped(v: bigint): boolean {
    return this.family === 6 && v >> 32n === 0xffffn;
  }
  rangeOf(v: bigint) {
    return this.ranges.find((r) => v >= r.first && v <= r.last);
  }
  used(v: bigint): boolean {
    return this.usable(v) && (this.records.has(v) || this.rangeOf(v) !== undefined);
  }
  nextFree(from: bigint): bigint | null {
    for (let v = from < this.first ? this.first : from; v <= this.last; v++) {
      const r = this.rangeOf(v);
      if (r !== undefined) v = r.last; // the loop's v++ steps past the range
      else if (this.mapped(v)) v = 0xffff_ffff_ffffn; // past the mapped /96
      else if (!this.records.has(v)) return v;
    }
    return null;
  }
  firstFree(): bigint | null {
    return this.nextFree(this.first);
  }
  allocate(): bigint | null {
    const v = this.firstFree();
    if (v !== null) this.records.add(v);
    return v;
  }
  allocateMany(n: number): bigint[] | null {
    const out: bigint[] = [];
    let v = this.first;
    while (out.length < n) {
      const next = this.nextFree(v);
      if (next === null) return null;
      out.push(next);
      v = next + 1n;
    }
    for (const x of out) this.records.add(x);
    return out;
  }
  take(v: bigint): "ok" | "taken" | "unusable" {
    if (!this.usable(v) || this.mapped(v)) return "unusable";
    if (this.used(v)) return "taken";
    this.records.add(v);
    return "ok";
  }
  release(v: bigint): boolean {
    return this.records.delete(v);
  }
  /** Returns false (and changes nothing) when the range overlaps another. */
  takeRange(first: bigint, last: bigint): boolean {
    if (this.ranges.some((r) => r.first <= last && first <= r.last)) return false;
    this.ranges.push({ first, last });
    return true;
  }
  releaseRange(first: bigint, last: bigint): boolean {
    const before = this.ranges.length;
    this.ranges = this.ranges.filter((r) => r.first !== first || r.last !== last);
    return this.ranges.length < before;
  }
  counts() {
    let used = 0n;
    for (const v of this.records) if (this.rangeOf(v) === undefined) used++;
    for (const r of this.ranges) {
      const lo = r.first > this.first ? r.first : this.first;
      const hi = r.last < this.last ? r.last : this.last;
      if (hi >= lo) used += hi - lo + 1n;
    }
    const usable = this.last - this.first + 1n;
    return { size: this.size, usable, used, free: usable - used };
  }
  freeRanges(limit: number, from?: bigint) {
    const mapped = this.family === 6 ? [{ first: 0xffff_0000_0000n, last: 0xffff_ffff_ffffn }] : [];
    const blocked = [...[...this.records].map((v) => ({ first: v, last: v })), ...this.ranges, ...mapped].sort((a, b) =>
      a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
    );
    const out: { start: bigint; end: bigint; size: bigint }[] = [];
    let cursor = from === undefined || from < this.first ? this.first : from;
    for (const b of [...blocked, { first: this.last + 1n, last: this.last + 1n }]) {
      if (out.length >= limit || cursor > this.last) break;
      if (b.first > cursor) {
        const end = b.first - 1n < this.last ? b.first - 1n : this.last;
        out.push({ start: cursor, end, size: end - cursor + 1n });
      }
      if (b.last + 1n > cursor) cursor = b.last + 1n;
    }
    return out;
  }
}
