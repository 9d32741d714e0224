/**
 * IP addresses as plain values: strict parsing of user text, canonical output, and the
 * 16-byte ordered key the database indexes.
 *
 * An address is `{ family, value }` where `value` is the address as an unsigned integer
 * (BigInt): 0 ≤ value < 2^32 for IPv4, 0 ≤ value < 2^128 for IPv6. Every other module
 * of the IP core does its arithmetic on that integer.
 *
 * Parsing is deliberately stricter than ipaddr.js (see STACK.md "IP parsing"): a lenient
 * parser turns `010.0.0.1` into 8.0.0.1, which is a real outage. Errors are returned as
 * values with a stable code, never thrown, so the HTTP layer can map them in one place.
 */
import { parseIpv4Text, parseIpv6Text, formatIpv4Value, formatIpv6Value } from "./text.ts";

/** Address family: 4 or 6. */
export type Family = 4 | 6;

/** An IP address. Invariant: 0 ≤ value < 2^familyBits(family). */
export interface Ip {
  family: Family;
  value: bigint;
}

/**
 * The closed set of error codes of the IP core. The HTTP layer maps all of them to 400.
 * - `ip_invalid`: not an address (wrong shape, leading zeros, out-of-range part, spaces...)
 * - `ip_zone_not_allowed`: an IPv6 zone id (`fe80::1%eth0`) was given
 * - `cidr_invalid`: not `address/length` (empty or non-decimal length, `/08`, `/-1`)
 * - `cidr_missing_length`: a bare address where a CIDR was expected
 * - `prefix_length_out_of_range`: a decimal length above 32 (IPv4) or 128 (IPv6)
 * - `cidr_host_bits_set`: `10.0.1.5/24`; `suggestion` holds `10.0.1.0/24`
 * - `family_mismatch`: two inputs that must share a family do not
 * - `split_length_invalid`, `split_too_many`: see `splitPrefix`
 * - `range_invalid`: a range whose start is after its end
 * - `ipv4_mapped`: IPv4-mapped IPv6 (::ffff:0:0/96) where IPAM stores data; see `ipv4MappedError`
 */
export type IpErrorCode =
  | "ip_invalid"
  | "ip_zone_not_allowed"
  | "cidr_invalid"
  | "cidr_missing_length"
  | "prefix_length_out_of_range"
  | "cidr_host_bits_set"
  | "family_mismatch"
  | "split_length_invalid"
  | "split_too_many"
  | "range_invalid"
  | "ipv4_mapped";

/** An error as a value: `message` is a human sentence; `suggestion` a value that would work. */
export interface IpError {
  code: IpErrorCode;
  message: string;
  suggestion?: string;
}

/** Result of a parse: the value, or an error with a code. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: IpError };

/** Builds an `IpError` (kept as a function so every module words errors the same way). */
export function ipError(code: IpErrorCode, message: string, suggestion?: string): IpError {
  return suggestion === undefined ? { code, message } : { code, message, suggestion };
}

/** Number of bits of an address of family `f`. */
export function familyBits(f: Family): 32 | 128 {
  return f === 4 ? 32 : 128;
}

/** Largest address value of family `f` (255.255.255.255 or ffff:...:ffff). */
export function maxValue(f: Family): bigint {
  return f === 4 ? 0xffff_ffffn : (1n << 128n) - 1n;
}

/** Texts longer than this are refused before any regex runs (an IPv6 text is ≤ 45 chars). */
const MAX_TEXT_LENGTH = 64;

/**
 * Parses one address, strictly:
 * - IPv4: exactly four decimal parts 0–255 without leading zeros (`010.0.0.1`, `10.1`,
 *   `0x0a.0.0.1` and `167772161` are refused);
 * - IPv6: RFC 4291 text, hex case-insensitive, optional trailing dotted quad (itself
 *   strict), no zone id (`ip_zone_not_allowed`);
 * - no surrounding whitespace, no brackets.
 * IPv4-mapped text such as `::ffff:1.2.3.4` stays family 6: the user typed IPv6.
 */
export function parseIp(text: string): Parsed<Ip> {
  const shown = JSON.stringify(text.length > MAX_TEXT_LENGTH ? text.slice(0, MAX_TEXT_LENGTH) + "…" : text);
  if (text.length === 0) return fail("ip_invalid", "The IP address is empty");
  if (text.length > MAX_TEXT_LENGTH) return fail("ip_invalid", `${shown} is too long to be an IP address`);
  if (text.trim() !== text) {
    return fail("ip_invalid", `${shown} has leading or trailing spaces; send the address alone`);
  }
  if (text.includes(":")) {
    if (text.includes("%")) {
      return fail("ip_zone_not_allowed", `${shown} has an IPv6 zone id (after "%"); zone ids are not accepted`);
    }
    const v6 = parseIpv6Text(text);
    if (typeof v6 === "string") return fail("ip_invalid", `${shown} is not a valid IPv6 address: ${v6}`);
    return { ok: true, value: { family: 6, value: v6 } };
  }
  const v4 = parseIpv4Text(text);
  if (typeof v4 === "string") return fail("ip_invalid", `${shown} is not a valid IPv4 address: ${v4}`);
  return { ok: true, value: { family: 4, value: v4 } };
}

function fail(code: IpErrorCode, message: string): Parsed<never> {
  return { ok: false, error: ipError(code, message) };
}

/**
 * Canonical text: dotted quad for IPv4; RFC 5952 for IPv6 (lowercase, no leading zeros,
 * the longest run of two or more zero groups compressed, the leftmost on a tie).
 * Following RFC 5952 §5, IPv4-mapped addresses (::ffff:0:0/96) are written with a dotted
 * quad, `::ffff:1.2.3.4`; note that ipaddr.js writes `::ffff:102:304` instead.
 */
export function formatIp(ip: Ip): string {
  return ip.family === 4 ? formatIpv4Value(ip.value) : formatIpv6Value(ip.value);
}

/** Total order on addresses: IPv4 before IPv6, then by value. */
export function compareIp(a: Ip, b: Ip): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/**
 * The 16-byte big-endian key stored in the database (one UNIQUE index, `BETWEEN` scans).
 * IPv4 is stored as IPv4-mapped IPv6 (::ffff:a.b.c.d), so byte order equals numeric order
 * inside each family and across them:
 *
 *     ::            ...  ::ffff:0:0 ...... ::ffff:ffff:ffff  ...  ffff:...:ffff
 *     [ IPv6 below ]     [   all IPv4, 0.0.0.0-255.255.255.255 ]  [ IPv6 above ]
 *
 * So IPv4 keys sort after IPv6 addresses below ::ffff:0:0 (like `::1`) and before all
 * others (like `2001:db8::`). Consequence: the IPv6 address ::ffff:1.2.3.4 and the IPv4
 * address 1.2.3.4 share a key (they denote the same host), and `ipFromKey` decodes it as
 * IPv4. A `BETWEEN` scan for the IPv6 subnet ::ffff:0:0/96 (or one containing it) would
 * also meet IPv4 rows: filter such scans by family too.
 */
export function ipKey(ip: Ip): Uint8Array {
  // Bytes, not a DataView: touching `key.buffer` materializes the array's backing store
  // (~1 µs), a tenth of a bulk allocation's cost per address.
  const key = new Uint8Array(16);
  if (ip.family === 4) {
    key[10] = 0xff; // ::ffff:0:0, the IPv4-mapped range where IPv4 keys live
    key[11] = 0xff;
    putWord(key, 12, Number(ip.value));
  } else {
    for (let i = 0; i < 4; i++) putWord(key, 4 * i, Number((ip.value >> BigInt(96 - 32 * i)) & 0xffff_ffffn));
  }
  return key;
}

/** Writes the big-endian unsigned 32-bit `value` at `at`. */
function putWord(key: Uint8Array, at: number, value: number): void {
  key[at] = value >>> 24;
  key[at + 1] = (value >>> 16) & 255;
  key[at + 2] = (value >>> 8) & 255;
  key[at + 3] = value & 255;
}

/** Inverse of `ipKey`. A key inside ::ffff:0:0/96 decodes as IPv4. Throws on a length ≠ 16. */
export function ipFromKey(key: Uint8Array): Ip {
  if (key.length !== 16) throw new RangeError(`an IP key has 16 bytes, got ${key.length}`);
  // Bytes, not a DataView: `key.buffer` of a blob bun:sqlite returns materializes its backing
  // buffer (~1 µs, more than the decode), and boot decodes every record's key.
  const low = word(key, 12);
  let mapped = key[10] === 0xff && key[11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) mapped = key[i] === 0;
  if (mapped) return { family: 4, value: BigInt(low) };
  return { family: 6, value: (BigInt(word(key, 0)) << 96n) | (BigInt(word(key, 4)) << 64n) | (BigInt(word(key, 8)) << 32n) | BigInt(low) };
}

/** The big-endian unsigned 32-bit word at `at`. */
function word(key: Uint8Array, at: number): number {
  return ((key[at]! << 24) | (key[at + 1]! << 16) | (key[at + 2]! << 8) | key[at + 3]!) >>> 0;
}

/**
 * True for IPv6 addresses in ::ffff:0:0/96 (IPv4-mapped). They share their storage key with
 * the IPv4 address they map (see `ipKey`), so IPAM records the IPv4 address instead.
 */
export function isIpv4Mapped(ip: Ip): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn;
}

/**
 * THE refusal of an IPv4-mapped address as an address record (the API, the CSV import and
 * `ipcraft check` all ask this one): null when `ip` may be recorded.
 */
export function ipv4MappedError(ip: Ip): IpError | null {
  if (!isIpv4Mapped(ip)) return null;
  return ipError("ipv4_mapped", `${formatIp(ip)} is an IPv4-mapped IPv6 address; record the IPv4 address in an IPv4 subnet instead`);
}
