/**
 * ExpiryIndex against a Map scanned in full: random set / move / clear / sweep sequences,
 * ties on one deadline, and a sweep of 100,000 deadlines in one call.
 */
import { describe, expect, test } from "bun:test";
import { ExpiryIndex, type Expiry } from "../../src/ip/index.ts";
import { Prng } from "./prng.ts";

/** The oracle's answer: keys due at `now`, earliest first, ties in the order they were set. */
function naiveDue(deadlines: Map<number, { at: number; seq: number }>, now: number, limit: number): Expiry<number>[] {
  return [...deadlines]
    .filter(([, d]) => d.at <= now)
    .sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)
    .slice(0, limit)
    .map(([key, d]) => ({ key, at: d.at }));
}

describe("ExpiryIndex against a Map", () => {
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}`, () => {
      const rng = new Prng(seed);
      const index = new ExpiryIndex<number>();
      const oracle = new Map<number, { at: number; seq: number }>();
      let seq = 0;
      let now = 0;
      for (let step = 0; step < 4000; step++) {
        const r = rng.next();
        const key = rng.int(300);
        if (r < 0.5) {
          const at = now + rng.int(50); // small range: many equal deadlines
          index.set(key, at);
          oracle.set(key, { at, seq: seq++ });
        } else if (r < 0.7) {
          expect(index.delete(key)).toBe(oracle.delete(key));
        } else if (r < 0.8) {
          const limit = 1 + rng.int(10);
          const expected = naiveDue(oracle, now, limit);
          expect(index.popDue(now, limit)).toEqual(expected);
          for (const e of expected) oracle.delete(e.key);
        } else {
          now += rng.int(5);
        }
        expect(index.size).toBe(oracle.size);
        expect(index.get(key)).toBe(oracle.get(key)?.at);
        expect(index.isExpired(key, now)).toBe((oracle.get(key)?.at ?? Infinity) <= now);
        const limit = 1 + rng.int(20);
        expect(index.due(now, limit)).toEqual(naiveDue(oracle, now, limit));
        expect(index.next()).toEqual(naiveDue(oracle, Infinity, 1)[0] ?? null);
        if (step % 50 === 0) index.checkInvariants();
      }
    });
  }

  test("moving a deadline later or clearing it keeps the key from expiring", () => {
    const index = new ExpiryIndex<string>();
    index.set("a", 100);
    index.set("b", 100);
    index.set("c", 50);
    index.set("a", 500); // a PATCH that extends the hold
    index.delete("c"); // a PATCH that clears expires_at
    expect(index.due(100)).toEqual([{ key: "b", at: 100 }]);
    expect(index.popDue(99)).toEqual([]);
    expect(index.popDue(100)).toEqual([{ key: "b", at: 100 }]);
    expect(index.next()).toEqual({ key: "a", at: 500 });
    expect(() => index.set("d", NaN)).toThrow(RangeError);
  });

  test("a sweep of 100,000 deadlines returns them all, in order, once", () => {
    const rng = new Prng(100);
    const index = new ExpiryIndex<number>();
    for (let key = 0; key < 100_000; key++) index.set(key, rng.int(1_000_000));
    index.set(-1, 2_000_000); // not yet due
    const swept = index.popDue(1_000_000);
    expect(swept.length).toBe(100_000);
    expect(new Set(swept.map((e) => e.key)).size).toBe(100_000);
    expect(swept.every((e, k) => k === 0 || e.at >= swept[k - 1]!.at)).toBe(true);
    expect(index.size).toBe(1);
    index.checkInvariants();
  });
});
