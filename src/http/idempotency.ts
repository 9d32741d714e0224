/**
 * Idempotency-Key on the POSTs that create something (the storage half: store/idempotency.ts).
 * A route wraps its work: `keyed(ctx, answer, () => service.create(...))`.
 *
 *   no header ─────────────────────────────────────────▶ the work, as always
 *   header ─▶ may this caller make the request? no ───────▶ its refusal (403), as without a header
 *           ─▶ row for (org, key) younger than 24 h?
 *               yes, same request hash ────────────────▶ the stored answer, `Idempotent-Replayed: true`
 *               yes, other hash ───────────────────────▶ 422 idempotency_key_reused
 *               no ─▶ this replica runs it already? ─▶ wait for it (≤ IN_FLIGHT_WAIT_MS), look again;
 *                                                     still running ─▶ 409 idempotency_key_in_flight + Retry-After
 *                     no ─▶ the work with the intent: its first write unit stores the row in its
 *                           own transaction; another replica committed the key first ─▶ that unit
 *                           rolled back (IdempotencyTaken, or the refusal the winner's rows caused,
 *                           such as duplicate_name) ─▶ look again (replay)
 *
 * The request hash covers method, path, query and body (as parsed JSON), so the same key sent to
 * another route or with another body is refused rather than silently answered. Refusals (4xx)
 * and failures commit nothing, hence store nothing: the corrected retry runs.
 *
 * Secrets are never stored: the answer of a key or webhook creation is stored without its
 * `key` / `secret` (null in a replay, the record's id still there). A client that lost the
 * first answer has the record's id to revoke it, and creates another with a new key.
 */
import { ApiError } from "./errors";
import { IdempotencyTaken, keptSince, withIntent, type IdempotencyRow, type StoredAnswer } from "../store/idempotency";
import type { Store } from "../store/store";

/** How long a request waits for this replica's in-flight request with its key before 409. */
export const IN_FLIGHT_WAIT_MS = 5_000;
/** Retry-After of 409 idempotency_key_in_flight, in seconds. */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/** Visible ASCII, 1–255 characters (UUIDs, ULIDs, "deploy-42-web1"…). */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** The route's context as far as this needs it (`set`: Elysia's, for a replay's status and headers). */
export interface KeyedContext {
  request: Request;
  body?: unknown;
  principal: { orgId: string };
  set: { status?: number | string; headers: Record<string, unknown> };
  /**
   * Throws the refusal (403) the work would throw for this principal: run before anything, so
   * that a replay is shown only to a caller allowed to make the request (a read-only key of the
   * same organization does not get a stored 201 by reusing its key).
   */
  authorize: () => void;
  /** The user an answer belongs to (an API key's): part of the request, so another user's reuse is 422. */
  ownedBy?: string;
}

/**
 * A replay is the stored answer's JSON text, with its status and headers put on `set`: a route
 * returns that string as it is (no creating route's own value is a string). Not a Response:
 * Elysia rebuilds a returned Response through its body stream to merge headers, which cost a
 * replay more than its key lookup.
 */
export type Replayed = string;

/** The OpenAPI parameter every creating POST documents. */
export const IDEMPOTENCY_PARAMETER = {
  in: "header",
  name: "Idempotency-Key",
  required: false,
  schema: { type: "string", minLength: 1, maxLength: 255 },
  example: "0b5f2a4e-5d7c-4c1e-9f5e-2f6c1d7a9e10",
  description:
    "Makes the request safe to retry: the same key with the same request (method, path, query parameters in any order, body) within 24 h answers the first " +
    "answer again (status and body, header `Idempotent-Replayed: true`) and creates nothing twice, also after a restart and " +
    "across replicas. The same key with another request is 422 `idempotency_key_reused`; while the first is still running, " +
    "409 `idempotency_key_in_flight` with `Retry-After`. Refusals (4xx) are not stored. Secrets (an API key, a webhook secret) " +
    "are shown once: a replay answers them as null. A caller who may not make the request (a read-only key) gets its refusal, never a replay.",
} as const;

/** `detail.parameters` of a creating POST. */
export const idempotencyDocs = { parameters: [IDEMPOTENCY_PARAMETER] };

/** The stored answer is the value as it is, with `status`. */
export const answered = (status: number) => (value: unknown): StoredAnswer => ({ status, body: value });

/** As `answered`, with the secret `field` left out of what is stored (a replay shows null). */
export const answeredWithout = (status: number, field: string) => (value: unknown): StoredAnswer => ({
  status,
  body: { ...(value as Record<string, unknown>), [field]: null },
  redacted: true,
});

/**
 * SHA-256 hex of what makes two requests "the same": method, path, query parameters (the
 * phpIPAM-compatible routes take their parameters there too), body and, for an answer that
 * belongs to one user (an API key), that user. The parameters are sorted by name as sent
 * (undecoded: two spellings of one value may be refused as different, two values are never
 * taken for one), values of one name in their order; the body's object keys are sorted (the
 * phpIPAM routes take bodies as clients send them, in any key order).
 */
export function requestHash(method: string, url: string, body: unknown, ownedBy?: string): string {
  const { pathname, search } = new URL(url);
  const pieces = search.length > 1 ? search.slice(1).split("&") : [];
  const name = (piece: string) => piece.split("=", 1)[0]!;
  // Array.prototype.sort is stable: values of one name keep their order.
  pieces.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  const query = pieces.length > 0 ? `?${pieces.join("&")}` : "";
  const owner = ownedBy === undefined ? "" : `\n${ownedBy}`;
  return sha256(`${method} ${pathname}${query}\n${canonicalJson(body ?? null)}${owner}`);
}

/**
 * The hash earlier versions stored (query as sent, body keys in their order), still accepted
 * for a replay so that a retry spanning an upgrade is answered, not refused.
 */
function legacyRequestHash(method: string, url: string, body: unknown): string {
  const { pathname, search } = new URL(url);
  return sha256(`${method} ${pathname}${search}\n${JSON.stringify(body ?? null)}`);
}

function sha256(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}

/** JSON.stringify's text with every object's keys sorted (arrays keep their order). */
function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON(): unknown }).toJSON()); // a Date, as JSON.stringify shows it
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

const perStore = new WeakMap<Store, ReturnType<typeof create>>();

/** The one keyed runner of `store` (every route shares its in-flight table). */
export function idempotency(store: Store) {
  let keyed = perStore.get(store);
  if (!keyed) perStore.set(store, (keyed = create(store)));
  return keyed;
}

function create(store: Store) {
  /** "org\nkey" → the request of this replica running with it */
  const running = new Map<string, Promise<unknown>>();

  /**
   * Runs `work` under the request's Idempotency-Key, if it has one; `answer` maps the value
   * of the write unit that creates (the one that stores the key) to the answer to store.
   * A replay resolves to the stored JSON text (`Replayed`), its status and headers on `ctx.set`.
   */
  return async function keyed<T>(ctx: KeyedContext, answer: (value: unknown) => StoredAnswer, work: () => Promise<T>): Promise<T | Replayed> {
    const key = ctx.request.headers.get("idempotency-key");
    if (key === null) return work();
    ctx.authorize();
    if (!KEY_SHAPE.test(key)) {
      throw new ApiError("validation_failed", "header Idempotency-Key: 1 to 255 visible ASCII characters (a UUID does)", {
        field: "Idempotency-Key",
      });
    }
    const orgId = ctx.principal.orgId;
    const hash = requestHash(ctx.request.method, ctx.request.url, ctx.body, ctx.ownedBy);
    // A row stored by an earlier version, under its hash (computed only when the new one differs);
    // not for an answer that belongs to a user: the earlier hash did not name one.
    const legacy = ctx.ownedBy === undefined ? () => legacyRequestHash(ctx.request.method, ctx.request.url, ctx.body) : () => hash;
    const slot = `${orgId}\n${key}`;
    const waitUntil = performance.now() + IN_FLIGHT_WAIT_MS;
    for (;;) {
      const before = running.get(slot);
      if (before) {
        const left = waitUntil - performance.now();
        if (left <= 0 || !(await settlesWithin(before, left))) throw inFlight();
        continue;
      }
      const stored = await store.read({ orgId }, (q) => q.idempotency.get(orgId, key, keptSince()));
      if (stored) return replay(stored, hash, legacy, ctx.set);
      if (running.has(slot)) continue; // another request of this replica started meanwhile: wait for it
      const intent = { orgId, key, requestHash: hash, respond: answer, stored: false };
      // Waiters wait for this whole turn (work and any re-read after it), and it leaves the
      // table before they wake: a waiter never finds a settled entry and spins on it.
      const turn = Promise.withResolvers<void>();
      running.set(slot, turn.promise);
      try {
        return await withIntent(intent, work);
      } catch (error) {
        // Another replica committed this key first; our unit rolled back: answer with theirs.
        if (error instanceof IdempotencyTaken) continue;
        // Its commit may also have made ours fail on something else first (the section name it
        // just took, the address it just recorded): then its answer is this request's answer too.
        const winner = await store.read({ orgId }, (q) => q.idempotency.get(orgId, key, keptSince())).catch(() => null);
        if (winner && winner.request_hash === hash) return replay(winner, hash, legacy, ctx.set);
        throw error;
      } finally {
        running.delete(slot);
        turn.resolve();
      }
    }
  };
}

function replay(row: IdempotencyRow, hash: string, legacy: () => string, set: KeyedContext["set"]): Replayed {
  if (row.request_hash !== hash && row.request_hash !== legacy()) {
    throw new ApiError(
      "idempotency_key_reused",
      "This Idempotency-Key was used with another request (method, path, query or body) in the last 24 hours; use a new key for a new request",
      { field: "Idempotency-Key" },
    );
  }
  set.status = row.status;
  // The content type every JSON answer of the API has (Response.json's).
  set.headers["content-type"] = "application/json;charset=utf-8";
  set.headers["idempotent-replayed"] = "true";
  set.headers["cache-control"] = "no-store";
  return row.response;
}

function inFlight(): ApiError {
  return new ApiError(
    "idempotency_key_in_flight",
    "A request with this Idempotency-Key is still being processed; retry after a moment to get its answer",
    { field: "Idempotency-Key" },
  );
}

/** Whether `p` (which never rejects) resolves within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: Timer | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Housekeeping (server.ts, hourly with activity pruning): deletes the answers older than 24 h
 * in every organization. Returns how many went, or undefined when it was postponed.
 */
export async function pruneIdempotencyKeys(store: Store, now: Date = new Date()): Promise<number | undefined> {
  return store.tryWrite({ orgId: null }, (q) => q.idempotency.prune(keptSince(now)));
}
