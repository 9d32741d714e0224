/**
 * The four walk questions (nextAbsent, nextPresent, prevAbsent, prevPresent) of every ordered
 * set — RunSet, WideOffsetSet across 2^52 bucket edges, IntervalSet and their UnionSet —
 * against a plain Set scanned one value at a time.
 */
import { describe, expect, test } from "bun:test";
import { IntervalSet } from "../../src/ip/interval-set.ts";
import { NarrowOffsetSet, WideOffsetSet } from "../../src/ip/offset-set.ts";
import { UnionSet, type OrderedSet } from "../../src/ip/ordered-set.ts";
import { RunSet } from "../../src/ip/run-set.ts";
import { Prng } from "./prng.ts";

/**
 * The answers of a Set by scanning; members lie in [0, top]. `present: false` skips the two
 * present scans (callers that cannot afford a long walk compute them otherwise).
 */
function scan(has: (v: bigint) => boolean, x: bigint, top: bigint, present = true) {
  let nextAbsent = x;
  while (has(nextAbsent)) nextAbsent++;
  let nextPresent: bigint | null = x;
  while (present && nextPresent <= top && !has(nextPresent)) nextPresent++;
  if (nextPresent > top) nextPresent = null;
  let prevAbsent: bigint | null = x;
  while (prevAbsent >= 0n && has(prevAbsent)) prevAbsent--;
  if (prevAbsent < 0n) prevAbsent = null;
  let prevPresent: bigint | null = x;
  while (present && prevPresent >= 0n && !has(prevPresent)) prevPresent--;
  if (prevPresent < 0n) prevPresent = null;
  return { nextAbsent, nextPresent, prevAbsent, prevPresent };
}

function answers(set: OrderedSet, x: bigint) {
  return { nextAbsent: set.nextAbsent(x), nextPresent: set.nextPresent(x), prevAbsent: set.prevAbsent(x), prevPresent: set.prevPresent(x) };
}

describe("RunSet prevAbsent / prevPresent", () => {
  for (const [seed, pageRuns] of [[1, 4], [2, 256]] as const) {
    test(`seed ${seed}, pages of ${pageRuns} runs`, () => {
      const rng = new Prng(seed);
      const set = new RunSet(pageRuns);
      const oracle = new Set<number>();
      for (let step = 0; step < 6000; step++) {
        const x = rng.int(1500);
        if (rng.next() < 0.6) {
          set.add(x);
          oracle.add(x);
        } else {
          set.delete(x);
          oracle.delete(x);
        }
        const probe = rng.int(1600);
        let absent = probe;
        while (oracle.has(absent)) absent--;
        expect(set.prevAbsent(probe)).toBe(absent);
        let present = probe;
        while (present >= 0 && !oracle.has(present)) present--;
        expect(set.prevPresent(probe)).toBe(present);
      }
    });
  }
});

describe("offset sets, IntervalSet and UnionSet against a Set<bigint>", () => {
  const boundary = 1n << 52n;
  // Candidates cluster at 0, around bucket edges and near 2^64.
  const candidates: bigint[] = [];
  for (const centre of [0n, boundary, 2n * boundary, (1n << 64n) - 8n]) {
    for (let d = -6n; d <= 6n; d++) if (centre + d >= 0n) candidates.push(centre + d);
  }
  /** Scanning across 2^52 values is hopeless: probe only near candidates, where the answers lie. */
  const nearScan = (has: (v: bigint) => boolean, x: bigint) => {
    const r = scan(has, x, x + 64n, false);
    const sorted = [...candidates].filter(has).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    r.nextPresent = sorted.find((v) => v >= x) ?? null;
    r.prevPresent = [...sorted].reverse().find((v) => v <= x) ?? null;
    return r;
  };

  test("WideOffsetSet and NarrowOffsetSet", () => {
    const rng = new Prng(52);
    const wide = new WideOffsetSet();
    const narrow = new NarrowOffsetSet();
    const oracle = new Set<bigint>();
    for (let step = 0; step < 4000; step++) {
      const x = rng.pick(candidates);
      const add = rng.next() < 0.6;
      if (add) {
        wide.add(x);
        oracle.add(x);
        if (x < boundary) narrow.add(x);
      } else {
        wide.delete(x);
        oracle.delete(x);
        if (x < boundary) narrow.delete(x);
      }
      const probe = rng.pick(candidates);
      expect(answers(wide, probe)).toEqual(nearScan((v) => oracle.has(v), probe));
      if (probe < boundary - 8n) {
        expect(answers(narrow, probe)).toEqual(nearScan((v) => v < boundary && oracle.has(v), probe));
      }
    }
  });

  test("IntervalSet add/remove, and the union of three sets", () => {
    const rng = new Prng(9);
    const intervals = new IntervalSet();
    const covered = new Set<bigint>();
    const a = new RunSet();
    const aSet = new Set<bigint>();
    const narrowA: OrderedSet = {
      nextAbsent: (x) => BigInt(a.nextAbsent(Number(x))),
      nextPresent: (x) => (a.nextPresent(Number(x)) < 0 ? null : BigInt(a.nextPresent(Number(x)))),
      prevAbsent: (x) => (a.prevAbsent(Number(x)) < 0 ? null : BigInt(a.prevAbsent(Number(x)))),
      prevPresent: (x) => (a.prevPresent(Number(x)) < 0 ? null : BigInt(a.prevPresent(Number(x)))),
    };
    const fixed = IntervalSet.of([[40n, 45n], [10n, 12n], [44n, 50n], [13n, 13n]]);
    expect([...fixed.intervals()]).toEqual([[10n, 13n], [40n, 50n]]);
    const fixedHas = (v: bigint) => (v >= 10n && v <= 13n) || (v >= 40n && v <= 50n);
    const union = new UnionSet([narrowA, intervals, fixed]);
    for (let step = 0; step < 5000; step++) {
      const r = rng.next();
      const first = BigInt(rng.int(300));
      const last = first + BigInt(rng.int(rng.next() < 0.5 ? 3 : 30));
      if (r < 0.35) {
        intervals.add(first, last);
        for (let v = first; v <= last; v++) covered.add(v);
      } else if (r < 0.6) {
        intervals.remove(first, last);
        for (let v = first; v <= last; v++) covered.delete(v);
      } else if (r < 0.8) {
        a.add(Number(first));
        aSet.add(first);
      } else {
        a.delete(Number(first));
        aSet.delete(first);
      }
      intervals.checkInvariants();
      const probe = BigInt(rng.int(360));
      expect(intervals.has(probe)).toBe(covered.has(probe));
      expect(answers(intervals, probe)).toEqual(scan((v) => covered.has(v), probe, 400n));
      const inUnion = (v: bigint) => covered.has(v) || aSet.has(v) || fixedHas(v);
      expect(answers(union, probe)).toEqual(scan(inUnion, probe, 400n));
    }
  });
});
