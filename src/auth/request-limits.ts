/**
 * Rate limits for the API (API.md §4), applied before routing to every request under
 * `/api/` and to the sign-in page `/auth/*`:
 * - a request with credentials to a guarded route takes from its **organization's** bucket
 *   (sessions and API keys share it; there is no per-key bucket), at the plan's rate or,
 *   for plans without one, the server's `--rate-limit`;
 * - public routes (`/api/v1/auth/*` except `me`, `/api/v1/tools/*`, `/auth/*`), requests
 *   without credentials and requests whose credentials fail take from the **client IP's**
 *   bucket (so guessing keys is throttled too).
 * Every limited response carries `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset`; over the limit: 429 `rate_limited` with `Retry-After`.
 * `--rate-limit 0` turns all of it off.
 *
 * The organization is found by authenticating here; the guard reuses that outcome
 * (guard.ts memoizes it per request), so each request is looked up once.
 *
 * Where the counts live:
 * - SQLite (one process): token buckets in this process's memory (rate-limit.ts), as fast as
 *   a Map lookup.
 * - PostgreSQL (any number of replicas): an organization's requests are counted in the
 *   database, shared by every replica (shared-rate-limit.ts: fixed windows holding at most the
 *   bucket's size, leased to replicas a few requests at a time), so the organization gets the
 *   configured rate however many replicas its requests are spread over. If the counter
 *   cannot be written (the database out of space), the replica falls back to its own bucket
 *   rather than refuse traffic. Per-IP buckets (unauthenticated and public routes) stay per
 *   replica: they guard against guessing, not for billing.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../app";
import { ApiError } from "../http/errors";
import { clientIp, parseTrustedProxies } from "./client-ip";
import { createAuthenticator } from "./guard";
import { planLimits } from "./plans";
import { type BucketVerdict, TokenBuckets } from "./rate-limit";
import { SharedWindows } from "./shared-rate-limit";

const LIMITED = /^\/(api|auth)\//;
const PUBLIC = /^\/(api\/v1\/(auth\/(?!me$)|tools\/)|auth\/)/;

/** The global rate-limit plugin; mount it right after the HTTP shell. */
export function rateLimits(deps: Pick<AppDeps, "store" | "config">, clock: () => number = Date.now) {
  const serverRate = deps.config.rateLimit;
  const plugin = new Elysia({ name: "rate-limits" });
  if (!serverRate) return plugin;
  const buckets = new TokenBuckets();
  const trusted = parseTrustedProxies(deps.config.trustedProxy);
  const { outcomeOf } = createAuthenticator(deps);

  // PostgreSQL: the count every replica shares (shared-rate-limit.ts); a counter that cannot
  // be written (the database out of space) falls back to this replica's own bucket.
  const shared = deps.store.kind === "postgres"
    ? new SharedWindows((orgId, window, cap, want) => deps.store.tryWrite({ orgId }, (q) => q.rateLimits.take(orgId, window, cap, want)))
    : null;
  async function orgVerdict(orgId: string, rate: number, now: number): Promise<BucketVerdict> {
    const verdict = shared ? await shared.take(orgId, rate, clock) : null;
    return verdict ?? buckets.take(`org:${orgId}`, rate, now);
  }

  async function verdictFor(request: Request, path: string): Promise<BucketVerdict> {
    const now = clock();
    const hasCredentials = request.headers.has("authorization") || /(^|;)\s*session=/.test(request.headers.get("cookie") ?? "");
    if (!PUBLIC.test(path) && hasCredentials) {
      const outcome = await outcomeOf(request, new Date(now));
      if (outcome.ok) {
        const { orgId, plan } = outcome.principal;
        const rate = planLimits(plan).rateLimit ?? serverRate;
        return orgVerdict(orgId, rate, now);
      }
    }
    return buckets.take(`ip:${clientIp(request, trusted)}`, serverRate, now);
  }

  return plugin.onRequest(async ({ request, set }) => {
    const path = pathOf(request.url);
    if (!LIMITED.test(path)) return;
    const verdict = await verdictFor(request, path);
    set.headers["ratelimit-limit"] = String(verdict.limit);
    set.headers["ratelimit-remaining"] = String(verdict.remaining);
    set.headers["ratelimit-reset"] = String(verdict.reset);
    if (!verdict.allowed) {
      set.headers["retry-after"] = String(verdict.retryAfter);
      throw new ApiError("rate_limited", "Rate limit exceeded");
    }
  });
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const query = url.indexOf("?", start);
  return start === -1 ? "/" : url.slice(start, query === -1 ? undefined : query);
}
