/**
 * Reverse zone names (pure IP math, no I/O).
 *
 * Choice: reverse zones are cut on label boundaries — octets for IPv4 (`in-addr.arpa`),
 * nibbles for IPv6 (`ip6.arpa`). A subnet's default zone is the smallest such zone that
 * holds all of it, so 10.0.1.0/26 → `1.0.10.in-addr.arpa` (its /24), 10.0.0.0/22 →
 * `0.10.in-addr.arpa` (its /16), 2001:db8:1::/48 → `1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa`,
 * 2001:db8::/62 → the /60. RFC 2317 classless delegation (`0/26.1.0.10.in-addr.arpa` plus
 * CNAMEs in the parent) is not generated: in a LAN you own the whole /24. To cut a large
 * subnet into smaller zones (a /22 as four /24 zones), ask for each zone by name with
 * `zone=`.
 *
 *     10.0.1.77 in zone 1.0.10.in-addr.arpa  →  owner "77"
 *     10.0.1.77 in zone 0.10.in-addr.arpa    →  owner "77.1"
 */
import { familyBits, type Ip } from "../../ip/address";
import { makePrefix, type Prefix } from "../../ip/prefix";

/** Bits per label: an octet for IPv4, a nibble for IPv6. */
function labelBits(family: 4 | 6): number {
  return family === 4 ? 8 : 4;
}

function suffix(family: 4 | 6): string {
  return family === 4 ? "in-addr.arpa" : "ip6.arpa";
}

/** The labels of `value`'s first `count` octets or nibbles, most significant first. */
function labelsOf(family: 4 | 6, value: bigint, count: number): string[] {
  const bits = labelBits(family);
  const total = familyBits(family) / bits;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const shift = BigInt((total - 1 - i) * bits);
    const part = (value >> shift) & ((1n << BigInt(bits)) - 1n);
    out.push(family === 4 ? part.toString(10) : part.toString(16));
  }
  return out;
}

/** The smallest label-aligned prefix holding `p` (its length rounded down to a label boundary). */
export function alignedPrefix(p: Prefix): Prefix {
  const bits = labelBits(p.family);
  return makePrefix(p.family, p.network, Math.floor(p.length / bits) * bits);
}

/** The zone name (no trailing dot) of a label-aligned prefix. */
export function reverseZoneName(p: Prefix): string {
  const labels = labelsOf(p.family, p.network, p.length / labelBits(p.family));
  return [...labels.reverse(), suffix(p.family)].join(".");
}

/** The PTR owner of `ip` relative to the zone of the aligned prefix `zone` ("@" for the apex). */
export function ptrOwner(ip: Ip, zone: Prefix): string {
  const bits = labelBits(ip.family);
  const all = labelsOf(ip.family, ip.value, familyBits(ip.family) / bits);
  const rest = all.slice(zone.length / bits).reverse();
  return rest.length === 0 ? "@" : rest.join(".");
}

/**
 * The prefix a reverse zone name stands for (`1.0.10.in-addr.arpa.` → 10.0.1.0/24), or why
 * it is not one this exporter writes (at least one label below the suffix).
 */
export function parseReverseZone(text: string): { ok: true; value: Prefix } | { ok: false; reason: string } {
  const name = text.trim().toLowerCase().replace(/\.$/, "");
  for (const family of [4, 6] as const) {
    const tail = `.${suffix(family)}`;
    if (!name.endsWith(tail)) continue;
    const labels = name.slice(0, -tail.length).split(".").reverse();
    const max = familyBits(family) / labelBits(family);
    if (labels.length > max) return { ok: false, reason: `has more than ${max} labels before ${suffix(family)}` };
    let value = 0n;
    for (const label of labels) {
      const ok = family === 4 ? /^(0|[1-9][0-9]{0,2})$/.test(label) && Number(label) <= 255 : /^[0-9a-f]$/.test(label);
      if (!ok) return { ok: false, reason: `label "${label}" is not ${family === 4 ? "a decimal octet 0–255" : "one hex digit"}` };
      value = (value << BigInt(labelBits(family))) + BigInt(parseInt(label, family === 4 ? 10 : 16));
    }
    const length = labels.length * labelBits(family);
    const network = value << BigInt(familyBits(family) - length);
    return { ok: true, value: makePrefix(family, network, length) };
  }
  return { ok: false, reason: "is not under in-addr.arpa or ip6.arpa" };
}
