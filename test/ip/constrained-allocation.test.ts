/**
 * Constrained allocation (`findFree`, `allocateWhere`) against the candidate-testing oracle of
 * naive-search.ts: exhaustively on tiny subnets (every fill × every window or exclude × every
 * mode), then random fills with records, child subnets and releases, IPv4 and IPv6 (a /64's
 * 2^52 bucket edges included).
 */
import { describe, expect, test } from "bun:test";
import { SubnetAllocator, allocationRequestError, parseCidr, type AllocationRequest, type Prefix, type ValueRange } from "../../src/ip/index.ts";
import { NaiveAllocator } from "./naive-allocator.ts";
import { naiveFindFree } from "./naive-search.ts";
import { Prng } from "./prng.ts";

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const bitsOf = (p: Prefix) => (p.family === 4 ? 32 : 128);
const spanOf = (p: Prefix) => 1n << BigInt(bitsOf(p) - p.length);

/** Every closed range inside [lo, hi]. */
function allRanges(lo: bigint, hi: bigint): ValueRange[] {
  const out: ValueRange[] = [];
  for (let a = lo; a <= hi; a++) for (let b = a; b <= hi; b++) out.push({ start: a, end: b });
  return out;
}

const MODES: Omit<AllocationRequest, "range" | "exclude">[] = [];
for (const count of [1, 2, 3]) {
  for (const from of ["start", "end"] as const) for (const contiguous of [false, true]) MODES.push({ count, from, contiguous });
}

describe("exhaustive on tiny subnets: every fill, window, exclude and mode", () => {
  for (const text of ["192.168.0.8/29", "10.0.0.4/30", "10.0.0.4/31", "10.0.0.9/32", "2001:db8::8/125", "2001:db8::/126", "2001:db8::/127"]) {
    test(text, () => {
      const p = cidr(text);
      const template = new NaiveAllocator(p.family, p.network, p.length);
      const usable: bigint[] = [];
      for (let v = template.first; v <= template.last; v++) usable.push(v);
      const ranges = allRanges(p.network, p.network + spanOf(p) - 1n);
      const windows = [undefined, ...ranges];
      for (let mask = 0; mask < 1 << usable.length; mask++) {
        const taken = usable.filter((_, k) => (mask >> k) & 1);
        const real = SubnetAllocator.fromTaken(p, taken);
        const naive = new NaiveAllocator(p.family, p.network, p.length);
        for (const v of taken) naive.records.add(v);
        for (const mode of MODES) {
          for (const range of windows) {
            const request = { ...mode, range };
            expect(real.findFree(request)).toEqual(naiveFindFree(naive, request));
          }
          for (const r of ranges) {
            const request = { ...mode, exclude: [r] };
            expect(real.findFree(request)).toEqual(naiveFindFree(naive, request));
          }
        }
      }
    });
  }
});

/** A random aligned child block inside `p` around a picked value. */
function randomChild(rng: Prng, p: Prefix, pick: () => bigint): { first: bigint; last: bigint } {
  const bits = bitsOf(p);
  const length = Math.min(bits, p.length + 1 + rng.int(8));
  const hostBits = BigInt(bits - length);
  const top = p.network + spanOf(p) - 1n;
  const raw = pick();
  const inside = raw < p.network ? p.network : raw > top ? top : raw;
  const first = ((inside - p.network) >> hostBits << hostBits) + p.network;
  return { first, last: first + (1n << hostBits) - 1n };
}

function randomRange(rng: Prng, p: Prefix, pick: () => bigint): ValueRange {
  const a = pick();
  const b = rng.next() < 0.3 ? a : pick();
  return a <= b ? { start: a, end: b } : { start: b, end: a };
}

function randomRequest(rng: Prng, p: Prefix, pick: () => bigint): AllocationRequest {
  const request: AllocationRequest = { count: 1 + rng.int(6) };
  if (rng.next() < 0.5) request.range = randomRange(rng, p, pick);
  if (rng.next() < 0.5) request.exclude = Array.from({ length: 1 + rng.int(4) }, () => randomRange(rng, p, pick));
  if (rng.next() < 0.5) request.from = "end";
  if (rng.next() < 0.3) request.contiguous = true;
  return request;
}

/** Random records, children, releases and constrained allocations, every answer compared. */
function runScenario(p: Prefix, seed: number, steps: number, pickValue: (rng: Prng) => bigint): void {
  const rng = new Prng(seed);
  const real = new SubnetAllocator(p);
  const naive = new NaiveAllocator(p.family, p.network, p.length);
  const pick = () => pickValue(rng);
  for (let step = 0; step < steps; step++) {
    const r = rng.next();
    if (r < 0.35) {
      const v = pick();
      expect(real.take(v)).toBe(naive.take(v));
    } else if (r < 0.45) {
      const records = [...naive.records];
      const v = records.length > 0 ? rng.pick(records) : pick();
      expect(real.release(v)).toBe(naive.release(v));
    } else if (r < 0.5) {
      const child = randomChild(rng, p, pick);
      if (naive.takeRange(child.first, child.last)) real.takeRange(child.first, child.last);
    } else if (r < 0.53 && naive.ranges.length > 0) {
      const child = rng.pick(naive.ranges);
      expect(real.releaseRange(child.first, child.last)).toBe(naive.releaseRange(child.first, child.last));
    } else {
      const request = randomRequest(rng, p, pick);
      const expected = naiveFindFree(naive, request);
      if (rng.next() < 0.5) {
        expect(real.findFree(request)).toEqual(expected);
      } else {
        expect(real.allocateWhere(request)).toEqual(expected);
        for (const v of expected ?? []) naive.records.add(v);
      }
    }
    if (step % 16 === 0) expect(real.firstFree()).toBe(naive.firstFree());
  }
}

describe("random fills against the oracle", () => {
  // ::20:0:0:0 is 2^53 (the first network whose values a double cannot hold exactly; its excludes
  // were once converted as if it could), ::1f:ffff:ffff:ff00 just below it.
  for (const text of ["10.0.0.0/24", "10.1.0.64/27", "10.0.0.0/22", "2001:db8::/120", "2001:db8::40/125", "::20:0:0:0/120", "::1f:ffff:ffff:ff00/120"]) {
    test(text, () => {
      const p = cidr(text);
      const span = Number(spanOf(p));
      for (const seed of [1, 2, 3]) {
        runScenario(p, seed * 100 + p.length, 1200, (rng) => p.network - 2n + BigInt(rng.int(span + 4)));
      }
    });
  }

  // Wide offsets: values cluster at the start, around 2^52 bucket edges and at the end.
  for (const text of ["2001:db8::/64", "::/0", "10.0.0.0/8"]) {
    test(`${text} (clustered)`, () => {
      const p = cidr(text);
      const top = p.network + spanOf(p) - 1n;
      const centres = [p.network, top - 3n, ...(p.family === 6 ? [p.network + (1n << 52n), p.network + (3n << 52n)] : [p.network + 0x10000n])];
      for (const seed of [7, 8]) {
        runScenario(p, seed, 1200, (rng) => {
          const v = rng.pick(centres) + BigInt(rng.int(16)) - 6n;
          return v < p.network ? p.network : v > top ? top : v;
        });
      }
    });
  }
});

describe("requests", () => {
  test("a reversed range or exclude is range_invalid, and the allocator refuses it", () => {
    const p = cidr("10.0.0.0/24");
    const reversed = { start: 0x0a000005n, end: 0x0a000002n };
    expect(allocationRequestError(4, { range: reversed })?.code).toBe("range_invalid");
    expect(allocationRequestError(4, { exclude: [{ start: 1n, end: 1n }, reversed] })?.message).toBe(
      "the range start 10.0.0.5 is after its end 10.0.0.2",
    );
    expect(allocationRequestError(4, { range: { start: 1n, end: 1n } })).toBeNull();
    const a = new SubnetAllocator(p);
    expect(() => a.findFree({ range: reversed })).toThrow(RangeError);
    expect(() => a.findFree({ exclude: [reversed] })).toThrow(RangeError);
    expect(() => a.findFree({ count: 0 })).toThrow(RangeError);
  });

  test("allocateWhere is all or nothing", () => {
    const p = cidr("10.0.0.0/29"); // usable .1-.6
    const a = SubnetAllocator.fromTaken(p, [0x0a000003n]);
    expect(a.allocateWhere({ count: 3, contiguous: true })).toEqual([0x0a000004n, 0x0a000005n, 0x0a000006n]);
    expect(a.allocateWhere({ count: 3 })).toBeNull();
    expect(a.counts().used).toBe(4n);
    expect(a.allocateWhere({ count: 2, from: "end" })).toEqual([0x0a000001n, 0x0a000002n]);
    expect(a.firstFree()).toBeNull();
  });

  test("a window over the network and broadcast addresses still skips them", () => {
    const a = new SubnetAllocator(cidr("10.0.0.0/24"));
    expect(a.findFree({ range: { start: 0x0a000000n, end: 0x0a000000n } })).toBeNull();
    expect(a.findFree({ from: "end", range: { start: 0x0a0000f0n, end: 0x0a0001ffn } })).toEqual([0x0a0000fen]);
  });
});
