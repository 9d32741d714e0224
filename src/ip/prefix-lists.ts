/**
 * Operations that turn prefixes into lists of prefixes: split into equal children, cover an
 * address range with the fewest CIDRs, and summarize (aggregate) a list. All BigInt; results
 * are always sorted by `comparePrefix`. Re-exported by `prefix.ts`.
 */
import { familyBits, formatIp, ipError, maxValue, type Family, type IpError } from "./address.ts";
import { comparePrefix, formatCidr, lastAddress, type Prefix } from "./prefix.ts";

/** Default cap on `splitPrefix` results: the largest split the API allows (2^16 parts). */
export const DEFAULT_SPLIT_MAX = 65_536;

/**
 * Splits `p` into its equal children of length `newLength`, in address order.
 * Refused (an `IpError`, not thrown): `newLength` not an integer in (p.length, bits]
 * → `split_length_invalid`; more than `max` children → `split_too_many`.
 */
export function splitPrefix(p: Prefix, newLength: number, max: number = DEFAULT_SPLIT_MAX): Prefix[] | IpError {
  const bits = familyBits(p.family);
  if (!Number.isInteger(newLength) || newLength <= p.length || newLength > bits) {
    return ipError(
      "split_length_invalid",
      `cannot split ${formatCidr(p)} into /${newLength}: the new length must be between /${p.length + 1} and /${bits}`,
    );
  }
  const count = 1n << BigInt(newLength - p.length);
  if (count > BigInt(max)) {
    return ipError("split_too_many", `splitting ${formatCidr(p)} into /${newLength} gives ${count} subnets; at most ${max} are allowed`);
  }
  const step = 1n << BigInt(bits - newLength);
  const out: Prefix[] = [];
  for (let i = 0n, network = p.network; i < count; i++, network += step) {
    out.push({ family: p.family, network, length: newLength });
  }
  return out;
}

/** Exponent of the largest power of two dividing `v` (`bits` for v = 0). */
function alignmentBits(v: bigint, bits: number): number {
  if (v === 0n) return bits;
  const lowest = v & -v;
  return lowest.toString(2).length - 1;
}

/** Floor of log2 of a positive `n`. */
function log2Floor(n: bigint): number {
  return n.toString(2).length - 1;
}

/**
 * The minimal list of CIDRs covering exactly [start, end], in order. Greedy: at each step take
 * the largest block that starts at `start` (limited by start's alignment) and fits before `end`:
 *
 *     start=10.0.0.3 end=10.0.0.9:  .3/32  .4/30 (.4-.7)  .8/31 (.8-.9)
 *
 * Empty when start > end. Throws a RangeError for values outside the family's space.
 */
export function rangeToCidrs(family: Family, start: bigint, end: bigint): Prefix[] {
  const bits = familyBits(family);
  const max = maxValue(family);
  if (start < 0n || end < 0n || start > max || end > max) {
    throw new RangeError(`range bounds must be IPv${family} values`);
  }
  const out: Prefix[] = [];
  let cursor = start;
  while (cursor <= end) {
    const hostBits = Math.min(alignmentBits(cursor, bits), log2Floor(end - cursor + 1n));
    out.push({ family, network: cursor, length: bits - hostBits });
    cursor += 1n << BigInt(hostBits);
  }
  return out;
}

/** The `range_invalid` error for a reversed range (for tools that take start and end). */
export function rangeOrderError(family: Family, start: bigint, end: bigint): IpError {
  return ipError(
    "range_invalid",
    `the range start ${formatIp({ family, value: start })} is after its end ${formatIp({ family, value: end })}`,
  );
}

/**
 * Aggregates prefixes into the minimal equivalent list: duplicates and contained blocks
 * vanish, adjacent and overlapping blocks merge (10.0.0.0/25 + 10.0.0.128/25 → 10.0.0.0/24).
 * Families are handled separately; the result is sorted (IPv4 first).
 */
export function summarize(prefixes: Prefix[]): Prefix[] {
  const sorted = [...prefixes].sort(comparePrefix);
  const out: Prefix[] = [];
  let runFamily: Family | null = null;
  let runStart = 0n;
  let runEnd = -1n;
  const flush = () => {
    if (runFamily !== null) out.push(...rangeToCidrs(runFamily, runStart, runEnd));
  };
  for (const p of sorted) {
    const start = p.network;
    const end = lastAddress(p);
    // Sorted by network, so a block either extends the current run (overlapping or
    // touching it) or starts a new one after a gap.
    if (p.family === runFamily && start <= runEnd + 1n) {
      if (end > runEnd) runEnd = end;
      continue;
    }
    flush();
    runFamily = p.family;
    runStart = start;
    runEnd = end;
  }
  flush();
  return out;
}
