/**
 * SubnetAllocator.loadKeys (the boot path): packed 16-byte keys, decoded on doubles for
 * narrow subnets and on BigInts for wide ones, must build what `fromTaken` builds from the
 * same values in any order and split into any pages, and refuse what `fromTaken` refuses.
 */
import { describe, expect, test } from "bun:test";
import { ipKey, parseCidr, SubnetAllocator, type Prefix } from "../../src/ip";
import { Prng } from "./prng";

function prefix(cidr: string): Prefix {
  const p = parseCidr(cidr);
  if (!p.ok) throw new Error(cidr);
  return p.value;
}

function pack(p: Prefix, values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 16);
  values.forEach((value, i) => out.set(ipKey({ family: p.family, value }), i * 16));
  return out;
}

function loaded(p: Prefix, pages: bigint[][]): SubnetAllocator {
  const a = new SubnetAllocator(p);
  for (const page of pages) a.loadKeys(pack(p, page), page.length);
  return a;
}

const picture = (a: SubnetAllocator) => ({ counts: a.counts(), free: a.freeRanges(100), own: a.ownRecords(), first: a.firstFree() });

describe("SubnetAllocator.loadKeys", () => {
  for (const cidr of ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/64", "2001:db8::/112", "2001:db8::/76", "::ffff:0:0/96"]) {
    test(`${cidr}: sorted pages, shuffled pages and one key at a time equal fromTaken`, () => {
      const p = prefix(cidr);
      const rng = new Prng(cidr.length);
      const span = p.family === 4 ? 1n << BigInt(32 - p.length) : 1n << BigInt(128 - p.length);
      const values = new Set<bigint>();
      let v = p.network + 1n;
      while (values.size < 600 && v < p.network + span - 2n) {
        values.add(v);
        v += BigInt(1 + rng.int(3));
      }
      for (let i = 0; i < 100; i++) values.add(p.network + 1n + rng.bigint(span - 3n));
      const sorted = [...values].sort((a, b) => (a < b ? -1 : 1));
      const expected = picture(SubnetAllocator.fromTaken(p, sorted));
      expect(picture(loaded(p, [sorted]))).toEqual(expected);
      expect(picture(loaded(p, [sorted.slice(0, 250), sorted.slice(250)]))).toEqual(expected);
      const shuffled = [...sorted].sort(() => rng.next() - 0.5);
      expect(picture(loaded(p, [shuffled.slice(0, 333), shuffled.slice(333)]))).toEqual(expected);
      expect(picture(loaded(p, sorted.map((x) => [x])))).toEqual(expected);
      if (p.family === 4) {
        // The IPv4 boot query sends only the keys' last 4 bytes.
        const a = new SubnetAllocator(p);
        const four = new Uint8Array(shuffled.length * 4);
        shuffled.forEach((x, i) => new DataView(four.buffer).setUint32(i * 4, Number(x)));
        a.loadKeys(four, shuffled.length, 4);
        expect(picture(a)).toEqual(expected);
      } else {
        expect(() => new SubnetAllocator(p).loadKeys(new Uint8Array(4), 1, 4)).toThrow(/IPv4/);
      }
    });
  }

  test("refuses a duplicate (also across pages), an unusable address and an address of another subnet", () => {
    const p = prefix("2001:db8::/120");
    expect(() => loaded(p, [[p.network + 5n], [p.network + 5n]])).toThrow(/listed twice/);
    expect(() => loaded(p, [[p.network + 9n, p.network + 5n, p.network + 9n]])).toThrow(/listed twice/);
    expect(() => loaded(p, [[p.network]])).toThrow(/not usable/); // the subnet-router anycast address
    expect(() => loaded(p, [[p.network + (1n << 64n) + 1n]])).toThrow(/not usable/); // same low bits, other /64
    expect(() => loaded(p, [[p.network + 256n]])).toThrow(/not usable/);
    const v4 = prefix("192.0.2.0/24");
    expect(() => loaded(v4, [[v4.network + 255n]])).toThrow(/not usable/); // broadcast
    expect(() => loaded(v4, [[v4.network - 1n]])).toThrow(/not usable/);
    expect(() => new SubnetAllocator(v4).loadKeys(new Uint8Array(16), 2)).toThrow(/need 32 bytes/);
  });
});
