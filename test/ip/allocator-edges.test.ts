import { describe, expect, test } from "bun:test";
import { SubnetAllocator, formatIp, parseCidr, parseIp, rebuildAllocators, type Prefix } from "../../src/ip/index.ts";

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
function ip(text: string): bigint {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.value;
}
const show = (p: Prefix, v: bigint | null) => (v === null ? null : formatIp({ family: p.family, value: v }));

describe("first free on an empty subnet, and usable counts", () => {
  // [cidr, first free, usable] from API.md §6.
  const table: [string, string, bigint][] = [
    ["0.0.0.0/0", "0.0.0.1", 2n ** 32n - 2n],
    ["0.0.0.0/1", "0.0.0.1", 2n ** 31n - 2n],
    ["10.0.0.0/8", "10.0.0.1", 2n ** 24n - 2n],
    ["10.0.1.0/24", "10.0.1.1", 254n],
    ["10.0.1.4/30", "10.0.1.5", 2n],
    ["10.0.1.4/31", "10.0.1.4", 2n],
    ["10.0.1.4/32", "10.0.1.4", 1n],
    ["::/0", "::1", 2n ** 128n - 1n],
    ["2001:db8:1::/48", "2001:db8:1::1", 2n ** 80n - 1n],
    ["2001:db8::/64", "2001:db8::1", 2n ** 64n - 1n],
    ["2001:db8::/126", "2001:db8::1", 3n],
    ["2001:db8::/127", "2001:db8::", 2n],
    ["2001:db8::1/128", "2001:db8::1", 1n],
  ];
  for (const [text, first, usable] of table) {
    test(text, () => {
      const p = cidr(text);
      const a = new SubnetAllocator(p);
      expect(show(p, a.firstFree())).toBe(first);
      expect(a.counts()).toEqual({ size: a.counts().size, usable, used: 0n, free: usable });
      expect(show(p, a.allocate())).toBe(first);
      expect(a.counts().used).toBe(1n);
      expect(a.counts().free).toBe(usable - 1n);
    });
  }
});

describe("exhausting small subnets ends with null, never loops", () => {
  const table: [string, string[]][] = [
    ["10.0.1.4/30", ["10.0.1.5", "10.0.1.6"]],
    ["10.0.1.4/31", ["10.0.1.4", "10.0.1.5"]],
    ["10.0.1.4/32", ["10.0.1.4"]],
    ["10.0.1.8/29", ["10.0.1.9", "10.0.1.10", "10.0.1.11", "10.0.1.12", "10.0.1.13", "10.0.1.14"]],
    ["2001:db8::/126", ["2001:db8::1", "2001:db8::2", "2001:db8::3"]],
    ["2001:db8::/127", ["2001:db8::", "2001:db8::1"]],
    ["2001:db8::9/128", ["2001:db8::9"]],
  ];
  for (const [text, expected] of table) {
    test(text, () => {
      const p = cidr(text);
      const a = new SubnetAllocator(p);
      const got: (string | null)[] = [];
      for (let i = 0; i < expected.length; i++) got.push(show(p, a.allocate()));
      expect(got).toEqual(expected);
      expect(a.allocate()).toBeNull();
      expect(a.firstFree()).toBeNull();
      expect(a.allocateMany(1)).toBeNull();
      expect(a.freeRanges(10)).toEqual([]);
      expect(a.counts().free).toBe(0n);
      // releasing one frees exactly that one
      const middle = ip(expected[expected.length >> 1]!);
      expect(a.release(middle)).toBe(true);
      expect(a.release(middle)).toBe(false);
      expect(a.allocate()).toBe(middle);
    });
  }

  test("a /24 fills to 254 and its network and broadcast stay unusable", () => {
    const p = cidr("10.9.9.0/24");
    const a = new SubnetAllocator(p);
    expect(a.take(ip("10.9.9.0"))).toBe("unusable");
    expect(a.take(ip("10.9.9.255"))).toBe("unusable");
    expect(a.take(ip("10.9.10.1"))).toBe("unusable");
    expect(a.allocateMany(255)).toBeNull();
    expect(a.counts().used).toBe(0n); // all or nothing
    const all = a.allocateMany(254)!;
    expect(all.length).toBe(254);
    expect(show(p, all[0]!)).toBe("10.9.9.1");
    expect(show(p, all[253]!)).toBe("10.9.9.254");
    expect(a.allocate()).toBeNull();
  });

  test("a full subnet made of child ranges is null too", () => {
    const p = cidr("10.0.0.0/16");
    const a = new SubnetAllocator(p);
    a.takePrefix(cidr("10.0.0.0/17"));
    a.takePrefix(cidr("10.0.128.0/17"));
    expect(a.firstFree()).toBeNull();
    expect(a.counts()).toEqual({ size: 65536n, usable: 65534n, used: 65534n, free: 0n });
    expect(a.take(ip("10.0.5.5"))).toBe("taken");
    expect(a.coveringRange(ip("10.0.200.1"))).toEqual({ first: ip("10.0.128.0"), last: ip("10.0.255.255") });
    expect(a.releasePrefix(cidr("10.0.0.0/17"))).toBe(true);
    expect(show(p, a.firstFree())).toBe("10.0.0.1");
  });
});

describe("huge subnets stay exact and small", () => {
  test("IPv6 /0: allocations at both ends, counts in BigInt", () => {
    const p = cidr("::/0");
    const a = new SubnetAllocator(p);
    const top = 2n ** 128n - 1n;
    expect(a.take(top)).toBe("ok");
    expect(a.take(0n)).toBe("unusable"); // subnet-router anycast
    expect(a.allocateMany(3)).toEqual([1n, 2n, 3n]);
    expect(a.counts()).toEqual({ size: 2n ** 128n, usable: top, used: 4n, free: top - 4n });
    // The free space has a hole: IPv4-mapped space (::ffff:0:0/96) is never handed out.
    const mappedFirst = 0xffff_0000_0000n;
    const mappedLast = 0xffff_ffff_ffffn;
    expect(a.freeRanges(2)).toEqual([
      { start: 4n, end: mappedFirst - 1n, size: mappedFirst - 4n },
      { start: mappedLast + 1n, end: top - 1n, size: top - 1n - mappedLast },
    ]);
    expect(a.nextFreeAfter(top - 2n)).toBe(top - 1n);
    expect(a.nextFreeAfter(top - 1n)).toBeNull();
  });

  test("IPv4-mapped space inside an IPv6 subnet is never handed out: not by first-free, the end, a range, a block or a reserve", () => {
    const p = cidr("::fffe:0:0/95"); // its upper half is ::ffff:0:0/96
    const a = new SubnetAllocator(p);
    const mappedFirst = 0xffff_0000_0000n;
    const lowerLast = mappedFirst - 1n; // ::fffe:ffff:ffff
    expect(a.take(mappedFirst + 5n)).toBe("unusable");
    expect(a.findFree({ from: "end" })).toEqual([lowerLast]);
    expect(a.findFree({ range: { start: lowerLast - 1n, end: mappedFirst + 10n }, count: 2 })).toEqual([lowerLast - 1n, lowerLast]);
    expect(a.findFree({ range: { start: lowerLast, end: mappedFirst + 10n }, count: 2 })).toBeNull();
    expect(a.findFree({ range: { start: lowerLast - 5n, end: mappedFirst + 10n }, count: 3, contiguous: true, from: "end" })).toEqual([lowerLast - 2n, lowerLast - 1n, lowerLast]);
    expect(a.findFree({ range: { start: lowerLast, end: mappedFirst + 10n }, exclude: [{ start: lowerLast, end: lowerLast }] })).toBeNull();
    expect(a.freeRanges(3, lowerLast)).toEqual([{ start: lowerLast, end: lowerLast, size: 1n }]);
    expect(a.nextFreeAfter(lowerLast)).toBeNull();
    // Counts follow API.md's usable rule (which does not name mapped space). A free child block
    // is never mapped space (no subnet may be), but a shorter one may contain all of it.
    expect(a.counts().usable).toBe(2n ** 33n - 1n);
    expect(a.freeSubnets(96, { limit: 2 }).map((b) => b.network)).toEqual([p.network]);
    expect(a.freeSubnets(112, { limit: 1, from: "end" }).map((b) => b.network)).toEqual([mappedFirst - 2n ** 16n]);
    expect(new SubnetAllocator(cidr("::/64")).freeSubnets(95, { limit: 1, after: 0xfffc_0000_0000n }).map((b) => b.network)).toEqual([0xfffe_0000_0000n]);
    // Its lower half a child: nothing is left to allocate, though the counts (API.md's rule) say 2^32 free.
    a.takePrefix(cidr("::fffe:0:0/96"));
    expect(a.firstFree()).toBeNull();
    expect(a.allocateMany(1)).toBeNull();
    expect([a.counts().free, a.allocatable()]).toEqual([2n ** 32n, 0n]);
    expect(new SubnetAllocator(cidr("2001:db8::/126")).allocatable()).toBe(3n);
    // A subnet without mapped space is untouched.
    expect(new SubnetAllocator(cidr("2001:db8::/64")).findFree({ from: "end" })).toEqual([cidr("2001:db8::/64").network + 2n ** 64n - 1n]);
  });

  test("a record already in IPv4-mapped space (an older database) is restored where take refuses it: rollbacks and moves keep it", () => {
    const p = cidr("::fffe:0:0/95");
    const mapped = 0xffff_0a07_0001n;
    const a = SubnetAllocator.fromTaken(p, [mapped]); // boot loads what the database holds
    expect(a.counts().used).toBe(1n);
    expect(a.release(mapped)).toBe(true);
    expect(a.take(mapped)).toBe("unusable");
    expect(a.restore(mapped)).toBe("ok");
    expect(a.restore(mapped)).toBe("taken");
    expect(a.counts().used).toBe(1n);
    expect(a.restore(p.network)).toBe("unusable"); // restore still refuses what is outside the usable range
    a.takePrefix(cidr("::ffff:a07:0/112"));
    expect(a.restore(mapped + 1n)).toBe("taken"); // and what a child subnet covers
  });

  test("IPv6 /64 with a /65 child: first free skips 2^63 addresses at once", () => {
    const p = cidr("2001:db8::/64");
    const a = new SubnetAllocator(p);
    a.takePrefix(cidr("2001:db8::/65"));
    expect(show(p, a.firstFree())).toBe("2001:db8:0:0:8000::");
    expect(a.counts().used).toBe(2n ** 63n - 1n); // the network address is not usable
  });

  test("records under a new child are counted once, then released", () => {
    const p = cidr("10.0.0.0/24");
    const a = new SubnetAllocator(p);
    a.allocateMany(20);
    a.takePrefix(cidr("10.0.0.0/28")); // covers .0-.15: 15 usable, 15 of the records inside
    expect(a.counts().used).toBe(15n + 5n);
    for (let v = 1; v <= 15; v++) expect(a.release(ip(`10.0.0.${v}`))).toBe(true);
    expect(a.counts().used).toBe(15n + 5n);
    expect(show(p, a.firstFree())).toBe("10.0.0.21");
    expect(() => a.takePrefix(cidr("10.0.0.8/29"))).toThrow(RangeError); // overlaps the /28
    expect(() => a.takeRange(ip("10.0.0.250"), ip("10.0.1.3"))).toThrow(RangeError); // leaves the subnet
  });
});

describe("rebuildAllocators", () => {
  test("equals the same state built by single operations, sorted or not", () => {
    const p = cidr("10.0.0.0/20");
    const values = [5n, 6n, 7n, 100n, 4000n, 1n].map((o) => p.network + o);
    const child = cidr("10.0.8.0/24");
    const rebuilt = rebuildAllocators([
      { id: "sorted", prefix: p, taken: [...values].sort((x, y) => (x < y ? -1 : 1)), children: [child] },
      { id: "unsorted", prefix: p, taken: values, children: [child] },
    ]);
    for (const id of ["sorted", "unsorted"]) {
      const manual = new SubnetAllocator(p);
      for (const v of values) manual.take(v);
      manual.takePrefix(child);
      const a = rebuilt.get(id)!;
      expect(a.counts()).toEqual(manual.counts());
      expect(a.freeRanges(100)).toEqual(manual.freeRanges(100));
      expect(a.allocateMany(5)).toEqual(manual.allocateMany(5)!);
    }
  });

  test("refuses an unusable or duplicate value", () => {
    const p = cidr("10.0.0.0/24");
    expect(() => SubnetAllocator.fromTaken(p, [p.network])).toThrow(RangeError);
    expect(() => SubnetAllocator.fromTaken(p, [p.network + 3n, p.network + 3n])).toThrow(RangeError);
  });
});
