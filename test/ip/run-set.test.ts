import { describe, expect, test } from "bun:test";
import { WideOffsetSet } from "../../src/ip/offset-set.ts";
import { RunSet } from "../../src/ip/run-set.ts";
import { Prng } from "./prng.ts";

/** Runs of a plain Set, computed the slow way. */
function runsOf(values: Iterable<number>): [number, number][] {
  const sorted = [...values].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const v of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] + 1 === v) last[1] = v;
    else runs.push([v, v]);
  }
  return runs;
}

/** A RunSet (pages of `pageRuns`) and its oracle holding each of 0..2999 with probability `density`. */
function filled(rng: Prng, pageRuns: number, density: number): { set: RunSet; oracle: Set<number> } {
  const set = new RunSet(pageRuns);
  const oracle = new Set<number>();
  for (let v = 0; v < 3000; v++) {
    if (rng.next() < density) {
      set.add(v);
      oracle.add(v);
    }
  }
  return { set, oracle };
}

describe("RunSet against a Set<number>", () => {
  // A span of 6,000 with ~50% density gives ~1,500 runs: several page splits and merges.
  // Pages of 4 runs put a page boundary next to almost every run; 256 is the production size.
  // Pages of 7 (odd) once shrank a page to an odd-length array, splitting a run in half.
  for (const [seed, pageRuns] of [[1, 4], [2, 4], [3, 256], [4, 7]] as const) {
    test(`seed ${seed}, pages of ${pageRuns} runs`, () => {
      const rng = new Prng(seed);
      const set = new RunSet(pageRuns);
      const oracle = new Set<number>();
      for (let step = 0; step < 20_000; step++) {
        const x = rng.int(6000);
        const r = rng.next();
        if (r < 0.55) expect(set.add(x)).toBe(!oracle.has(x));
        else if (r < 0.95) expect(set.delete(x)).toBe(oracle.has(x));
        else {
          const b = x + rng.int(300);
          let n = 0;
          for (const v of oracle) if (v >= x && v <= b) n++;
          expect(set.countInRange(x, b)).toBe(n);
        }
        if (r < 0.55) oracle.add(x);
        else if (r < 0.95) oracle.delete(x);
        expect(set.size).toBe(oracle.size);
        const probe = rng.int(6100);
        expect(set.has(probe)).toBe(oracle.has(probe));
        let absent = probe;
        while (oracle.has(absent)) absent++;
        expect(set.nextAbsent(probe)).toBe(absent);
        let present = probe;
        while (present < 6000 && !oracle.has(present)) present++;
        expect(set.nextPresent(probe)).toBe(present < 6000 ? present : -1);
        if (step % 1000 === 0) expect([...set.runs()]).toEqual(runsOf(oracle));
        if (step % 16 === 0) set.checkInvariants();
      }
      expect([...set.runs()]).toEqual(runsOf(oracle));
    });
  }

  test("appendMax bulk load equals adds, and refuses unsorted input", () => {
    const rng = new Prng(11);
    const values: number[] = [];
    for (let v = 0; values.length < 5000; v += 1 + (rng.next() < 0.7 ? 0 : rng.int(5))) values.push(v);
    const bulk = new RunSet(8);
    for (const v of values) bulk.appendMax(v);
    expect(bulk.size).toBe(values.length);
    expect([...bulk.runs()]).toEqual(runsOf(values));
    // still editable after a bulk load (pages are full there)
    for (const v of values.slice(0, 2000)) if (rng.next() < 0.5) bulk.delete(v);
    for (let i = 0; i < 2000; i++) bulk.add(rng.int(values[values.length - 1]!));
    bulk.checkInvariants();
    const copy = new Set([...bulk.runs()].flatMap(([s, e]) => Array.from({ length: e - s + 1 }, (_, k) => s + k)));
    expect(bulk.size).toBe(copy.size);
    expect(() => bulk.appendMax(0)).toThrow(RangeError);
  });
});

describe("WideOffsetSet across 2^52 bucket boundaries", () => {
  test("against a Set<bigint>", () => {
    const rng = new Prng(52);
    const boundary = 1n << 52n;
    // Candidates cluster around bucket edges, at 0, and near 2^64.
    const candidates: bigint[] = [];
    for (const centre of [0n, boundary, 2n * boundary, 3n * boundary, (1n << 64n) - 8n]) {
      for (let d = -6n; d <= 6n; d++) if (centre + d >= 0n) candidates.push(centre + d);
    }
    const set = new WideOffsetSet();
    const oracle = new Set<bigint>();
    for (let step = 0; step < 5000; step++) {
      const x = rng.pick(candidates);
      if (rng.next() < 0.6) {
        expect(set.add(x)).toBe(!oracle.has(x));
        oracle.add(x);
      } else {
        expect(set.delete(x)).toBe(oracle.has(x));
        oracle.delete(x);
      }
      const probe = rng.pick(candidates);
      let absent = probe;
      while (oracle.has(absent)) absent++;
      expect(set.nextAbsent(probe)).toBe(absent);
      const sorted = [...oracle].sort((a, b) => (a < b ? -1 : 1));
      expect(set.nextPresent(probe)).toBe(sorted.find((v) => v >= probe) ?? null);
      const hi = probe + BigInt(rng.int(20)) * boundary;
      expect(set.countInRange(probe, hi)).toBe(sorted.filter((v) => v >= probe && v <= hi).length);
      expect(set.size).toBe(oracle.size);
    }
  });
});

describe("RunSet.firstGap / lastGap against a naive scan", () => {
  /** Start of the lowest (or highest) n consecutive non-members of [lo, hi] in `oracle`, or −1. */
  function naiveGap(oracle: Set<number>, lo: number, hi: number, n: number, fromEnd: boolean): number {
    let run = 0;
    if (!fromEnd) {
      for (let v = lo; v <= hi; v++) {
        run = oracle.has(v) ? 0 : run + 1;
        if (run === n) return v - n + 1;
      }
    } else {
      for (let v = hi; v >= lo; v--) {
        run = oracle.has(v) ? 0 : run + 1;
        if (run === n) return v;
      }
    }
    return -1;
  }

  // Dense fills (the case the gap walk is for) and sparse ones, pages of 4 runs (a page
  // boundary next to almost every run) and of 256; windows anywhere, also past both ends.
  for (const [seed, pageRuns, density] of [[11, 4, 0.9], [12, 4, 0.5], [13, 256, 0.97], [14, 7, 0.2], [15, 4, 0]] as const) {
    test(`seed ${seed}, pages of ${pageRuns}, density ${density}`, () => {
      const rng = new Prng(seed);
      const { set, oracle } = filled(rng, pageRuns, density);
      for (let q = 0; q < 3000; q++) {
        const lo = rng.int(3200);
        const hi = lo + rng.int(600) - 50;
        const n = 1 + rng.int(q % 3 === 0 ? 12 : 4);
        expect(set.firstGap(lo, hi, n)).toBe(lo > hi ? -1 : naiveGap(oracle, lo, hi, n, false));
        expect(set.lastGap(lo, hi, n)).toBe(lo > hi ? -1 : naiveGap(oracle, lo, hi, n, true));
      }
    });
  }
});

describe("firstAbsentOutside / lastAbsentOutside (constrained allocation with excludes) against a Set", () => {
  /** Sorted, disjoint, non-touching intervals over [0, 3200), flat [s0, e0, s1, e1, ...]. */
  function randomSkip(rng: Prng): number[] {
    const flat: number[] = [];
    let v = rng.int(40);
    for (let k = rng.int(12); k > 0 && v < 3200; k--) {
      const end = v + (rng.next() < 0.6 ? 0 : rng.int(30));
      flat.push(v, end);
      v = end + 2 + rng.int(rng.next() < 0.5 ? 5 : 400);
    }
    return flat;
  }
  const skipped = (skip: number[], v: number) => {
    for (let k = 0; k < skip.length; k += 2) if (skip[k]! <= v && v <= skip[k + 1]!) return true;
    return false;
  };
  const free = (oracle: Set<number>, skip: number[], v: number) => v >= 0 && !oracle.has(v) && !skipped(skip, v);

  for (const [seed, pageRuns, density] of [[21, 4, 0.9], [22, 4, 0.5], [23, 256, 0.97], [24, 7, 0.2], [25, 4, 0]] as const) {
    test(`seed ${seed}, pages of ${pageRuns}, density ${density}`, () => {
      const rng = new Prng(seed);
      const { set, oracle } = filled(rng, pageRuns, density);
      for (let q = 0; q < 3000; q++) {
        const skip = randomSkip(rng);
        const lo = rng.int(3200);
        const hi = lo + rng.int(600) - 50;
        let first = -1;
        for (let v = lo; v <= hi; v++) if (free(oracle, skip, v)) { first = v; break; }
        expect(set.firstAbsentOutside(lo, hi, skip)).toBe(first);
        if (first >= 0) {
          // The stretch's far end: the last free value before the next member or skipped one.
          let edge = first;
          while (edge < 3300 && free(oracle, skip, edge + 1)) edge++;
          expect(set.stretchEdge === Infinity ? 3300 : set.stretchEdge).toBe(edge);
        }
        let last = -1;
        for (let v = hi; v >= lo; v--) if (free(oracle, skip, v)) { last = v; break; }
        expect(set.lastAbsentOutside(lo, hi, skip)).toBe(last);
        if (last >= 0) {
          let edge = last;
          while (free(oracle, skip, edge - 1)) edge--;
          expect(set.stretchEdge).toBe(edge);
        }
      }
    });
  }
});
