/**
 * The guard every /api/v1 data route sits behind (all but auth/* and tools/*).
 *
 * It authenticates the request and puts a `principal` into the route context:
 * 1. `Authorization: Bearer ipc_...` — when present the key decides, even if a cookie came too;
 * 2. else the `session` cookie — and then cookie writes must pass the CSRF rule (csrf.ts).
 * Lookups hit the database on every request, by the SHA-256 of the secret: nothing is
 * cached, so a key revoked a moment ago (by the API or by the CLI in another process)
 * fails on the very next request.
 *
 * Scoped (`as: "scoped"`): it guards the routes of every plugin that `.use()`s it, and the
 * app mounts each feature under one such plugin; test/auth walks the route table to prove it.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../app";
import { isBusy, isFull } from "../db/errors";
import { ApiError } from "../http/errors";
import { enforceCsrf } from "./csrf";
import { type PlanName, planLimits } from "./plans";
import { SESSION_COOKIE_NAME, SESSION_LIFETIME_MS, sessionCookie } from "./sessions";
import { effectiveScope, type Principal, type Role, type Scope } from "./principal";
import { digestsEqual, looksLikeApiKey, sha256Hex } from "./tokens";

/** How often last_used_at / session last_seen_at may be written for one credential. */
const TOUCH_INTERVAL_MS = 60_000;
export const SESSION_TTL_MS = SESSION_LIFETIME_MS;
export const SESSION_COOKIE = SESSION_COOKIE_NAME;

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scope: Scope;
  expires_at: string | null;
  last_used_at: string | null;
  user_id: string;
  email: string;
  role: Role;
  org_id: string;
  plan: string;
}

interface SessionRow {
  id: string;
  token_hash: string;
  expires_at: string;
  last_seen_at: string;
  user_id: string;
  email: string;
  role: Role;
  org_id: string;
  plan: string;
}

/** Builds the authenticate(request) function over prepared statements. */
export function createAuthenticator({ database, config }: Pick<AppDeps, "database" | "config">) {
  const { sqlite } = database;
  const allowedOrigins = [new URL(config.publicUrl).origin];
  const secureCookies = config.publicUrl.startsWith("https:");
  const keyByHash = sqlite.query<KeyRow, [string]>(
    `SELECT k.id, k.name, k.prefix, k.key_hash, k.scope, k.expires_at, k.last_used_at,
            u.id AS user_id, u.email, u.role, o.id AS org_id, o.plan
       FROM api_keys k JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = k.org_id
      WHERE k.key_hash = ?`,
  );
  const touchKey = sqlite.query<unknown, [string, string]>("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
  const sessionByHash = sqlite.query<SessionRow, [string]>(
    `SELECT s.id, s.token_hash, s.expires_at, s.last_seen_at,
            u.id AS user_id, u.email, u.role, o.id AS org_id, o.plan
       FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id
      WHERE s.token_hash = ?`,
  );
  const touchSession = sqlite.query<unknown, [string, string, string]>(
    "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
  );

  function fromApiKey(key: string, now: Date): Principal {
    const hash = sha256Hex(key);
    const row = looksLikeApiKey(key) ? keyByHash.get(hash) : null;
    if (!row || !digestsEqual(row.key_hash, hash)) throw new ApiError("unauthorized", "invalid API key");
    if (row.expires_at && row.expires_at <= now.toISOString()) throw new ApiError("unauthorized", "this API key has expired");
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_INTERVAL_MS) {
      bestEffort(() => touchKey.run(now.toISOString(), row.id));
    }
    return {
      orgId: row.org_id,
      userId: row.user_id,
      email: row.email,
      role: row.role,
      via: "api_key",
      plan: planLimits(row.plan).name,
      scope: effectiveScope(row.scope, row.role, planLimits(row.plan).api),
      apiKey: { id: row.id, name: row.name, prefix: row.prefix },
    };
  }

  function fromSession(token: string, now: Date): { principal: Principal; renewed: boolean } {
    const hash = sha256Hex(token);
    const row = sessionByHash.get(hash);
    if (!row || !digestsEqual(row.token_hash, hash) || row.expires_at <= now.toISOString()) {
      throw new ApiError("unauthorized", "your session has ended; sign in again");
    }
    // Sliding expiry: each use (at most one write a minute) pushes the end 30 days out.
    const renewed =
      now.getTime() - Date.parse(row.last_seen_at) >= TOUCH_INTERVAL_MS &&
      bestEffort(() => touchSession.run(now.toISOString(), new Date(now.getTime() + SESSION_TTL_MS).toISOString(), row.id));
    const principal: Principal = {
      orgId: row.org_id,
      userId: row.user_id,
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

  function resolve(request: Request, now: Date): AuthOutcome {
    try {
      const authorization = request.headers.get("authorization");
      if (authorization !== null) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        if (!m) throw new ApiError("unauthorized", "the Authorization header must be `Bearer ipc_...`");
        return { ok: true, principal: fromApiKey(m[1]!, now) };
      }
      const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
      if (token) {
        const { principal, renewed } = fromSession(token, now);
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
  function outcomeOf(request: Request, now = new Date()): AuthOutcome {
    let outcome = outcomes.get(request);
    if (!outcome) {
      outcome = resolve(request, now);
      outcomes.set(request, outcome);
    }
    return outcome;
  }

  function authenticate(request: Request, now = new Date()): Principal {
    const outcome = outcomeOf(request, now);
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
const outcomes = new WeakMap<Request, AuthOutcome>();

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
export function authGuard(deps: Pick<AppDeps, "database" | "config">) {
  const { outcomeOf } = createAuthenticator(deps);
  return new Elysia({ name: "auth-guard" }).derive({ as: "scoped" }, ({ request, set }) => {
    const outcome = outcomeOf(request);
    if (!outcome.ok) throw outcome.error;
    // The session slid 30 days forward: move the cookie's own expiry with it.
    if (outcome.renewCookie) set.headers["set-cookie"] = outcome.renewCookie;
    return { principal: outcome.principal };
  });
}

/**
 * A bookkeeping write (last use of a key, a session's sliding expiry) that must not fail the
 * request it rides on: while another process holds the write lock, or the disk is full, it
 * is skipped and happens on a later request. Returns whether it was written.
 */
function bestEffort(write: () => unknown): boolean {
  try {
    write();
    return true;
  } catch (error) {
    if (isBusy(error) || isFull(error)) return false;
    throw error;
  }
}
