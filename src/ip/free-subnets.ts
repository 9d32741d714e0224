/**
 * Free-subnet search: the lowest (or highest) aligned blocks of a given length inside a parent
 * subnet that overlap no child subnet and hold no address record of the parent. Pure;
 * `SubnetAllocator.freeSubnets` calls `findFreeBlocks` with its records ∪ children.
 *
 * Offsets are relative to the parent's network, which is aligned to the parent's size and so
 * to every smaller block size S: a block is free when [a, a + S − 1] holds no blocked offset.
 *
 *     parent:   0 ......................................................... span − 1
 *     blocked:     [==child==]  [#]            [=====child=====]
 *     S-blocks: |....|....|....|....|....|....|....|....|....|....|....|....|
 *                x    x    x    x    ✓    ✓    ✓    x    x    x    x    ✓
 *
 * The walk: at candidate a, ask for the first blocked offset b ≥ a. If b is past the block,
 * the block is free (report it, try a + S). Otherwise jump past the whole blocked stretch
 * containing b and align up. Every step reports a block or skips a blocked stretch, so the
 * cost grows with results + stretches walked past — never with the number of candidate
 * blocks: a /64 out of a /32 costs what a /24 out of a /16 does. Downwards is the mirror.
 */
import type { OrderedSet } from "./ordered-set.ts";

/** How to walk: `from: "end"` lists the highest blocks first; `after` resumes a listing. */
export interface FreeBlockOptions {
  /** At most this many blocks (≥ 1). */
  limit: number;
  from?: "start" | "end";
  /**
   * Offset cursor for the next page (pass the last reported block's start): upwards, only
   * blocks that start after it; downwards, only blocks that end before it.
   */
  after?: bigint;
}

/**
 * Up to `limit` free aligned blocks of `blockSize` (a power of two ≤ span) inside [0, span),
 * as block-start offsets in walk order: ascending, or descending with `from: "end"`.
 */
export function findFreeBlocks(blocked: OrderedSet, span: bigint, blockSize: bigint, options: FreeBlockOptions): bigint[] {
  const { limit } = options;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit ${limit} must be a positive integer`);
  if (blockSize < 1n || blockSize > span || (blockSize & (blockSize - 1n)) !== 0n) {
    throw new RangeError(`block size ${blockSize} is not a power of two ≤ ${span}`);
  }
  const mask = blockSize - 1n;
  const out: bigint[] = [];
  if (options.from === "end") {
    // Highest block that ends before the cursor (or at the parent's end).
    let a = options.after === undefined ? span - blockSize : (options.after & ~mask) - blockSize;
    if (a > span - blockSize) a = span - blockSize;
    while (a >= 0n && out.length < limit) {
      const b = blocked.prevPresent(a + mask);
      if (b === null || b < a) {
        out.push(a);
        a -= blockSize;
        continue;
      }
      const below = blocked.prevAbsent(b); // the blocked stretch containing b starts at below + 1
      if (below === null) break;
      a = ((below + 1n) & ~mask) - blockSize; // highest block ending at or before `below`
    }
  } else {
    let a = options.after === undefined ? 0n : (options.after & ~mask) + blockSize;
    if (a < 0n) a = 0n;
    while (a + mask < span && out.length < limit) {
      const b = blocked.nextPresent(a);
      if (b === null || b > a + mask) {
        out.push(a);
        a += blockSize;
        continue;
      }
      const above = blocked.nextAbsent(b); // the blocked stretch containing b ends at above − 1
      a = (above + mask) & ~mask; // align up
    }
  }
  return out;
}
