/**
 * API-key rules (API.md §2), shared by the HTTP routes and the CLI. Speaks only the Store.
 * - the full key is returned once, by `createApiKey`, and stored only as SHA-256;
 * - who sees and revokes what: everyone manages their own keys; owners and admins also
 *   list and revoke the keys of everyone in their organization (they manage users, and
 *   must be able to cut off a leaked key of a colleague who is away). Keys another person
 *   may not see answer 404, like any id of another organization;
 * - a key can never do more than its user: a viewer gets only read keys, and an
 *   organization whose plan allows read-only API access gets only read keys (402);
 * - every create and revoke is recorded in the activity log, without any secret.
 */
import { planLimits } from "../../auth/plans";
import type { Role, Scope } from "../../auth/principal";
import { generateApiKey } from "../../auth/tokens";
import { ApiError, notFound } from "../../http/errors";
import { decodeStringCursor, DEFAULT_LIMIT, encodeCursor } from "../../http/pagination";
import type { ActivityEntry, Actor, Queries, Store, StoredKey } from "../../store/store";
import type { ApiKeyItem } from "./model";

/** Who is acting on keys: the signed-in user, or the CLI (operator) acting for `userId`. */
export interface KeyManager {
  orgId: string;
  userId: string;
  role: Role;
  actor: Actor;
}

export interface NewKeyRequest {
  name: string;
  /** omitted: `write` when the user's role and the plan allow writing, else `read` */
  scope?: Scope;
  expiresInDays?: number;
}

const DAY_MS = 86400_000;
/** The longest expiry a key may be given (the API's schema says the same; the CLI comes through here). */
export const MAX_EXPIRES_IN_DAYS = 3650;

function label(key: { name: string; prefix: string }): string {
  return `${key.name} (${key.prefix}…)`;
}

export function toItem(row: StoredKey): ApiKeyItem {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
    created_by: { id: row.user_id, email: row.email },
  };
}

/**
 * Throws the 403 that creating this key is refused with for `manager` (the plan's limit is
 * checked in the write, on the organization's current plan). Also run before an
 * Idempotency-Key replay (features/api-keys/routes.ts).
 */
export function requireMayCreateKey(manager: KeyManager, request: Pick<NewKeyRequest, "scope">): void {
  if (request.scope === "write" && manager.role === "viewer") {
    throw new ApiError("insufficient_scope", "a viewer can only create read keys; ask for scope \"read\"");
  }
}

/** Creates a key for `manager.userId`; returns the listed fields plus the full key, once. */
export async function createApiKey(store: Store, manager: KeyManager, request: NewKeyRequest, now = new Date()): Promise<ApiKeyItem & { key: string }> {
  const days = request.expiresInDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= MAX_EXPIRES_IN_DAYS)) {
    // A later date would not be a plain ISO timestamp (+010240-…), and compare as already past.
    throw new ApiError("validation_failed", `expires_in_days: a whole number of days from 1 to ${MAX_EXPIRES_IN_DAYS} (got ${days})`, { field: "expires_in_days" });
  }
  requireMayCreateKey(manager, request);
  return store.write({ orgId: manager.orgId }, async (q) => {
    const planName = await q.plans.planOf(manager.orgId);
    if (planName === null) throw notFound("organization");
    const plan = planLimits(planName);
    // No scope asked for: the widest one this user may hold on this plan, rather than a refusal.
    const scope: Scope = request.scope ?? (manager.role !== "viewer" && plan.api === "write" ? "write" : "read");
    if (scope === "write" && plan.api !== "write") {
      throw new ApiError("plan_limit", `your plan (${plan.name}) allows read-only API access; create a key with scope "read" or change the plan`, {
        resource: "api_access",
        limit: plan.api,
      });
    }
    const { key, prefix, hash } = generateApiKey();
    const id = crypto.randomUUID();
    const createdAt = now.toISOString();
    const expiresAt = request.expiresInDays ? new Date(now.getTime() + request.expiresInDays * DAY_MS).toISOString() : null;
    await q.apiKeys.insert({ id, orgId: manager.orgId, userId: manager.userId, name: request.name, prefix, hash, scope, createdAt, expiresAt });
    await q.activity.record({
      orgId: manager.orgId,
      actor: manager.actor,
      action: "api_key.create",
      target: { type: "api_key", id, label: label({ name: request.name, prefix }) },
      changes: { name: [null, request.name], scope: [null, scope], expires_at: [null, expiresAt] },
      at: createdAt,
    });
    const stored = (await q.apiKeys.get(manager.orgId, id))!;
    return { ...toItem(stored), key };
  });
}

/** Owners and admins manage everyone's keys in their organization; others only their own. */
function managesAll(role: Role): boolean {
  return role === "owner" || role === "admin";
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** The keys `manager` may see, newest first, paginated. Never the key or its hash. */
export async function listApiKeys(store: Store, manager: Pick<KeyManager, "orgId" | "userId" | "role">, page: PageRequest) {
  const after = page.cursor === undefined ? undefined : decodeKeyCursor(page.cursor);
  const userId = managesAll(manager.role) ? undefined : manager.userId;
  const { rows, more, total } = await store.read({ orgId: manager.orgId }, (q) =>
    q.apiKeys.list(manager.orgId, { userId, limit: page.limit ?? DEFAULT_LIMIT, after }),
  );
  const last = rows.at(-1);
  return {
    items: rows.map(toItem),
    total,
    next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

/** Revokes key `id` if `manager` may see it; else 404. Takes effect on the very next request. */
export async function revokeApiKey(store: Store, manager: KeyManager, id: string): Promise<void> {
  await store.write({ orgId: manager.orgId }, async (q) => {
    const key = await q.apiKeys.get(manager.orgId, id);
    if (!key || (!managesAll(manager.role) && key.user_id !== manager.userId)) throw notFound("API key");
    await revokeStoredKey(q, key, manager.actor);
  });
}

/** Deletes a key found by the caller (the CLI finds keys by id or prefix), inside the caller's write unit. */
export async function revokeStoredKey(q: Queries, key: StoredKey, actor: Actor): Promise<void> {
  await q.auth.deleteKey(key.org_id, key.id);
  await q.activity.record(revokeEntry(key, actor));
}

/** The activity entry of a revoke (never the key's secret). */
export function revokeEntry(key: StoredKey, actor: Actor): ActivityEntry {
  return { orgId: key.org_id, actor, action: "api_key.revoke", target: { type: "api_key", id: key.id, label: label(key) }, changes: {} };
}

function decodeKeyCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeStringCursor(cursor, 2) as [string, string];
  return { createdAt, id };
}
