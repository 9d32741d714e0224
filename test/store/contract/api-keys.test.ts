/**
 * The API-key management contract (API.md §2 "API keys") through the real app, on both
 * backends (backends.ts): only a signed-in session manages keys; the full key appears once;
 * who sees and revokes what; another organization's keys are 404; a revoke takes effect on
 * the very next request; create and revoke are in the activity log without the secret.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(BACKENDS)("api keys on $name", (backend) => {
  const freshApp = freshTenantApps(backend);
  async function fresh(options: Parameters<typeof freshApp>[0] = {}) {
    const t = await freshApp(options);
    const session = (method: string, path: string, body?: unknown) => t.call(method, path, t.tenant.browser, body);
    return { ...t, session };
  }

  test("create → 201 with the key once (no-store); the key works on the next request; list never shows it", async () => {
    const t = await fresh();
    const r = await t.session("POST", "/api-keys", { name: "CI", expires_in_days: 30 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "CI", scope: "write", last_used_at: null, created_by: { id: t.tenant.userId, email: t.tenant.email } });
    expect(r.body.key).toMatch(/^ipc_/);
    expect(r.body.key.startsWith(r.body.prefix)).toBe(true);
    expect(r.body.created_at).toMatch(ISO);
    expect(Date.parse(r.body.expires_at) - Date.parse(r.body.created_at)).toBe(30 * 86400_000);
    const withKey = await t.call("GET", "/sections", { authorization: `Bearer ${r.body.key}` });
    expect(withKey.status).toBe(200);
    const list = await t.session("GET", "/api-keys");
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    const listed = list.body.items.find((k: { id: string }) => k.id === r.body.id);
    const { key: _key, ...withoutKey } = r.body;
    // The one use above was recorded as the key's last use.
    expect(listed).toEqual({ ...withoutKey, last_used_at: expect.stringMatching(ISO) });
    expect(JSON.stringify(list.body)).not.toContain(r.body.key);
  });

  test("an API key gets 403 session_required on list, create and revoke", async () => {
    const t = await fresh();
    for (const r of [await t.api.get("/api-keys"), await t.api.post("/api-keys", { name: "x" }), await t.api.del(`/api-keys/${t.tenant.keyId}`)]) {
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("session_required");
    }
    expect((await t.session("GET", "/api-keys")).body.total).toBe(1);
  });

  test("a viewer gets only read keys (403 for write); a read-only plan answers 402 plan_limit; nothing is created", async () => {
    const viewer = await fresh({ role: "viewer" });
    expect((await viewer.session("POST", "/api-keys", { name: "w", scope: "write" })).body.code).toBe("insufficient_scope");
    expect((await viewer.session("POST", "/api-keys", { name: "r" })).body.scope).toBe("read");
    await viewer.close();
    const free = await fresh({ plan: "free" });
    const refused = await free.session("POST", "/api-keys", { name: "w", scope: "write" });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: "plan_limit", details: { resource: "api_access", limit: "read" } });
    expect((await free.session("GET", "/api-keys")).body.total).toBe(1);
    expect((await free.probes.activity(free.tenant.orgId)).length).toBe(0);
  });

  test("newest first, keyset pages by limit and cursor", async () => {
    const t = await fresh();
    const made: string[] = [];
    for (const name of ["a", "b", "c", "d"]) made.push((await t.session("POST", "/api-keys", { name })).body.id);
    const seen: { id: string; created_at: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string; created_at: string }[]; total: number; next_cursor: string | null } } = await t.session(
        "GET",
        `/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.body.total).toBe(5);
      seen.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    // Every key once, in (created_at, id) descending order (keys made in one millisecond tie on created_at).
    expect(seen.map((k) => k.id).sort()).toEqual([...made, t.tenant.keyId].sort());
    const order = (k: { id: string; created_at: string }) => `${k.created_at} ${k.id}`;
    expect(seen.map(order)).toEqual(seen.map(order).sort().reverse());
  });

  test("members see and revoke only their own keys (others are 404); owners and admins manage the organization's", async () => {
    const t = await fresh();
    const member = await t.newMember(t.tenant.orgId, "member");
    const admin = await t.newMember(t.tenant.orgId, "admin");
    const mine = (await t.call("POST", "/api-keys", member.browser, { name: "member's" })).body;
    const memberList = await t.call("GET", "/api-keys", member.browser);
    expect(memberList.body.items.map((k: { id: string }) => k.id)).toEqual([mine.id]);
    expect((await t.call("DELETE", `/api-keys/${t.tenant.keyId}`, member.browser)).status).toBe(404);
    expect((await t.session("GET", "/api-keys")).body.total).toBe(2);
    expect((await t.call("DELETE", `/api-keys/${mine.id}`, admin.browser)).status).toBe(204);
    const log = await t.probes.activity(t.tenant.orgId);
    expect(log.at(-1)).toMatchObject({ action: "api_key.revoke", actor_type: "user", actor_id: admin.id, target_id: mine.id });
  });

  test("another organization's key is 404 on revoke and absent from lists; nothing of it changes", async () => {
    const t = await fresh();
    const other = await t.newTenant();
    const r = await t.session("DELETE", `/api-keys/${other.keyId}`);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe("not_found");
    expect((await t.session("GET", "/api-keys")).body.items.map((k: { id: string }) => k.id)).toEqual([t.tenant.keyId]);
    expect((await t.as(other).get("/sections")).status).toBe(200);
    expect(await t.probes.activity(other.orgId)).toEqual([]);
  });

  test("revoke → 204 and the very next request with the key is 401; a second revoke is 404; activity without secrets", async () => {
    const t = await fresh();
    const created = (await t.session("POST", "/api-keys", { name: "Deploy" })).body;
    const bearer = { authorization: `Bearer ${created.key}` };
    expect((await t.call("GET", "/sections", bearer)).status).toBe(200);
    expect((await t.session("DELETE", `/api-keys/${created.id}`)).status).toBe(204);
    expect((await t.call("GET", "/sections", bearer)).status).toBe(401);
    expect((await t.session("DELETE", `/api-keys/${created.id}`)).status).toBe(404);
    const log = await t.probes.activity(t.tenant.orgId);
    expect(log.map((a) => a.action)).toEqual(["api_key.create", "api_key.revoke"]);
    expect(log[0]).toMatchObject({ actor_type: "user", actor_id: t.tenant.userId, target_id: created.id, target_label: `Deploy (${created.prefix}…)` });
    expect(JSON.parse(log[0]!.changes)).toEqual({ name: [null, "Deploy"], scope: [null, "write"], expires_at: [null, null] });
    expect(JSON.stringify(log)).not.toContain(created.key.slice(created.prefix.length));
  });
});
