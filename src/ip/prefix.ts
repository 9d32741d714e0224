/**
 * CIDR prefixes: strict parsing, canonical text, BigInt mask arithmetic, and the single
 * usable-address rule (API.md §6) that the API, the UI, the allocator and utilization share.
 *
 * A prefix of family f (bits = 32 or 128) and length L covers
 *
 *     network                                   lastAddress = network + 2^(bits-L) - 1
 *     |<----------------- prefixSize = 2^(bits-L) ----------------->|
 *
 * Invariant of `Prefix`: 0 ≤ length ≤ bits and the host bits of `network` are zero
 * (network & wildcard = 0). Every constructor in this module keeps it; code that builds a
 * Prefix by hand must too (`makePrefix` masks for you).
 */
import { familyBits, formatIp, ipError, isIpv4Mapped, parseIp, type Family, type Ip, type IpError, type Parsed } from "./address.ts";

/** A CIDR block. Invariant: host bits of `network` are zero; 0 ≤ length ≤ familyBits(family). */
export interface Prefix {
  family: Family;
  network: bigint;
  length: number;
}

/** Builds a valid Prefix containing `value` (host bits are cleared). Throws on a bad length. */
export function makePrefix(family: Family, value: bigint, length: number): Prefix {
  const bits = familyBits(family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw new RangeError(`prefix length ${length} is outside 0..${bits}`);
  }
  return { family, network: value & maskOf(bits, length), length };
}

/** Length text: decimal without leading zeros (`/08` and `/-1` are refused as malformed). */
const LENGTH_TEXT = /^(0|[1-9][0-9]{0,5})$/;

/**
 * Parses `address/length` as strictly as `parseIp` parses the address. A bare address is
 * `cidr_missing_length`; host bits set is `cidr_host_bits_set`, whose message ends with
 * `did you mean 10.0.1.0/24?` and whose `suggestion` is `10.0.1.0/24`.
 */
export function parseCidr(text: string): Parsed<Prefix> {
  // The longest CIDR is 49 characters (an IPv6 address in full, "/128"); a sentence quotes
  // the text it refuses, and must not echo kilobytes of whatever was sent.
  if (text.length > MAX_CIDR_TEXT) {
    return { ok: false, error: ipError("cidr_invalid", `${JSON.stringify(text.slice(0, 64) + "…")} is too long to be a CIDR`) };
  }
  if (text.includes("%") && text.includes(":")) {
    return { ok: false, error: ipError("ip_zone_not_allowed", `${JSON.stringify(text)} has an IPv6 zone id (after "%"); zone ids are not accepted`) };
  }
  const slash = text.indexOf("/");
  if (slash === -1) {
    const bare = parseIp(text);
    if (!bare.ok) return bare.error.code === "ip_invalid" ? invalid(text, bare.error.message) : bare;
    const example = formatCidr(makePrefix(bare.value.family, bare.value.value, bare.value.family === 4 ? 24 : 64));
    return {
      ok: false,
      error: ipError(
        "cidr_missing_length",
        `${JSON.stringify(text)} is an address, not a subnet: add a prefix length, like ${example}`,
      ),
    };
  }
  const address = parseIp(text.slice(0, slash));
  if (!address.ok) return address.error.code === "ip_invalid" ? invalid(text, address.error.message) : address;
  const lengthText = text.slice(slash + 1);
  if (!LENGTH_TEXT.test(lengthText)) {
    return invalid(text, `the prefix length "${lengthText}" must be a decimal number without leading zeros`);
  }
  const length = Number(lengthText);
  const { family, value } = address.value;
  const bits = familyBits(family);
  if (length > bits) {
    return {
      ok: false,
      error: ipError("prefix_length_out_of_range", `prefix length /${length} is out of range: IPv${family} allows /0 to /${bits}`),
    };
  }
  const prefix = makePrefix(family, value, length);
  if (prefix.network !== value) {
    const suggestion = formatCidr(prefix);
    return {
      ok: false,
      error: ipError("cidr_host_bits_set", `${text} has host bits set; did you mean ${suggestion}?`, suggestion),
    };
  }
  return { ok: true, value: prefix };
}

const MAX_CIDR_TEXT = 100;

function invalid(text: string, why: string): Parsed<never> {
  return { ok: false, error: ipError("cidr_invalid", `${JSON.stringify(text)} is not a valid CIDR: ${why}`) };
}

/** Canonical `network/length` text (see `formatIp`). */
export function formatCidr(p: Prefix): string {
  return `${formatIp({ family: p.family, value: p.network })}/${p.length}`;
}

function maskOf(bits: number, length: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - length)) - 1n);
}

/** Number of addresses in the block: 2^(bits − length). */
export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(familyBits(p.family) - p.length);
}

/** Highest address of the block (the IPv4 broadcast address). */
export function lastAddress(p: Prefix): bigint {
  return p.network + prefixSize(p) - 1n;
}

/** The netmask as an integer (255.255.255.0 for a /24). */
export function netmask(p: Prefix): bigint {
  return maskOf(familyBits(p.family), p.length);
}

/** The wildcard (inverse) mask as an integer (0.0.0.255 for a /24). */
export function wildcard(p: Prefix): bigint {
  return prefixSize(p) - 1n;
}

/** Whether `ip` lies in `p`; false across families. */
export function containsIp(p: Prefix, ip: Ip): boolean {
  return ip.family === p.family && ip.value >= p.network && ip.value <= lastAddress(p);
}

/** Whether `inner` lies inside `outer` (true when they are equal); false across families. */
export function containsPrefix(outer: Prefix, inner: Prefix): boolean {
  return (
    outer.family === inner.family &&
    outer.length <= inner.length &&
    (inner.network & netmask(outer)) === outer.network
  );
}

/**
 * THE usable-address rule (API.md §6), used by everything that counts or hands out addresses:
 *
 *     IPv4 /0../30   network [ first ........ last ] broadcast   (both ends excluded)
 *     IPv4 /31       [ network, broadcast ]                       (RFC 3021: both usable)
 *     IPv4 /32       [ the address ]
 *     IPv6 /0../126  network [ first ................. last ]     (only the subnet-router
 *                                                                  anycast address excluded)
 *     IPv6 /127      [ both ]    IPv6 /128  [ the address ]
 *
 * The range is never empty.
 */
export function usableRange(p: Prefix): { first: bigint; last: bigint } {
  const last = lastAddress(p);
  const hostBits = familyBits(p.family) - p.length;
  if (hostBits <= 1) return { first: p.network, last };
  return { first: p.network + 1n, last: p.family === 4 ? last - 1n : last };
}

/** How many addresses `usableRange` holds. */
export function usableCount(p: Prefix): bigint {
  const { first, last } = usableRange(p);
  return last - first + 1n;
}

/** Whether `value` (an address of p's family) is usable in `p`. */
export function isUsable(p: Prefix, value: bigint): boolean {
  const { first, last } = usableRange(p);
  return value >= first && value <= last;
}

/**
 * True for an IPv6 prefix inside ::ffff:0:0/96 (IPv4-mapped space). Its addresses share
 * their storage keys with IPv4 (see `ipKey`), so IPAM refuses it as a subnet; a wider block
 * that merely contains the mapped range (`::/64`) is allowed, its mapped addresses are not.
 */
export function isIpv4MappedPrefix(p: Prefix): boolean {
  return p.length >= 96 && isIpv4Mapped({ family: p.family, value: p.network });
}

/** THE refusal of IPv4-mapped space as a subnet (API, CSV import, `ipcraft check`): null when `p` may be one. */
export function ipv4MappedPrefixError(p: Prefix): IpError | null {
  if (!isIpv4MappedPrefix(p)) return null;
  return ipError("ipv4_mapped", `${formatCidr(p)} is IPv4-mapped IPv6 space (::ffff:0:0/96); create the IPv4 subnet instead`);
}

/** Order: family (4 first), then network, then length (shorter first: a block before its parts). */
export function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}

/** A prefix's bounds as `Ip` values, for messages and tools. */
export function prefixBounds(p: Prefix): { network: Ip; last: Ip } {
  return { network: { family: p.family, value: p.network }, last: { family: p.family, value: lastAddress(p) } };
}

export { splitPrefix, rangeToCidrs, summarize } from "./prefix-lists.ts";
