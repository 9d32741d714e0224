/**
 * The searches' cost, counted in set queries instead of timed: it must follow the runs and
 * excludes walked past, never the size of the subnet or the number of candidate blocks.
 * (Wall-clock figures live in bench/ip-core.ts.)
 */
import { describe, expect, test } from "bun:test";
import { pickFree } from "../../src/ip/constrained-allocation.ts";
import { findFreeBlocks } from "../../src/ip/free-subnets.ts";
import { IntervalSet } from "../../src/ip/interval-set.ts";
import { UnionSet, type OrderedSet } from "../../src/ip/ordered-set.ts";

/** Wraps a set and counts the questions asked of it. */
function counted(set: OrderedSet): { set: OrderedSet; calls: () => number } {
  let n = 0;
  const wrap = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A) => (n++, f(...a));
  return {
    set: {
      nextAbsent: wrap((x) => set.nextAbsent(x)),
      nextPresent: wrap((x) => set.nextPresent(x)),
      prevAbsent: wrap((x) => set.prevAbsent(x)),
      prevPresent: wrap((x) => set.prevPresent(x)),
    },
    calls: () => n,
  };
}

describe("free-subnet search does not grow with the candidate blocks", () => {
  // 60,000 children side by side from the bottom, then the next free block: a /24 out of a /8
  // and a /64 out of a /32 (2^32 candidate blocks) ask the same few questions.
  for (const [label, span, block] of [["/24 of a /8", 1n << 24n, 1n << 8n], ["/64 of a /32", 1n << 96n, 1n << 64n]] as const) {
    test(label, () => {
      const c = counted(IntervalSet.of([[0n, 60_000n * block - 1n]]));
      expect(findFreeBlocks(c.set, span, block, { limit: 1 })).toEqual([60_000n * block]);
      expect(c.calls()).toBeLessThanOrEqual(3);
    });
  }

  test("records inside a candidate block are skipped with the block, not one by one", () => {
    // 100 records spread over the first 2^72-block of a 2^96 space.
    const records = IntervalSet.of(Array.from({ length: 100 }, (_, k): [bigint, bigint] => [BigInt(k) << 40n, BigInt(k) << 40n]));
    const c = counted(records);
    expect(findFreeBlocks(c.set, 1n << 96n, 1n << 72n, { limit: 1 })).toEqual([1n << 72n]);
    expect(c.calls()).toBeLessThanOrEqual(4);
  });

  test("k blocked candidates cost O(k) questions, out of 2^24 candidates", () => {
    const records = IntervalSet.of(Array.from({ length: 100 }, (_, k): [bigint, bigint] => [(BigInt(k) << 72n) + 5n, (BigInt(k) << 72n) + 5n]));
    const c = counted(records);
    expect(findFreeBlocks(c.set, 1n << 96n, 1n << 72n, { limit: 1 })).toEqual([100n << 72n]);
    expect(findFreeBlocks(c.set, 1n << 96n, 1n << 72n, { limit: 1, from: "end" })).toEqual([(1n << 96n) - (1n << 72n)]);
    expect(c.calls()).toBeLessThanOrEqual(2 * 100 + 4);
  });
});

describe("constrained allocation grows with excludes and runs touched, not the space", () => {
  test("ten excludes in a 2^64 space, from either end", () => {
    const taken = IntervalSet.of([[0n, 999n]]);
    const excluded = IntervalSet.of(Array.from({ length: 10 }, (_, k): [bigint, bigint] => [1000n + 2n * BigInt(k), 1000n + 2n * BigInt(k)]));
    const c = counted(new UnionSet([taken, excluded]));
    expect(pickFree(c.set, 1n, (1n << 64n) - 1n, 1)).toEqual([1001n]);
    expect(pickFree(c.set, 1n, (1n << 64n) - 1n, 3, { contiguous: true })).toEqual([1019n, 1020n, 1021n]);
    expect(pickFree(c.set, 1n, (1n << 64n) - 1n, 2, { fromEnd: true })).toEqual([(1n << 64n) - 2n, (1n << 64n) - 1n]);
    expect(c.calls()).toBeLessThanOrEqual(40);
  });
});
