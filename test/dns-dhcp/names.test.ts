/**
 * Issue 14: host names typed into ipcraft are free text, and a DNS or DHCP file with one
 * broken name is refused whole by its server; these pin which names are usable, how they
 * are qualified, and the reverse-zone arithmetic, as tables over the pure functions.
 */
import { describe, expect, test } from "bun:test";
import { parseIp } from "../../src/ip/address";
import { parseCidr } from "../../src/ip/prefix";
import { hostNameOf, parseDomain } from "../../src/features/dns-dhcp/names";
import { alignedPrefix, parseReverseZone, ptrOwner, reverseZoneName } from "../../src/features/dns-dhcp/reverse-zone";

describe("hostNameOf", () => {
  const usable: [string, string | undefined, { fqdn?: string; short: string }][] = [
    ["Web", "lab.example", { fqdn: "web.lab.example", short: "web" }],
    ["  web-01 ", undefined, { fqdn: undefined, short: "web-01" }],
    ["web.rack1", "lab.example", { fqdn: "web.rack1.lab.example", short: "web" }],
    ["web.lab.example", "lab.example", { fqdn: "web.lab.example", short: "web" }],
    ["DB.Lab.Example.", "lab.example", { fqdn: "db.lab.example", short: "db" }],
    ["mail.other.example.", "lab.example", { fqdn: "mail.other.example", short: "mail" }],
    ["web.rack1", undefined, { fqdn: "web.rack1", short: "web" }],
    ["3com", undefined, { fqdn: undefined, short: "3com" }],
    ["a".repeat(63), undefined, { fqdn: undefined, short: "a".repeat(63) }],
  ];
  for (const [raw, domain, want] of usable) {
    test(`${JSON.stringify(raw)} in ${domain ?? "(no domain)"} is usable`, () => {
      const r = hostNameOf(raw, domain);
      expect(r.ok && r.value).toMatchObject(want);
    });
  }
  const refused = ["build_box", "a".repeat(64), "café", "-web", "web-", "two..dots", ".lead", "sp ace", "..", "10.0.1.5", "x.123", Array(5).fill("a".repeat(60)).join(".")];
  for (const raw of refused) {
    test(`${JSON.stringify(raw.length > 30 ? raw.slice(0, 30) + "…" : raw)} is refused with a reason`, () => {
      const r = hostNameOf(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    });
  }
  test("a name that fits only until it is qualified is refused", () => {
    const long = Array(4).fill("a".repeat(60)).join("."); // 243 characters
    expect(hostNameOf(long).ok).toBe(true);
    expect(hostNameOf(long, "lab.example").ok).toBe(false);
  });
  test("an empty hostname is no name, not an error", () => {
    expect(hostNameOf("   ")).toEqual({ ok: true, value: null });
  });
  test("domains", () => {
    expect(parseDomain("Lab.Example.")).toEqual({ ok: true, value: "lab.example" });
    expect(parseDomain("lab_example").ok).toBe(false);
    expect(parseDomain("").ok).toBe(false);
  });
});

describe("reverse zones", () => {
  const cidr = (t: string) => {
    const p = parseCidr(t);
    if (!p.ok) throw new Error(t);
    return p.value;
  };
  const ip = (t: string) => {
    const p = parseIp(t);
    if (!p.ok) throw new Error(t);
    return p.value;
  };
  const cases: [string, string][] = [
    ["10.0.1.0/24", "1.0.10.in-addr.arpa"],
    ["10.0.1.64/26", "1.0.10.in-addr.arpa"],
    ["10.0.4.0/22", "0.10.in-addr.arpa"],
    ["10.0.0.0/8", "10.in-addr.arpa"],
    ["192.168.7.9/32", "9.7.168.192.in-addr.arpa"],
    ["2001:db8:1::/64", "0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"],
    ["2001:db8::/62", "0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"],
    ["2001:db8:abc0::/44", "c.b.a.8.b.d.0.1.0.0.2.ip6.arpa"],
  ];
  for (const [subnet, zone] of cases) {
    test(`${subnet} → ${zone}, and the zone name parses back to its prefix`, () => {
      const aligned = alignedPrefix(cidr(subnet));
      expect(reverseZoneName(aligned)).toBe(zone);
      expect(parseReverseZone(`${zone.toUpperCase()}.`)).toEqual({ ok: true, value: aligned });
    });
  }
  test("PTR owners are relative to the zone", () => {
    expect(ptrOwner(ip("10.0.1.77"), cidr("10.0.1.0/24"))).toBe("77");
    expect(ptrOwner(ip("10.0.1.77"), cidr("10.0.0.0/16"))).toBe("77.1");
    expect(ptrOwner(ip("10.0.1.77"), cidr("10.0.1.77/32"))).toBe("@");
    expect(ptrOwner(ip("2001:db8:1::a"), cidr("2001:db8:1::/64"))).toBe("a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0");
  });
  test("names that are not reverse zones are refused", () => {
    for (const bad of ["example.com", "in-addr.arpa", "256.in-addr.arpa", "01.10.in-addr.arpa", "1.2.3.4.5.in-addr.arpa", "ab.ip6.arpa", "g.ip6.arpa"]) {
      expect({ bad, ok: parseReverseZone(bad).ok }).toEqual({ bad, ok: false });
    }
  });
});
