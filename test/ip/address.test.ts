import { describe, expect, test } from "bun:test";
import ipaddr from "ipaddr.js";
import { formatIp, ipFromKey, ipKey, parseIp, type Ip, type IpErrorCode } from "../../src/ip/index.ts";
import { Prng } from "./prng.ts";

describe("parseIp refuses lenient forms", () => {
  const bad: [string, IpErrorCode][] = [
    ["", "ip_invalid"],
    ["abc", "ip_invalid"],
    ["010.0.0.1", "ip_invalid"], // would be 8.0.0.1 in octal-happy parsers
    ["10.01.0.1", "ip_invalid"],
    ["10.1", "ip_invalid"],
    ["10.0.1", "ip_invalid"],
    ["10.0.0.1.5", "ip_invalid"],
    ["0x0a.0.0.1", "ip_invalid"],
    ["0xa000001", "ip_invalid"],
    ["167772161", "ip_invalid"],
    ["1.2.3.256", "ip_invalid"],
    ["1.2.3.-1", "ip_invalid"],
    ["1.2.3.", "ip_invalid"],
    ["1..2.3", "ip_invalid"],
    [" 1.2.3.4", "ip_invalid"],
    ["1.2.3.4 ", "ip_invalid"],
    ["1.2.3.4\n", "ip_invalid"],
    ["１.2.3.4", "ip_invalid"], // full-width digit
    ["fe80::1%eth0", "ip_zone_not_allowed"],
    ["fe80::1%1", "ip_zone_not_allowed"],
    [":::", "ip_invalid"],
    ["1::2::3", "ip_invalid"],
    [":1::", "ip_invalid"],
    ["1::2:", "ip_invalid"],
    ["1:2:3:4:5:6:7", "ip_invalid"],
    ["1:2:3:4:5:6:7:8:9", "ip_invalid"],
    ["1:2:3:4:5:6:7::8", "ip_invalid"], // :: must stand for at least one group
    ["12345::", "ip_invalid"],
    ["g::1", "ip_invalid"],
    ["::ffff:010.0.0.1", "ip_invalid"],
    ["::ffff:1.2.3", "ip_invalid"],
    ["1.2.3.4::", "ip_invalid"],
    ["[::1]", "ip_invalid"],
    ["::1/128", "ip_invalid"],
    ["1".repeat(100), "ip_invalid"],
  ];
  for (const [text, code] of bad) {
    test(JSON.stringify(text), () => {
      const r = parseIp(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(r.error.message.length).toBeGreaterThan(10);
      }
    });
  }
});

describe("parseIp + formatIp give canonical text", () => {
  const good: [string, string, 4 | 6][] = [
    ["0.0.0.0", "0.0.0.0", 4],
    ["255.255.255.255", "255.255.255.255", 4],
    ["10.0.1.51", "10.0.1.51", 4],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1", 6],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", 6],
    ["::", "::", 6],
    ["::1", "::1", 6],
    ["1::", "1::", 6],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", 6], // a single zero group is not compressed
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1", 6], // the longest run wins
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 6], // on a tie, the leftmost
    ["FE80::ABCD", "fe80::abcd", 6],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4", 6], // IPv4-mapped stays IPv6, dotted (RFC 5952 §5)
    ["::ffff:0102:0304", "::ffff:1.2.3.4", 6],
    ["::1.2.3.4", "::102:304", 6],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221", 6],
  ];
  for (const [text, canonical, family] of good) {
    test(`${text} → ${canonical}`, () => {
      const r = parseIp(text);
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.value.family).toBe(family);
        expect(formatIp(r.value)).toBe(canonical);
      }
    });
  }

  test("values are the integers the text denotes", () => {
    expect(parseIp("10.0.0.1")).toEqual({ ok: true, value: { family: 4, value: 167772161n } });
    expect(parseIp("::ffff:1.2.3.4")).toEqual({ ok: true, value: { family: 6, value: 0xffff_0102_0304n } });
    expect(parseIp("8000::")).toEqual({ ok: true, value: { family: 6, value: 1n << 127n } });
  });
});

/** Random IPv6 values rich in zero groups, so compression choices get exercised. */
function randomV6(rng: Prng): bigint {
  let v = 0n;
  for (let g = 0; g < 8; g++) v = (v << 16n) | BigInt(rng.next() < 0.5 ? 0 : rng.int(0x10000));
  return v;
}

describe("agreement with ipaddr.js (an independent implementation)", () => {
  test("IPv6: same value and RFC 5952 text, outside the IPv4-mapped range", () => {
    const rng = new Prng(5952);
    for (let i = 0; i < 3000; i++) {
      const ip: Ip = { family: 6, value: randomV6(rng) };
      const text = formatIp(ip);
      const theirs = ipaddr.IPv6.parse(text);
      const theirValue = theirs.parts.reduce((acc, part) => (acc << 16n) | BigInt(part), 0n);
      expect(theirValue).toBe(ip.value);
      if (ip.value >> 32n !== 0xffffn) expect(text).toBe(theirs.toRFC5952String());
      // and our parser reads back the normalized long form
      const back = parseIp(theirs.toNormalizedString().toUpperCase());
      expect(back.ok && back.value.value).toBe(ip.value);
    }
  });

  test("IPv4: every accepted text is a four-part decimal for ipaddr.js too", () => {
    const rng = new Prng(4);
    for (let i = 0; i < 2000; i++) {
      const value = BigInt(rng.int(2 ** 32));
      const text = formatIp({ family: 4, value });
      expect(ipaddr.IPv4.isValidFourPartDecimal(text)).toBe(true);
      expect(ipaddr.IPv4.parse(text).toString()).toBe(text);
      expect(parseIp(text)).toEqual({ ok: true, value: { family: 4, value } });
    }
  });
});

describe("ipKey", () => {
  /** The key's number, computed here independently: IPv4 lives at ::ffff:a.b.c.d. */
  const expectedKeyValue = (ip: Ip) => (ip.family === 4 ? (0xffffn << 32n) + ip.value : ip.value);
  const keyValue = (key: Uint8Array) => key.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const compareBytes = (a: Uint8Array, b: Uint8Array) => {
    for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  };

  test("is 16 bytes big-endian, IPv4 as IPv4-mapped IPv6", () => {
    const key = ipKey({ family: 4, value: 0x0a000001n });
    expect([...key]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]);
  });

  test("byte order equals numeric order, across families", () => {
    const rng = new Prng(16);
    const ips: Ip[] = [];
    for (let i = 0; i < 400; i++) {
      ips.push(rng.next() < 0.5 ? { family: 4, value: BigInt(rng.int(2 ** 32)) } : { family: 6, value: rng.bigint(1n << 128n) });
      ips.push({ family: 6, value: BigInt(rng.int(2 ** 20)) }); // below ::ffff:0:0
    }
    for (let i = 0; i + 1 < ips.length; i++) {
      const a = ips[i]!;
      const b = ips[i + 1]!;
      const byBytes = Math.sign(compareBytes(ipKey(a), ipKey(b)));
      const byNumber = Math.sign(Number(expectedKeyValue(a) - expectedKeyValue(b)));
      expect(byBytes).toBe(byNumber);
      expect(keyValue(ipKey(a))).toBe(expectedKeyValue(a));
    }
  });

  test("documented placement: low IPv6 < all IPv4 < other IPv6", () => {
    const order = ["::1", "0.0.0.0", "10.0.0.1", "255.255.255.255", "::1:0:0:0", "2001:db8::"].map((t) => {
      const r = parseIp(t);
      if (!r.ok) throw new Error(t);
      return ipKey(r.value);
    });
    for (let i = 0; i + 1 < order.length; i++) expect(compareBytes(order[i]!, order[i + 1]!)).toBeLessThan(0);
  });

  test("ipFromKey inverts ipKey; the mapped range decodes as IPv4", () => {
    const rng = new Prng(17);
    for (let i = 0; i < 500; i++) {
      const v4: Ip = { family: 4, value: BigInt(rng.int(2 ** 32)) };
      const v6: Ip = { family: 6, value: rng.bigint(1n << 128n) };
      expect(ipFromKey(ipKey(v4))).toEqual(v4);
      if (v6.value >> 32n !== 0xffffn) expect(ipFromKey(ipKey(v6))).toEqual(v6);
    }
    expect(ipFromKey(ipKey({ family: 6, value: 0xffff_0102_0304n }))).toEqual({ family: 4, value: 0x0102_0304n });
    expect(() => ipFromKey(new Uint8Array(4))).toThrow(RangeError);
  });
});
