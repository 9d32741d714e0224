/**
 * A tiny seeded PRNG (mulberry32) so random tests replay exactly: a failing seed is a
 * regression test waiting to be written.
 */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** BigInt in [0, n) for n ≤ 2^128 (built from 32-bit pieces). */
  bigint(n: bigint): bigint {
    let r = 0n;
    for (let i = 0; i < 5; i++) r = (r << 32n) | BigInt(this.int(2 ** 32));
    return r % n;
  }
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}
