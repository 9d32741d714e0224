/**
 * Text ⇄ integer for IPv4 and IPv6, with no error wrapping: parsers return the value or a
 * short reason (a string) that `address.ts` turns into an `IpError`. Written by hand rather
 * than with ipaddr.js because ipaddr.js accepts forms we must refuse (`010.0.0.1`, `10.1`,
 * hex parts, zone ids) and because we want the value as a BigInt directly.
 */

/** One IPv4 part: `0`, or 1–3 digits without a leading zero. Range is checked separately. */
const V4_PART = /^(0|[1-9][0-9]{0,2})$/;
/** One IPv6 group: 1–4 hex digits. */
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses a strict dotted quad; returns the value or a reason for the refusal. */
export function parseIpv4Text(text: string): bigint | string {
  const parts = text.split(".");
  if (parts.length !== 4) return "IPv4 addresses have exactly four decimal parts, like 10.0.0.1";
  let value = 0;
  for (const part of parts) {
    if (!V4_PART.test(part)) {
      if (/^0[0-9]+$/.test(part)) return `part "${part}" has a leading zero (it would be read as octal elsewhere)`;
      return `part "${part}" is not a decimal number from 0 to 255`;
    }
    const n = Number(part);
    if (n > 255) return `part "${part}" is above 255`;
    value = value * 256 + n; // < 2^32, exact in a double
  }
  return BigInt(value);
}

/**
 * Parses IPv6 text (RFC 4291 §2.2): eight groups, or fewer around one `::`, and an optional
 * strict dotted quad in place of the last two groups. The caller has already refused `%`.
 */
export function parseIpv6Text(text: string): bigint | string {
  const gap = text.indexOf("::");
  if (gap !== -1 && text.indexOf("::", gap + 1) !== -1) return `"::" may appear only once`;
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? "" : text.slice(gap + 2);
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  if (gap === -1 && headGroups.length === 0) return "it is empty";

  const headValues = groupsToNumbers(headGroups, gap === -1);
  if (typeof headValues === "string") return headValues;
  const tailValues = groupsToNumbers(tailGroups, true);
  if (typeof tailValues === "string") return tailValues;

  const explicit = headValues.length + tailValues.length;
  if (gap === -1 && explicit !== 8) return `it has ${explicit} groups instead of 8`;
  if (gap !== -1 && explicit > 7) return `it has ${explicit} groups besides "::", at most 7 fit`;

  const groups = [...headValues, ...new Array<number>(8 - explicit).fill(0), ...tailValues];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/**
 * Converts groups to 16-bit numbers. When `lastMayBeV4`, the final group may be a dotted
 * quad, which yields two numbers.
 */
function groupsToNumbers(groups: string[], lastMayBeV4: boolean): number[] | string {
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (i === groups.length - 1 && lastMayBeV4 && g.includes(".")) {
      const v4 = parseIpv4Text(g);
      if (typeof v4 === "string") return `embedded IPv4 "${g}": ${v4}`;
      const n = Number(v4);
      out.push(Math.floor(n / 65536), n % 65536);
    } else if (V6_GROUP.test(g)) {
      out.push(parseInt(g, 16));
    } else {
      return g === "" ? "a group is empty (single \":\" at an end, or \":::\")" : `group "${g}" is not 1–4 hex digits`;
    }
  }
  return out;
}

/** Dotted quad of a value < 2^32. */
export function formatIpv4Value(value: bigint): string {
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * RFC 5952 text of a value < 2^128: lowercase hex without leading zeros; the longest run of
 * at least two zero groups becomes `::` (the leftmost when runs tie; a lone zero group is
 * written `0`). IPv4-mapped addresses (::ffff:0:0/96) end in a dotted quad (RFC 5952 §5).
 */
export function formatIpv6Value(value: bigint): string {
  if (value >> 32n === 0xffffn) return `::ffff:${formatIpv4Value(value & 0xffff_ffffn)}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));

  let bestStart = -1;
  let bestLength = 1; // a run must be longer than this to be compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}
