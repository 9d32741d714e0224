/**
 * Idempotency-Key, the storage half (the HTTP half is http/idempotency.ts). A request that
 * carries a key runs its work with an *intent* in an AsyncLocalStorage; the first write unit
 * of that work for the intent's organization (store.write, ipam.write, or an address job on
 * the hot path) stores the key row in its own transaction, right after the body:
 *
 *     BEGIN
 *       … the body: rows it creates …
 *       INSERT idempotency_keys (org, key, hash, status, answer)   ← same transaction
 *     COMMIT                                                       ← both, or neither
 *
 * So a retry finds the row exactly when the work committed: after a crash, a restart, or on
 * another replica. Two writers racing with one key meet on the (org_id, key) primary key:
 * the second one's insert finds the row and throws IdempotencyTaken, its unit rolls back
 * (nothing created twice), and the HTTP half answers it with the stored answer.
 *
 * Units that store no intent: reads, `tryWrite` (bookkeeping: a key's last use), and system
 * units (scope `{ orgId: null }`).
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** How long a key's answer is kept and replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** What the first write unit of a keyed request stores; `respond` maps the unit's value to the answer. */
export interface IdempotencyIntent {
  orgId: string;
  key: string;
  requestHash: string;
  respond(value: unknown): StoredAnswer;
  /** set once a unit committed the row: later units of the same request store nothing */
  stored: boolean;
}

/** An answer as stored; `redacted`: a secret was left out of `body` (never stored in clear). */
export interface StoredAnswer {
  status: number;
  body: unknown;
  redacted?: boolean;
}

export interface IdempotencyRow {
  org_id: string;
  key: string;
  request_hash: string;
  status: number;
  response: string;
  state: "done" | "redacted";
  created_at: string;
}

export interface IdempotencyQueries {
  /** The key's row if it is younger than `since` (older rows are as good as pruned). */
  get(orgId: string, key: string, since: string): Promise<IdempotencyRow | null>;
  /**
   * Stores the row in the unit's transaction. A row of the same key older than `since` is
   * replaced; a younger one (another request committed it, or commits it while we wait on
   * the primary key) makes it throw IdempotencyTaken.
   */
  save(row: IdempotencyRow, since: string): Promise<void>;
  /** System work (scope `{ orgId: null }`): deletes rows older than `cutoff` in every organization; how many. */
  prune(cutoff: string): Promise<number>;
}

/** Another request with the same key committed first: this unit rolled back; replay that one's answer. */
export class IdempotencyTaken extends Error {
  constructor() {
    super("another request with this Idempotency-Key committed first");
  }
}

const current = new AsyncLocalStorage<IdempotencyIntent>();

/** Runs `work` with `intent` visible to the write units it starts. */
export function withIntent<T>(intent: IdempotencyIntent, work: () => Promise<T>): Promise<T> {
  return current.run(intent, work);
}

/** The intent a write unit for `orgId` must store, if any (captured when the unit starts). */
export function intentFor(orgId: string | null): IdempotencyIntent | undefined {
  if (orgId === null) return undefined;
  const intent = current.getStore();
  return intent && !intent.stored && intent.orgId === orgId ? intent : undefined;
}

/** The row for `intent` once its unit produced `value`. */
export function rowOf(intent: IdempotencyIntent, value: unknown, now = new Date()): IdempotencyRow {
  const answer = intent.respond(value);
  return {
    org_id: intent.orgId,
    key: intent.key,
    request_hash: intent.requestHash,
    status: answer.status,
    response: JSON.stringify(answer.body ?? null),
    state: answer.redacted ? "redacted" : "done",
    created_at: now.toISOString(),
  };
}

/** The oldest `created_at` still replayed at `now`. */
export function keptSince(now = new Date()): string {
  return new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
}

/**
 * Wraps a unit body so that it stores `intent` (when there is one) after its work, in its
 * transaction. The intent counts as stored only once the unit resolved (committed): a unit
 * that is retried runs the wrapped body again and stores again, in its new transaction.
 */
export function storingIntent<A extends unknown[], T>(
  intent: IdempotencyIntent | undefined,
  save: (args: A, row: IdempotencyRow) => Promise<void>,
  fn: (...args: A) => Promise<T>,
): { body: (...args: A) => Promise<T>; committed: () => void } {
  if (!intent) return { body: fn, committed: () => {} };
  return {
    body: async (...args: A) => {
      const value = await fn(...args);
      await save(args, rowOf(intent, value));
      return value;
    },
    committed: () => {
      intent.stored = true;
    },
  };
}
