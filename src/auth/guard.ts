/**
 * The guard every /api/v1 data route sits behind (all but auth/* and tools/*).
 *
 * It authenticates the request and puts a `principal` into the route context:
 * 1. `Authorization: Bearer ipc_...` — when present the key decides, even if a cookie came too;
 * 2. else the `session` cookie — and then cookie writes must pass the CSRF rule (csrf.ts).
 * Lookups hit the store on every request, by the SHA-256 of the secret: nothing is
 * cached, so a key revoked a moment ago (by the API, by the CLI in another process, or on
 * another replica) fails on the very next request. The last-use and sliding-expiry writes
 * are debounced (once a minute) and best effort (store.tryWrite): a held lock or a full disk
 * skips them rather than fail or delay the request.
 *
 * Scoped (`as: "scoped"`): it guards the routes of every plugin that `.use()`s it, and the
 * app mounts each feature under one such plugin; test/auth walks the route table to prove it.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../app";
import { ApiError } from "../http/errors";
import { PHPIPAM_PATH } from "../http/shell";
import { enforceCsrf } from "./csrf";
import { planLimits } from "./plans";
import { SESSION_COOKIE_NAME, SESSION_LIFETIME_MS, sessionCookie } from "./sessions";
import { effectiveScope, type Principal } from "./principal";
import { digestsEqual, looksLikeApiKey, sha256Hex } from "./tokens";

/** How often last_used_at / session last_seen_at may be written for one credential. */
const TOUCH_INTERVAL_MS = 60_000;
export const SESSION_TTL_MS = SESSION_LIFETIME_MS;
export const SESSION_COOKIE = SESSION_COOKIE_NAME;

/** Builds the authenticate(request) function over the store's credential lookups. */
export function createAuthenticator({ store, config }: Pick<AppDeps, "store" | "config">) {
  const allowedOrigins = [new URL(config.publicUrl).origin];
  const secureCookies = config.publicUrl.startsWith("https:");

  async function fromApiKey(key: string, now: Date): Promise<Principal> {
    const hash = sha256Hex(key);
    const row = looksLikeApiKey(key) ? await store.keyCredential(hash) : null;
    if (!row || !digestsEqual(row.keyHash, hash)) throw new ApiError("unauthorized", "invalid API key");
    if (row.expiresAt && row.expiresAt <= now.toISOString()) throw new ApiError("unauthorized", "this API key has expired");
    if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) >= TOUCH_INTERVAL_MS) {
      await store.tryWrite({ orgId: row.orgId }, (q) => q.auth.touchKey(row.orgId, row.id, now.toISOString()));
    }
    return {
      orgId: row.orgId,
      userId: row.userId,
      email: row.email,
      role: row.role,
      via: "api_key",
      plan: planLimits(row.plan).name,
      scope: effectiveScope(row.scope, row.role, planLimits(row.plan).api),
      apiKey: { id: row.id, name: row.name, prefix: row.prefix },
    };
  }

  async function fromSession(token: string, now: Date): Promise<{ principal: Principal; renewed: boolean }> {
    const hash = sha256Hex(token);
    const row = await store.sessionCredential(hash);
    if (!row || !digestsEqual(row.tokenHash, hash) || row.expiresAt <= now.toISOString()) {
      throw new ApiError("unauthorized", "your session has ended; sign in again");
    }
    // Sliding expiry: each use (at most one write a minute) pushes the end 30 days out.
    const renewed =
      now.getTime() - Date.parse(row.lastSeenAt) >= TOUCH_INTERVAL_MS &&
      (await store.tryWrite({ orgId: row.orgId }, async (q) => {
        await q.auth.touchSession(row.orgId, row.id, now.toISOString(), new Date(now.getTime() + SESSION_TTL_MS).toISOString());
        return true;
      })) === true;
    const principal: Principal = {
      orgId: row.orgId,
      userId: row.userId,
      email: row.email,
      role: row.role,
      via: "session",
      plan: planLimits(row.plan).name,
      // A session carries its user's full rights; the plan's API access limit applies to keys.
      scope: row.role === "viewer" ? "read" : "write",
      sessionId: row.id,
    };
    return { principal, renewed };
  }

  async function resolve(request: Request, now: Date): Promise<AuthOutcome> {
    try {
      const authorization = request.headers.get("authorization");
      if (authorization !== null) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        if (!m) throw new ApiError("unauthorized", "the Authorization header must be `Bearer ipc_...`");
        return { ok: true, principal: await fromApiKey(m[1]!, now) };
      }
      // phpIPAM's static app-code style (features/phpipam): `Token: <ipcraft API key>`, on its paths only.
      if (PHPIPAM_PATH.test(new URL(request.url).pathname)) {
        const key = request.headers.get("token")?.trim();
        if (!key) throw new ApiError("unauthorized", "Please provide token");
        try {
          return { ok: true, principal: await fromApiKey(key, now) };
        } catch (error) {
          if (error instanceof ApiError) throw new ApiError("unauthorized", /expired/.test(error.message) ? "Token expired" : "Invalid token");
          throw error;
        }
      }
      const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
      if (token) {
        const { principal, renewed } = await fromSession(token, now);
        enforceCsrf(request, allowedOrigins);
        return renewed ? { ok: true, principal, renewCookie: sessionCookie(token, secureCookies) } : { ok: true, principal };
      }
      throw new ApiError("unauthorized", "authentication required: send `Authorization: Bearer ipc_...` or sign in");
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, error };
      throw error;
    }
  }

  /**
   * The outcome for `request`, computed once: the rate limiter (auth/request-limits.ts)
   * authenticates before routing to find the organization's bucket, and the guard then
   * reuses that outcome instead of hitting the database a second time.
   */
  function outcomeOf(request: Request, now = new Date()): Promise<AuthOutcome> {
    let outcome = outcomes.get(request);
    if (!outcome) {
      outcome = resolve(request, now);
      outcomes.set(request, outcome);
    }
    return outcome;
  }

  async function authenticate(request: Request, now = new Date()): Promise<Principal> {
    const outcome = await outcomeOf(request, now);
    if (!outcome.ok) throw outcome.error;
    return outcome.principal;
  }

  return Object.assign(authenticate, { outcomeOf });
}

/** What authenticating one request came to; `renewCookie` is set when a session slid forward. */
export type AuthOutcome =
  | { ok: true; principal: Principal; renewCookie?: string }
  | { ok: false; error: ApiError };

/** Per-request memo of the outcome (Requests are unique objects; entries vanish with them). */
const outcomes = new WeakMap<Request, Promise<AuthOutcome>>();

/**
 * The value of cookie `name`, or undefined. Never throws: a client controls this header,
 * and a value that is not valid percent-encoding (`session=%`) must end as an unknown
 * session (401, counted by the rate limiter), not as a URIError (500). Our own cookie
 * values are base62, so such a value is kept raw and simply matches no session.
 */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeCookieValue(part.slice(eq + 1).trim());
  }
  return undefined;
}

function decodeCookieValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The guard plugin. Features `.use(authGuard(deps))` and read `principal` from the context;
 * Elysia deduplicates it by name, so it runs once per request.
 */
export function authGuard(deps: Pick<AppDeps, "store" | "config">) {
  const { outcomeOf } = createAuthenticator(deps);
  return new Elysia({ name: "auth-guard" }).derive({ as: "scoped" }, async ({ request, set }) => {
    const outcome = await outcomeOf(request);
    if (!outcome.ok) throw outcome.error;
    // The session slid 30 days forward: move the cookie's own expiry with it.
    if (outcome.renewCookie) set.headers["set-cookie"] = outcome.renewCookie;
    return { principal: outcome.principal };
  });
}
