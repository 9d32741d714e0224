import { describe, expect, test } from "bun:test";
import {
  comparePrefix,
  containsIp,
  containsPrefix,
  formatCidr,
  formatIp,
  isUsable,
  lastAddress,
  netmask,
  parseCidr,
  prefixSize,
  rangeToCidrs,
  splitPrefix,
  summarize,
  usableCount,
  usableRange,
  wildcard,
  type IpErrorCode,
  type Prefix,
} from "../../src/ip/index.ts";
import { Prng } from "./prng.ts";

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.value;
}
const ipText = (p: Prefix, value: bigint) => formatIp({ family: p.family, value });

describe("parseCidr refuses", () => {
  const bad: [string, IpErrorCode][] = [
    ["", "cidr_invalid"],
    ["abc", "cidr_invalid"],
    ["/24", "cidr_invalid"],
    ["10.0.0.0/", "cidr_invalid"],
    ["10.0.0.0/08", "cidr_invalid"],
    ["10.0.0.0/-1", "cidr_invalid"],
    ["10.0.0.0/+8", "cidr_invalid"],
    ["10.0.0.0/ 8", "cidr_invalid"],
    ["10.0.0.0/8/8", "cidr_invalid"],
    ["10.0.0.0/0x8", "cidr_invalid"],
    ["010.0.0.0/8", "cidr_invalid"],
    ["10.0/16", "cidr_invalid"],
    [" 10.0.0.0/8", "cidr_invalid"],
    ["10.0.0.0/33", "prefix_length_out_of_range"],
    ["10.0.0.0/1000", "prefix_length_out_of_range"],
    ["::/129", "prefix_length_out_of_range"],
    ["10.0.0.1", "cidr_missing_length"],
    ["2001:db8::", "cidr_missing_length"],
    ["fe80::1%eth0", "ip_zone_not_allowed"],
    ["fe80::1%eth0/64", "ip_zone_not_allowed"],
    ["fe80::/64%eth0", "ip_zone_not_allowed"],
    ["10.0.1.5/24", "cidr_host_bits_set"],
    ["2001:db8::1/64", "cidr_host_bits_set"],
  ];
  for (const [text, code] of bad) {
    test(JSON.stringify(text), () => {
      const r = parseCidr(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(code);
    });
  }

  test("kilobytes of text: refused without echoing them (the sentence quotes 64 characters)", () => {
    const r = parseCidr("x".repeat(5000) + "/24");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("cidr_invalid");
      expect(r.error.message).toBe(`${JSON.stringify("x".repeat(64) + "…")} is too long to be a CIDR`);
    }
    expect(parseCidr("2001:0db8:0000:0000:0000:0000:0000:0000/128").ok).toBe(true); // the longest there is
  });

  test("host bits: the message names the network and suggests it", () => {
    const r = parseCidr("10.0.1.5/24");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain("did you mean 10.0.1.0/24?");
    expect(r.error.suggestion).toBe("10.0.1.0/24");
    const v6 = parseCidr("2001:DB8::1/64");
    expect(!v6.ok && v6.error.suggestion).toBe("2001:db8::/64");
  });
});

describe("parseCidr + formatCidr", () => {
  const good: [string, string][] = [
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["192.168.1.7/32", "192.168.1.7/32"],
    ["::/0", "::/0"],
    ["2001:DB8:0:0::/48", "2001:db8::/48"],
    ["::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"],
  ];
  for (const [text, canonical] of good) test(text, () => expect(formatCidr(cidr(text))).toBe(canonical));
});

describe("edges: size, usable range, masks", () => {
  // [cidr, size, usable, first usable, last usable] written from API.md §6, not from the code.
  const table: [string, bigint, bigint, string, string][] = [
    ["0.0.0.0/0", 2n ** 32n, 2n ** 32n - 2n, "0.0.0.1", "255.255.255.254"],
    ["128.0.0.0/1", 2n ** 31n, 2n ** 31n - 2n, "128.0.0.1", "255.255.255.254"],
    ["10.0.0.0/8", 2n ** 24n, 2n ** 24n - 2n, "10.0.0.1", "10.255.255.254"],
    ["10.0.1.0/24", 256n, 254n, "10.0.1.1", "10.0.1.254"],
    ["10.0.1.4/30", 4n, 2n, "10.0.1.5", "10.0.1.6"],
    ["10.0.1.4/31", 2n, 2n, "10.0.1.4", "10.0.1.5"],
    ["10.0.1.4/32", 1n, 1n, "10.0.1.4", "10.0.1.4"],
    ["::/0", 2n ** 128n, 2n ** 128n - 1n, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["2001:db8:1::/48", 2n ** 80n, 2n ** 80n - 1n, "2001:db8:1::1", "2001:db8:1:ffff:ffff:ffff:ffff:ffff"],
    ["2001:db8::/64", 2n ** 64n, 2n ** 64n - 1n, "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff"],
    ["2001:db8::/126", 4n, 3n, "2001:db8::1", "2001:db8::3"],
    ["2001:db8::/127", 2n, 2n, "2001:db8::", "2001:db8::1"],
    ["2001:db8::5/128", 1n, 1n, "2001:db8::5", "2001:db8::5"],
  ];
  for (const [text, size, usable, first, last] of table) {
    test(text, () => {
      const p = cidr(text);
      expect(prefixSize(p)).toBe(size);
      expect(usableCount(p)).toBe(usable);
      const range = usableRange(p);
      expect(ipText(p, range.first)).toBe(first);
      expect(ipText(p, range.last)).toBe(last);
      expect(isUsable(p, range.first)).toBe(true);
      expect(isUsable(p, range.last)).toBe(true);
      expect(isUsable(p, range.first - 1n)).toBe(false);
      expect(isUsable(p, lastAddress(p) + 1n)).toBe(false);
      expect(netmask(p) + wildcard(p)).toBe(p.family === 4 ? 2n ** 32n - 1n : 2n ** 128n - 1n);
    });
  }

  test("netmask and wildcard of a /24", () => {
    const p = cidr("10.0.1.0/24");
    expect(ipText(p, netmask(p))).toBe("255.255.255.0");
    expect(ipText(p, wildcard(p))).toBe("0.0.0.255");
    expect(ipText(p, lastAddress(p))).toBe("10.0.1.255");
  });
});

describe("containment and order", () => {
  test("containsIp / containsPrefix", () => {
    const net = cidr("10.0.0.0/16");
    expect(containsPrefix(net, cidr("10.0.5.0/24"))).toBe(true);
    expect(containsPrefix(net, net)).toBe(true);
    expect(containsPrefix(cidr("10.0.5.0/24"), net)).toBe(false);
    expect(containsPrefix(net, cidr("10.1.0.0/24"))).toBe(false);
    expect(containsPrefix(cidr("::/0"), net)).toBe(false);
    expect(containsIp(net, { family: 4, value: 0x0a00ffffn })).toBe(true);
    expect(containsIp(net, { family: 4, value: 0x0a010000n })).toBe(false);
    expect(containsIp(cidr("::/0"), { family: 4, value: 1n })).toBe(false);
  });

  test("comparePrefix: family, then network, then length", () => {
    const texts = ["::/0", "10.0.0.0/24", "10.0.0.0/8", "9.0.0.0/8", "2001:db8::/32"];
    const sorted = texts.map(cidr).sort(comparePrefix).map(formatCidr);
    expect(sorted).toEqual(["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/24", "::/0", "2001:db8::/32"]);
  });
});

describe("splitPrefix", () => {
  test("equal children in order", () => {
    const parts = splitPrefix(cidr("10.0.0.0/24"), 26);
    expect(Array.isArray(parts) && parts.map(formatCidr)).toEqual([
      "10.0.0.0/26",
      "10.0.0.64/26",
      "10.0.0.128/26",
      "10.0.0.192/26",
    ]);
    const v6 = splitPrefix(cidr("2001:db8::/126"), 128);
    expect(Array.isArray(v6) && v6.map(formatCidr)).toEqual(["2001:db8::/128", "2001:db8::1/128", "2001:db8::2/128", "2001:db8::3/128"]);
  });
  test("refusals are error values", () => {
    const codeOf = (r: ReturnType<typeof splitPrefix>) => (Array.isArray(r) ? "ok" : r.code);
    expect(codeOf(splitPrefix(cidr("10.0.0.0/24"), 24))).toBe("split_length_invalid");
    expect(codeOf(splitPrefix(cidr("10.0.0.0/24"), 20))).toBe("split_length_invalid");
    expect(codeOf(splitPrefix(cidr("10.0.0.0/24"), 33))).toBe("split_length_invalid");
    expect(codeOf(splitPrefix(cidr("10.0.0.0/24"), 25.5))).toBe("split_length_invalid");
    expect(codeOf(splitPrefix(cidr("10.0.0.0/8"), 24, 1024))).toBe("split_too_many");
    expect(codeOf(splitPrefix(cidr("10.0.0.0/8"), 18, 1024))).toBe("ok");
    expect(codeOf(splitPrefix(cidr("::/0"), 64))).toBe("split_too_many");
  });
});

/** The addresses a list of prefixes covers, by brute force (small spaces only). */
function covered(prefixes: Prefix[]): Set<bigint> {
  const out = new Set<bigint>();
  for (const p of prefixes) for (let v = p.network; v <= lastAddress(p); v++) out.add(v);
  return out;
}

/** A minimal CIDR list has no contained blocks and no two halves of one block. */
function expectMinimalSorted(list: Prefix[]) {
  for (let i = 0; i + 1 < list.length; i++) {
    const a = list[i]!;
    const b = list[i + 1]!;
    expect(comparePrefix(a, b)).toBeLessThan(0);
    expect(a.family !== b.family || lastAddress(a) < b.network).toBe(true); // disjoint
    const siblings = a.family === b.family && a.length === b.length && a.length > 0 && lastAddress(a) + 1n === b.network;
    const bits = a.family === 4 ? 32 : 128;
    if (siblings) expect(a.network % (2n << BigInt(bits - a.length))).not.toBe(0n); // else they would merge
  }
}

describe("rangeToCidrs", () => {
  test("worked examples", () => {
    const list = (a: string, b: string) => {
      const s = cidr(`${a}/32`).network;
      const e = cidr(`${b}/32`).network;
      return rangeToCidrs(4, s, e).map(formatCidr);
    };
    expect(list("10.0.0.3", "10.0.0.9")).toEqual(["10.0.0.3/32", "10.0.0.4/30", "10.0.0.8/31"]);
    expect(list("0.0.0.0", "255.255.255.255")).toEqual(["0.0.0.0/0"]);
    expect(list("10.0.0.0", "10.0.0.255")).toEqual(["10.0.0.0/24"]);
    expect(rangeToCidrs(6, 0n, 2n ** 128n - 1n).map(formatCidr)).toEqual(["::/0"]);
    expect(rangeToCidrs(6, 1n, 2n ** 128n - 1n).length).toBe(128);
    expect(rangeToCidrs(4, 5n, 4n)).toEqual([]);
    expect(() => rangeToCidrs(4, 0n, 2n ** 32n)).toThrow(RangeError);
  });

  test("exact and minimal on random small ranges", () => {
    const rng = new Prng(99);
    for (let i = 0; i < 300; i++) {
      const s = BigInt(rng.int(600));
      const e = s + BigInt(rng.int(300));
      const list = rangeToCidrs(4, s, e);
      const got = covered(list);
      expect(got.size).toBe(Number(e - s + 1n));
      expect(got.has(s) && got.has(e) && !got.has(s - 1n) && !got.has(e + 1n)).toBe(true);
      expectMinimalSorted(list);
    }
  });
});

describe("summarize", () => {
  test("merges halves and drops contained blocks, per family", () => {
    const input = ["10.0.0.128/25", "10.0.0.0/25", "10.0.0.7/32", "2001:db8::/33", "2001:db8:8000::/33", "10.0.1.0/24"];
    expect(summarize(input.map(cidr)).map(formatCidr)).toEqual(["10.0.0.0/23", "2001:db8::/32"]);
    expect(summarize([])).toEqual([]);
  });

  test("covers exactly the union, minimally (random, brute force)", () => {
    const rng = new Prng(7);
    for (let i = 0; i < 200; i++) {
      const input: Prefix[] = [];
      for (let k = rng.int(8); k >= 0; k--) {
        const length = 23 + rng.int(10);
        const value = BigInt(rng.int(1024));
        const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - length)) - 1n);
        input.push({ family: 4, network: value & mask, length });
      }
      const out = summarize(input);
      expect([...covered(out)].sort()).toEqual([...covered(input)].sort());
      expectMinimalSorted(out);
    }
  });
});
