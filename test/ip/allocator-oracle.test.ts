/**
 * Random operation sequences on small subnets, checked step by step against NaiveAllocator:
 * every answer, then first-free, counts, free ranges, isTaken and nextFreeAfter after each step.
 */
import { describe, expect, test } from "bun:test";
import { SubnetAllocator, parseCidr, type Prefix } from "../../src/ip/index.ts";
import { NaiveAllocator } from "./naive-allocator.ts";
import { Prng } from "./prng.ts";

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/**
 * A random aligned block inside `p` around a value from `pickValue` (for a /32 or /128, the
 * subnet itself: the allocator does not care whether a range is a strict sub-block).
 */
function randomChild(rng: Prng, p: Prefix, pickValue: () => bigint): { first: bigint; last: bigint } {
  const bits = p.family === 4 ? 32 : 128;
  const top = p.network + (1n << BigInt(bits - p.length)) - 1n;
  const length = Math.min(bits, p.length + 1 + rng.int(6));
  const hostBits = BigInt(bits - length);
  const raw = pickValue();
  const inside = raw < p.network ? p.network : raw > top ? top : raw;
  const first = (inside >> hostBits) << hostBits;
  return { first, last: first + (1n << hostBits) - 1n };
}

function runScenario(p: Prefix, seed: number, steps: number, pickValue: (rng: Prng) => bigint) {
  const rng = new Prng(seed);
  const real = new SubnetAllocator(p);
  const naive = new NaiveAllocator(p.family, p.network, p.length);
  const pick = () => pickValue(rng);
  for (let step = 0; step < steps; step++) {
    const r = rng.next();
    if (r < 0.25) {
      expect(real.allocate()).toBe(naive.allocate());
    } else if (r < 0.45) {
      const v = pick();
      expect(real.take(v)).toBe(naive.take(v));
    } else if (r < 0.7) {
      const records = [...naive.records];
      const v = records.length > 0 && rng.next() < 0.8 ? rng.pick(records) : pick();
      expect(real.release(v)).toBe(naive.release(v));
    } else if (r < 0.8) {
      const n = rng.int(7);
      expect(real.allocateMany(n)).toEqual(naive.allocateMany(n));
    } else if (r < 0.9) {
      const child = randomChild(rng, p, pick);
      if (naive.takeRange(child.first, child.last)) real.takeRange(child.first, child.last);
      else expect(() => real.takeRange(child.first, child.last)).toThrow(RangeError);
    } else {
      const child = naive.ranges.length > 0 && rng.next() < 0.7 ? rng.pick(naive.ranges) : randomChild(rng, p, pick);
      expect(real.releaseRange(child.first, child.last)).toBe(naive.releaseRange(child.first, child.last));
    }

    expect(real.firstFree()).toBe(naive.firstFree());
    expect(real.counts()).toEqual(naive.counts());
    const limit = 1 + rng.int(4);
    const from = rng.next() < 0.5 ? undefined : pick();
    expect(real.freeRanges(limit, from)).toEqual(naive.freeRanges(limit, from));
    const probe = pick();
    expect(real.isTaken(probe)).toBe(naive.used(probe));
    expect(real.nextFreeAfter(probe)).toBe(naive.nextFree(probe + 1n));
  }
  return naive;
}

describe("SubnetAllocator against a naive Set-based allocator", () => {
  const small = ["10.0.0.0/26", "10.1.0.64/27", "192.168.0.8/29", "10.0.0.4/30", "10.0.0.4/31", "10.0.0.9/32",
    "2001:db8::/122", "2001:db8::40/125", "2001:db8::/127", "2001:db8::7/128", "::/125"];
  for (const text of small) {
    test(text, () => {
      const p = cidr(text);
      const span = Number((p.family === 4 ? 1n << BigInt(32 - p.length) : 1n << BigInt(128 - p.length)));
      for (const seed of [1, 2, 3]) {
        // values a little outside the subnet too, to exercise "unusable"
        runScenario(p, seed * 1000 + p.length, 1500, (rng) => p.network - 2n + BigInt(rng.int(span + 4)));
      }
    });
  }

  // A /64 spans 2^64: the allocator splits offsets into 2^52 buckets. Values cluster at the
  // start, around bucket edges and at the end, so runs and children straddle the edges.
  for (const text of ["2001:db8::/64", "::/0"]) {
    test(`${text} (wide offsets)`, () => {
      const p = cidr(text);
      const top = p.network + (1n << BigInt(128 - p.length)) - 1n;
      // ::/0 also around IPv4-mapped space (::ffff:0:0/96), which searches skip.
      const mapped = p.network === 0n ? [0xffff_0000_0000n, 0x1_0000_0000_0000n] : [];
      const centres = [p.network, p.network + (1n << 52n), p.network + (3n << 52n), top - 3n, ...mapped];
      for (const seed of [7, 8]) {
        runScenario(p, seed, 1500, (rng) => {
          const v = rng.pick(centres) + BigInt(rng.int(12)) - 4n;
          return v < p.network ? p.network : v > top ? top : v;
        });
      }
    });
  }
});
