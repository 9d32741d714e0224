/**
 * Small value conversions shared by the IPAM features: database keys, opaque cursors,
 * utilization numbers and the "ip" error messages. No state, no I/O.
 */
import { ipKey, parseCidr, parseIp, type Family, type Ip, type Prefix } from "../ip";
import type { AllocatorCounts } from "../ip";
import { ApiError } from "../http/errors";

/** The 16-byte ordered key of an address value, as bun:sqlite binds it (a BLOB). */
export function keyOf(family: Family, value: bigint): Uint8Array {
  return ipKey({ family, value });
}

/**
 * Decodes a stored key back to the integer value of an address of `family`. The boot path
 * calls this once per address, so IPv4 avoids BigInt arithmetic on 128-bit words.
 */
export function valueOfKey(key: Uint8Array, family: Family): bigint {
  const view = new DataView(key.buffer, key.byteOffset, 16);
  if (family === 4) return BigInt(view.getUint32(12));
  return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
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

/** An opaque cursor: base64url of a JSON array of the last row's sort key. */
export function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** Decodes a cursor made by encodeCursor; a tampered one is a 400 naming `cursor`. */
export function decodeCursor(cursor: string): unknown[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parts)) return parts;
  } catch {
    // fall through
  }
  throw badCursor();
}

export function badCursor(): ApiError {
  return new ApiError("validation_failed", 'query field "cursor": not a cursor returned by this list', { field: "cursor" });
}

/** Utilization in API form (API.md §1, §6): counts as decimal strings, percent with 2 decimals. */
export interface Utilization {
  size: string;
  usable: string;
  used: string;
  free: string;
  percent: number;
}

export function utilizationOf(counts: AllocatorCounts): Utilization {
  // Rounded half up in integer arithmetic: exact even for IPv6 counts beyond 2^53.
  const hundredths = counts.usable === 0n ? 0n : (counts.used * 20_000n / counts.usable + 1n) / 2n;
  return {
    size: counts.size.toString(),
    usable: counts.usable.toString(),
    used: counts.used.toString(),
    free: counts.free.toString(),
    percent: Number(hundredths) / 100,
  };
}

/** Parses a user-supplied address or throws 400 `invalid_ip` naming `field`. */
export function requireIp(text: string, field: string): Ip {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new ApiError("invalid_ip", `field "${field}": ${parsed.error.message}`, { field });
  return parsed.value;
}

/** Parses a user-supplied CIDR or throws 400 `invalid_cidr` naming `field` (with the suggestion on host bits). */
export function requireCidr(text: string, field: string): Prefix {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    const details: Record<string, unknown> = { field, reason: parsed.error.code };
    if (parsed.error.suggestion) details.suggestion = parsed.error.suggestion;
    throw new ApiError("invalid_cidr", `field "${field}": ${parsed.error.message}`, details);
  }
  return parsed.value;
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
