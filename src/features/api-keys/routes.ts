/**
 * /api/v1/api-keys (API.md §2). Key management needs a signed-in session: an API key gets
 * 403 session_required (it must not mint keys, nor revoke the keys that could stop it).
 * The CLI manages keys too (src/cli/keys.ts), through the same service.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { actorOf, type Principal, requireSession } from "../../auth/principal";
import { ApiKeyList, CreateApiKeyBody, CreatedApiKey, KeyIdParams, ListQuery } from "./model";
import { createApiKey, type KeyManager, listApiKeys, requireMayCreateKey, revokeApiKey } from "./service";
import { answeredWithout, idempotency, idempotencyDocs } from "../../http/idempotency";

const TAGS = ["API keys"];

function managerOf(principal: Principal): KeyManager {
  requireSession(principal);
  return { orgId: principal.orgId, userId: principal.userId, role: principal.role, actor: actorOf(principal) };
}

export function apiKeyRoutes(deps: Pick<AppDeps, "store" | "config">) {
  const { store } = deps;
  const keyed = idempotency(store);
  return new Elysia({ name: "api-key-routes" })
    .use(authGuard(deps))
    .get("/api/v1/api-keys", ({ principal, query }) => listApiKeys(store, managerOf(principal), query), {
      query: ListQuery,
      response: { 200: ApiKeyList },
      detail: { tags: TAGS, summary: "List API keys (yours; owners and admins see the organization's)" },
    })
    .post(
      "/api/v1/api-keys",
      async ({ principal, body, set, request }) => {
        // The key itself is never stored with the Idempotency-Key's answer (a replay shows `key: null`).
        // A key belongs to its user: another user of the organization reusing the Idempotency-Key
        // gets 422, not this user's key (its id, prefix and scope).
        const keyedContext = { request, body, principal, set, ownedBy: principal.userId, authorize: () => requireMayCreateKey(managerOf(principal), body) };
        const created = await keyed(keyedContext, answeredWithout(201, "key"), () =>
          createApiKey(store, managerOf(principal), {
            name: body.name,
            scope: body.scope,
            expiresInDays: body.expires_in_days,
          }),
        );
        // A replay (its `key` null) as a Response: a returned value is checked against CreatedApiKey.
        if (typeof created === "string") return new Response(created, { status: Number(set.status), headers: set.headers as Record<string, string> });
        set.status = 201;
        // The one response that holds the key: no cache may keep it.
        set.headers["cache-control"] = "no-store";
        return created;
      },
      {
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey },
        detail: { tags: TAGS, summary: "Generate a key; the full key is in this response only", ...idempotencyDocs },
      },
    )
    .delete(
      "/api/v1/api-keys/:id",
      async ({ principal, params, set }) => {
        await revokeApiKey(store, managerOf(principal), params.id);
        set.status = 204;
      },
      { params: KeyIdParams, detail: { tags: TAGS, summary: "Revoke a key; the very next request with it gets 401" } },
    );
}
