/**
 * Free-subnet search (`SubnetAllocator.freeSubnets`) against the block-testing oracle of
 * naive-search.ts: exhaustively on a /29 (every set of child subnets × every fill of records),
 * then random children and records in IPv4 and IPv6 parents (a /64 and a /32 with their
 * 2^52 bucket edges), every length, both directions, limits and page cursors.
 */
import { describe, expect, test } from "bun:test";
import { SubnetAllocator, formatCidr, parseCidr, type Prefix } from "../../src/ip/index.ts";
import { NaiveAllocator } from "./naive-allocator.ts";
import { naiveFreeBlocks } from "./naive-search.ts";
import { Prng } from "./prng.ts";

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const bitsOf = (p: Prefix) => (p.family === 4 ? 32 : 128);
const spanOf = (p: Prefix) => 1n << BigInt(bitsOf(p) - p.length);
type Range = { first: bigint; last: bigint };

/** Every set of disjoint aligned blocks strictly inside [first, first + size) (a child may not be the parent). */
function childSets(first: bigint, size: bigint, allowWhole: boolean): Range[][] {
  const out: Range[][] = [];
  if (allowWhole) out.push([{ first, last: first + size - 1n }]);
  if (size === 1n) {
    out.push([]);
    return out;
  }
  const half = size / 2n;
  for (const low of childSets(first, half, true)) for (const high of childSets(first + half, half, true)) out.push([...low, ...high]);
  return out;
}

function compare(real: SubnetAllocator, naive: NaiveAllocator, p: Prefix, length: number, options: { limit: number; from?: "start" | "end"; after?: bigint }) {
  const got = real.freeSubnets(length, options).map(formatCidr);
  const want = naiveFreeBlocks(naive, bitsOf(p), length, options).map((network) => formatCidr({ family: p.family, network, length }));
  expect(got).toEqual(want);
}

describe("exhaustive on a /29: every child set × every record fill × every length and direction", () => {
  for (const text of ["10.0.0.8/29", "2001:db8::8/125"]) {
    test(text, () => {
      const p = cidr(text);
      const sets = childSets(p.network, spanOf(p), false);
      expect(sets.length).toBe(676); // (1 + 5²)² ways to fill the two /30 halves
      const template = new NaiveAllocator(p.family, p.network, p.length);
      const usable: bigint[] = [];
      for (let v = template.first; v <= template.last; v++) usable.push(v);
      for (const children of sets) {
        // Records under a child are covered anyway: fill only around the children.
        const outside = usable.filter((v) => !children.some((c) => v >= c.first && v <= c.last));
        // Every fill for IPv4; every third-ish for IPv6 (same shapes, slower BigInt, same code path).
        for (let mask = 0; mask < 1 << outside.length; mask += p.family === 4 ? 1 : 1 + (mask % 3)) {
          const records = outside.filter((_, k) => (mask >> k) & 1);
          const real = SubnetAllocator.fromTaken(p, records);
          const naive = new NaiveAllocator(p.family, p.network, p.length);
          for (const c of children) {
            real.takeRange(c.first, c.last);
            naive.takeRange(c.first, c.last);
          }
          for (const v of records) naive.records.add(v);
          for (let length = p.length + 1; length <= bitsOf(p); length++) {
            for (const from of ["start", "end"] as const) compare(real, naive, p, length, { limit: 8, from });
          }
        }
      }
    });
  }
});

/** Random children (of random lengths), records and releases in `p`, with queries after each step. */
function runScenario(p: Prefix, seed: number, steps: number, pickValue: (rng: Prng) => bigint) {
  const rng = new Prng(seed);
  const real = new SubnetAllocator(p);
  const naive = new NaiveAllocator(p.family, p.network, p.length);
  const bits = bitsOf(p);
  const top = p.network + spanOf(p) - 1n;
  const pick = () => {
    const v = pickValue(rng);
    return v < p.network ? p.network : v > top ? top : v;
  };
  for (let step = 0; step < steps; step++) {
    const r = rng.next();
    if (r < 0.3) {
      const v = pick();
      expect(real.take(v)).toBe(naive.take(v));
    } else if (r < 0.4 && naive.records.size > 0) {
      const v = rng.pick([...naive.records]);
      expect(real.release(v)).toBe(naive.release(v));
    } else if (r < 0.75) {
      const length = Math.min(bits, p.length + 1 + rng.int(12));
      const host = BigInt(bits - length);
      const first = ((pick() - p.network) >> host << host) + p.network;
      const last = first + (1n << host) - 1n;
      if (naive.takeRange(first, last)) real.takeRange(first, last);
    } else if (r < 0.85 && naive.ranges.length > 0) {
      const c = rng.pick(naive.ranges);
      expect(real.releaseRange(c.first, c.last)).toBe(naive.releaseRange(c.first, c.last));
    }
    const length = Math.min(bits, p.length + 1 + rng.int(14));
    const from = rng.next() < 0.5 ? ("end" as const) : ("start" as const);
    const limit = 1 + rng.int(5);
    const first = real.freeSubnets(length, { limit, from });
    compare(real, naive, p, length, { limit, from });
    // The next page from the last block reported, or from an arbitrary cursor.
    const after = first.length > 0 && rng.next() < 0.7 ? first[first.length - 1]!.network : pick();
    compare(real, naive, p, length, { limit, from, after });
  }
}

describe("random children and records against the oracle", () => {
  for (const text of ["10.0.0.0/22", "10.0.0.0/26", "2001:db8::/118"]) {
    test(text, () => {
      const p = cidr(text);
      const span = Number(spanOf(p));
      for (const seed of [1, 2, 3]) runScenario(p, seed * 31 + p.length, 600, (rng) => p.network + BigInt(rng.int(span)));
    });
  }

  for (const text of ["10.0.0.0/8", "2001:db8::/64", "2001:db8::/32", "::/0"]) {
    test(`${text} (clustered)`, () => {
      const p = cidr(text);
      const span = spanOf(p);
      const centres = [p.network, p.network + span / 2n, p.network + span - 1n];
      if (p.family === 6 && p.length < 76) centres.push(p.network + (1n << 52n), p.network + (5n << 52n));
      for (const seed of [4, 5]) {
        runScenario(p, seed, 500, (rng) => {
          const centre = rng.pick(centres);
          const spread = rng.next() < 0.5 ? 64 : 2 ** 20;
          return centre + BigInt(rng.int(spread)) - BigInt(spread / 2);
        });
      }
    });
  }
});

describe("freeSubnets", () => {
  test("next free /24 in a /16 skips children, records and holes too small", () => {
    const p = cidr("10.0.0.0/16");
    const a = SubnetAllocator.fromTaken(p, [0x0a000201n], [cidr("10.0.0.0/24"), cidr("10.0.1.0/25")]);
    // 10.0.1.128/25 is free but too small; 10.0.2.0/24 holds 10.0.2.1.
    expect(a.freeSubnets(24, { limit: 2 }).map(formatCidr)).toEqual(["10.0.3.0/24", "10.0.4.0/24"]);
    expect(a.freeSubnets(25, { limit: 1 }).map(formatCidr)).toEqual(["10.0.1.128/25"]);
    expect(a.freeSubnets(24, { limit: 2, from: "end" }).map(formatCidr)).toEqual(["10.0.255.0/24", "10.0.254.0/24"]);
    expect(a.freeSubnets(24, { limit: 1, after: 0x0a000300n }).map(formatCidr)).toEqual(["10.0.4.0/24"]);
  });

  test("a full parent has no free block; a block may cover the network and broadcast addresses", () => {
    const a = SubnetAllocator.fromTaken(cidr("10.0.0.0/30"), [0x0a000001n, 0x0a000002n]);
    expect(a.freeSubnets(31, { limit: 4 })).toEqual([]);
    const b = SubnetAllocator.fromTaken(cidr("10.0.0.0/30"), [0x0a000001n]);
    expect(b.freeSubnets(31, { limit: 4 }).map(formatCidr)).toEqual(["10.0.0.2/31"]);
    expect(b.freeSubnets(32, { limit: 4 }).map(formatCidr)).toEqual(["10.0.0.0/32", "10.0.0.2/32", "10.0.0.3/32"]);
  });

  test("lengths outside (parent, bits] are refused", () => {
    const a = new SubnetAllocator(cidr("10.0.0.0/16"));
    for (const length of [16, 8, 33, 24.5]) expect(() => a.freeSubnets(length, { limit: 1 })).toThrow(RangeError);
    expect(() => a.freeSubnets(24, { limit: 0 })).toThrow(RangeError);
  });
});
