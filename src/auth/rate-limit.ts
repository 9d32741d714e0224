/**
 * Token buckets (API.md §4): one per organization (shared by its sessions and API keys)
 * and one per client IP for unauthenticated routes.
 *
 * A bucket holds up to `burst` tokens and refills at `rate` tokens a second; a request
 * takes one. Pure apart from the clock, which callers pass in (tests drive it).
 *
 *   tokens
 *   burst ┤‾‾‾‾\        /‾‾‾‾‾    each request −1, refill +rate/s, capped at burst;
 *         │     \      /          empty → 429 with Retry-After = time until 1 token
 *       0 ┤      \____/
 */

/** What the RateLimit-* headers and a 429 need to say. */
export interface BucketVerdict {
  allowed: boolean;
  /** the bucket's size (RateLimit-Limit) */
  limit: number;
  /** whole tokens left after this request (RateLimit-Remaining) */
  remaining: number;
  /** seconds until the bucket is full again (RateLimit-Reset) */
  reset: number;
  /** seconds until one token is back (Retry-After); 0 when allowed */
  retryAfter: number;
}

interface Bucket {
  tokens: number;
  at: number;
  rate: number;
  burst: number;
}

/**
 * How many seconds of traffic a bucket can absorb at once. Scripts fire short bursts
 * (the documented "first-free then assign" script makes two calls back to back; a UI
 * page load makes a handful), so the burst is a few seconds' worth of the rate.
 */
export const BURST_SECONDS = 2;

export function burstFor(rate: number): number {
  return Math.max(1, Math.ceil(rate * BURST_SECONDS));
}

/** Forget buckets that have been full (idle) for this long, so the map cannot grow unbounded. */
const SWEEP_EVERY = 1024;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private takes = 0;

  /** Takes one token from bucket `key`, which refills at `rate` per second. */
  take(key: string, rate: number, nowMs: number): BucketVerdict {
    const burst = burstFor(rate);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.rate !== rate) {
      // A new bucket, or the rate changed (plan change): start full at the new size.
      bucket = { tokens: burst, at: nowMs, rate, burst };
      this.buckets.set(key, bucket);
    } else {
      const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
      bucket.tokens = Math.min(burst, bucket.tokens + elapsed * rate);
      bucket.at = nowMs;
    }
    if (++this.takes % SWEEP_EVERY === 0) this.sweep(nowMs);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      limit: burst,
      remaining: Math.floor(bucket.tokens),
      reset: Math.ceil((burst - bucket.tokens) / rate),
      retryAfter: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / rate)),
    };
  }

  /** Number of buckets held (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that would be full by now: they hold no information. */
  sweep(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.at) / 1000) * b.rate >= b.burst) this.buckets.delete(key);
    }
  }
}
