/**
 * Organization rate limits shared by every replica (PostgreSQL; request-limits.ts picks it).
 *
 * The database counts, per organization, fixed windows of BURST_SECONDS holding at most the
 * bucket's size (`cap` = burstFor(rate)): over any stretch of time the organization gets
 * `rate` requests a second however its requests are spread over the replicas, with the same
 * burst a token bucket allows. Asking the database on every request would add a transaction
 * to each one, so a replica takes a *lease* of several requests at a time and spends it from
 * memory:
 *
 *   request ─▶ lease left in this window? ── yes ─▶ spend one (no database)
 *                 │ no
 *                 ▼
 *              window known to be full? ── yes ─▶ 429 (no database)
 *                 │ no
 *                 ▼
 *              one lease request per organization in flight (the others wait for it):
 *              store.rateLimits.take(org, window, cap, want) ─▶ granted g (0: full)
 *
 * `want` is 5 % of the cap, shrinking as the window fills (an eighth of what is left), and
 * 1 near the end: requests leased but unused when the window ends are lost, so the
 * organization may get slightly less than its rate under overload (a few percent, whatever
 * the number of replicas), never more. At the default 100 requests a second a replica asks
 * the database about once every 10 requests.
 */
import { BURST_SECONDS, type BucketVerdict, burstFor } from "./rate-limit";

/** Grants up to `want` of the window's `cap`; undefined when the counter cannot be written now. */
export type LeaseTaker = (orgId: string, window: number, cap: number, want: number) => Promise<{ granted: number; hits: number } | undefined>;

interface OrgWindow {
  window: number;
  cap: number;
  /** requests this replica may still let through in the window */
  leased: number;
  /** the window's count in the database after this replica's last lease */
  hits: number;
  /** the database granted nothing: the window is full for everyone */
  full: boolean;
  pending: Promise<boolean> | null;
}

const WINDOW_MS = BURST_SECONDS * 1000;
const SWEEP_EVERY = 1024;

/** How many requests to ask for at once. */
export function leaseSize(cap: number, hits: number): number {
  return Math.max(1, Math.min(Math.floor(cap * 0.05), Math.floor((cap - hits) / 8)));
}

export class SharedWindows {
  private readonly orgs = new Map<string, OrgWindow>();
  private takes = 0;

  constructor(private readonly lease: LeaseTaker) {}

  /** The verdict for one request of `orgId` at `clock()`, or null when the shared counter is unavailable (the caller falls back). */
  async take(orgId: string, rate: number, clock: () => number): Promise<BucketVerdict | null> {
    const cap = burstFor(rate);
    if (++this.takes % SWEEP_EVERY === 0) this.sweep(Math.floor(clock() / WINDOW_MS));
    for (;;) {
      const now = clock();
      const window = Math.floor(now / WINDOW_MS);
      let state = this.orgs.get(orgId);
      if (!state || state.window !== window || state.cap !== cap) {
        state = { window, cap, leased: 0, hits: 0, full: false, pending: null };
        this.orgs.set(orgId, state);
      }
      const reset = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      if (state.leased > 0) {
        state.leased--;
        return { allowed: true, limit: cap, remaining: Math.max(0, cap - state.hits) + state.leased, reset, retryAfter: 0 };
      }
      if (state.full) return { allowed: false, limit: cap, remaining: 0, reset, retryAfter: reset };
      const current = state;
      current.pending ??= this.renew(orgId, current).finally(() => {
        current.pending = null;
      });
      if (!(await current.pending)) return null;
    }
  }

  /** One lease for `state`'s window; false when the counter could not be written. */
  private async renew(orgId: string, state: OrgWindow): Promise<boolean> {
    const got = await this.lease(orgId, state.window, state.cap, leaseSize(state.cap, state.hits));
    if (!got) return false;
    state.hits = got.hits;
    state.leased += got.granted;
    if (got.granted === 0) state.full = true;
    return true;
  }

  /** Forgets organizations whose window is over (they hold nothing the next request needs). */
  private sweep(window: number): void {
    for (const [orgId, state] of this.orgs) if (state.window < window && !state.pending) this.orgs.delete(orgId);
  }
}
