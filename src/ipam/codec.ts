/**
 * Small value conversions shared by the IPAM features: database keys, opaque cursors,
 * utilization numbers and the "ip" error messages. No state, no I/O.
 */
import { ipKey, type Family } from "../ip";
import type { AllocatorCounts } from "../ip";

/** The 16-byte ordered key of an address value, as bun:sqlite binds it (a BLOB). */
export function keyOf(family: Family, value: bigint): Uint8Array {
  return ipKey({ family, value });
}

/**
 * Decodes a stored key back to the integer value of an address of `family`. The boot path
 * calls this once per address, so IPv4 avoids BigInt arithmetic on 128-bit words.
 */
export function valueOfKey(key: Uint8Array, family: Family): bigint {
  // Bytes, not a DataView: `key.buffer` of a blob bun:sqlite returns costs ~1 µs (the
  // backing buffer is materialized), more than the whole decode.
  if (family === 4) return BigInt(word(key, 12));
  return (BigInt(word(key, 0)) << 96n) | (BigInt(word(key, 4)) << 64n) | (BigInt(word(key, 8)) << 32n) | BigInt(word(key, 12));
}

/** The big-endian unsigned 32-bit word at `at`. */
function word(key: Uint8Array, at: number): number {
  return ((key[at]! << 24) | (key[at + 1]! << 16) | (key[at + 2]! << 8) | key[at + 3]!) >>> 0;
}

/** Hex of a key (cursors). */
export function keyHex(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex");
}

/** Inverse of keyHex; null for anything that is not 32 hex digits. */
export function keyFromHex(hex: unknown): Uint8Array | null {
  if (typeof hex !== "string" || !/^[0-9a-f]{32}$/.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

// Cursors and IP input errors are shared with every list and route: one home each in src/http.
export { badCursor, decodeCursor, encodeCursor } from "../http/pagination";
export { requireCidr, requireIp } from "../http/ip-input";

/**
 * Utilization in API form (API.md §1, §6): counts as decimal strings, percent with 2 decimals.
 * `used`: usable addresses holding a record here or in a descendant; `in_children`: usable
 * addresses covered by child subnets; `free`: what first-free may return (neither).
 */
export interface Utilization {
  size: string;
  usable: string;
  used: string;
  in_children: string;
  free: string;
  percent: number;
}

export function utilizationOf(counts: AllocatorCounts & { inChildren: bigint }): Utilization {
  // Rounded half up in integer arithmetic: exact even for IPv6 counts beyond 2^53.
  const hundredths = counts.usable === 0n ? 0n : (counts.used * 20_000n / counts.usable + 1n) / 2n;
  return {
    size: counts.size.toString(),
    usable: counts.usable.toString(),
    used: counts.used.toString(),
    in_children: counts.inChildren.toString(),
    free: counts.free.toString(),
    percent: Number(hundredths) / 100,
  };
}

/** ISO-8601 UTC now. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Escapes LIKE wildcards in user text, for `LIKE ? ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%text%` for a case-insensitive contains search. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}
