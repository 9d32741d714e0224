import { describe, expect, test } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { createApp } from "../../src/app";
import { sha256Hex } from "../../src/auth/tokens";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const KEY_SHAPE = /^ipc_[0-9A-Za-z]{40}$/;

describe("creating keys", () => {
  test("201 with the full key once; the key then authenticates", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "CI/CD Pipeline", scope: "write" } });
    expect(r.status).toBe(201);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body.key).toMatch(KEY_SHAPE);
    expect(r.body).toEqual({
      id: expect.any(String),
      name: "CI/CD Pipeline",
      prefix: r.body.key.slice(0, 12),
      scope: "write",
      created_at: expect.any(String),
      last_used_at: null,
      expires_at: null,
      created_by: { id: tenant.userId, email: tenant.email },
      key: r.body.key,
    });
    const me = await t.call("GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${r.body.key}` } });
    expect(me.body).toMatchObject({ auth: "api_key", scope: "write", user: { id: tenant.userId } });
  });

  test("scope defaults to write (permissions then follow plan and role); expires_in_days sets expires_at", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "Monitoring Script", expires_in_days: 30 } });
    expect(r.body.scope).toBe("write");
    const days = (Date.parse(r.body.expires_at) - Date.parse(r.body.created_at)) / 86400_000;
    expect(days).toBe(30);
  });

  test("bad bodies are 400 naming the field and create nothing", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const cases = [
      [{ name: "" }, "name"],
      [{ name: "x", scope: "admin" }, "scope"],
      [{ name: "x", expires_in_days: 0 }, "expires_in_days"],
      [{ name: "x", colour: "red" }, "colour"],
    ] as const;
    for (const [body, field] of cases) {
      const r = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(field);
    }
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM api_keys").get()).toEqual({ n: 1 });
  });

  test("a viewer gets only read keys; a read-only plan answers 402 plan_limit for write keys", async () => {
    const t = testApp();
    const viewer = createTenant(t.database, { role: "viewer" });
    const w = await t.call("POST", "/api/v1/api-keys", { headers: viewer.browser, body: { name: "x", scope: "write" } });
    expect(w.status).toBe(403);
    expect(w.body.code).toBe("insufficient_scope");
    expect((await t.call("POST", "/api/v1/api-keys", { headers: viewer.browser, body: { name: "x", scope: "read" } })).status).toBe(201);
    const free = createTenant(t.database, { plan: "free" });
    const p = await t.call("POST", "/api/v1/api-keys", { headers: free.browser, body: { name: "x", scope: "write" } });
    expect(p.status).toBe(402);
    expect(p.body.code).toBe("plan_limit");
    expect(p.body.error).toContain("free");
    expect(p.body.error).toContain("read-only");
    expect((await t.call("POST", "/api/v1/api-keys", { headers: free.browser, body: { name: "x", scope: "read" } })).status).toBe(201);
  });

  test("without a scope, a viewer or a read-only plan gets a read key instead of a refusal", async () => {
    const t = testApp();
    const viewer = createTenant(t.database, { role: "viewer" });
    const free = createTenant(t.database, { plan: "free" });
    for (const tenant of [viewer, free]) {
      const r = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "Monitoring Script" } });
      expect(r.status).toBe(201);
      expect(r.body.scope).toBe("read");
      const write = await t.call("POST", "/api/v1/sections", { headers: { authorization: `Bearer ${r.body.key}` }, body: { name: "x" } });
      expect(write.status).toBe(403);
      expect(write.body.code).toBe("insufficient_scope");
    }
    const activity = await t.call("GET", "/api/v1/activity?action=api_key.create", { headers: free.browser });
    expect(activity.body.items[0].changes.scope).toEqual([null, "read"]);
  });
});

describe("key management needs a session", () => {
  test("an API key gets 403 session_required on list, create and revoke", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    for (const [method, path] of [["GET", "/api/v1/api-keys"], ["POST", "/api/v1/api-keys"], ["DELETE", `/api/v1/api-keys/${tenant.keyId}`]] as const) {
      const r = await t.call(method, path, { headers: tenant.bearer, body: method === "POST" ? { name: "minted" } : undefined });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("session_required");
    }
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM api_keys").get()).toEqual({ n: 1 });
  });

  test("a cookie write without X-Requested-With gets 403 and creates nothing", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/api-keys", { headers: { cookie: `session=${tenant.session}` }, body: { name: "x" } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("csrf_header_missing");
    const d = await t.call("DELETE", `/api/v1/api-keys/${tenant.keyId}`, { headers: { cookie: `session=${tenant.session}` } });
    expect(d.status).toBe(403);
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM api_keys").get()).toEqual({ n: 1 });
  });
});

describe("listing keys", () => {
  test("items never hold the key or its hash", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const created = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "CI" } });
    const r = await t.call("GET", "/api/v1/api-keys", { headers: tenant.browser });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.next_cursor).toBeNull();
    expect(r.body.items.map((k: { name: string }) => k.name)).toEqual(["CI", "Test key"]);
    for (const secret of [created.body.key, tenant.key, sha256Hex(created.body.key), sha256Hex(tenant.key)]) {
      expect(r.text).not.toContain(secret);
    }
    expect(Object.keys(r.body.items[0]).sort()).toEqual(["created_at", "created_by", "expires_at", "id", "last_used_at", "name", "prefix", "scope"]);
  });

  test("pagination with limit and cursor", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    for (const name of ["a", "b", "c", "d"]) await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { items: { name: string }[]; total: number; next_cursor: string | null } } = await t.call(
        "GET",
        `/api/v1/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { headers: tenant.browser },
      );
      expect(r.body.total).toBe(5);
      seen.push(...r.body.items.map((k) => k.name));
      cursor = r.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["Test key", "a", "b", "c", "d"]);
    expect((await t.call("GET", "/api/v1/api-keys?cursor=garbage", { headers: tenant.browser })).status).toBe(400);
    expect((await t.call("GET", "/api/v1/api-keys?limit=0", { headers: tenant.browser })).status).toBe(400);
  });

  test("members see their own keys; owners and admins see the organization's; nobody sees another organization's", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const member = createTenant(t.database, { role: "member" });
    t.database.sqlite.run("UPDATE users SET org_id = ? WHERE id = ?", [owner.orgId, member.userId]);
    t.database.sqlite.run("UPDATE api_keys SET org_id = ? WHERE user_id = ?", [owner.orgId, member.userId]);
    const other = createTenant(t.database);
    const ownerList = await t.call("GET", "/api/v1/api-keys", { headers: owner.browser });
    expect(ownerList.body.items.map((k: { id: string }) => k.id).sort()).toEqual([owner.keyId, member.keyId].sort());
    const memberList = await t.call("GET", "/api/v1/api-keys", { headers: member.browser });
    expect(memberList.body.items.map((k: { id: string }) => k.id)).toEqual([member.keyId]);
    expect(ownerList.text).not.toContain(other.keyId);
    // a member cannot revoke the owner's key: 404, as if it did not exist
    expect((await t.call("DELETE", `/api/v1/api-keys/${owner.keyId}`, { headers: member.browser })).status).toBe(404);
    // another organization's key id answers 404 and stays valid
    const foreign = await t.call("DELETE", `/api/v1/api-keys/${other.keyId}`, { headers: owner.browser });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("not_found");
    expect((await t.call("GET", "/api/v1/auth/me", { headers: other.bearer })).status).toBe(200);
    // the owner can revoke the member's key
    expect((await t.call("DELETE", `/api/v1/api-keys/${member.keyId}`, { headers: owner.browser })).status).toBe(204);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: member.bearer })).status).toBe(401);
  });
});

describe("revoking and expiry", () => {
  test("DELETE → 204 and the very next request with the key is 401; a second DELETE is 404", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const created = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "CI" } });
    const bearer = { authorization: `Bearer ${created.body.key}` };
    expect((await t.call("GET", "/api/v1/auth/me", { headers: bearer })).status).toBe(200);
    const r = await t.call("DELETE", `/api/v1/api-keys/${created.body.id}`, { headers: tenant.browser });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect((await t.call("GET", "/api/v1/auth/me", { headers: bearer })).status).toBe(401);
    expect((await t.call("DELETE", `/api/v1/api-keys/${created.body.id}`, { headers: tenant.browser })).status).toBe(404);
  });

  test("an expired key gets 401", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const created = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "short", expires_in_days: 1 } });
    const bearer = { authorization: `Bearer ${created.body.key}` };
    expect((await t.call("GET", "/api/v1/auth/me", { headers: bearer })).status).toBe(200);
    t.database.sqlite.run("UPDATE api_keys SET expires_at = ? WHERE id = ?", [new Date(Date.now() - 1).toISOString(), created.body.id]);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: bearer })).status).toBe(401);
  });

  test("last_used_at is written at most once a minute", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const lastUsed = () => (t.database.sqlite.query("SELECT last_used_at FROM api_keys").get() as { last_used_at: string | null }).last_used_at;
    const recent = new Date(Date.now() - 30_000).toISOString();
    t.database.sqlite.run("UPDATE api_keys SET last_used_at = ?", [recent]);
    await t.call("GET", "/api/v1/auth/me", { headers: tenant.bearer });
    expect(lastUsed()).toBe(recent);
    const old = new Date(Date.now() - 61_000).toISOString();
    t.database.sqlite.run("UPDATE api_keys SET last_used_at = ?", [old]);
    await t.call("GET", "/api/v1/auth/me", { headers: tenant.bearer });
    expect(Date.parse(lastUsed()!)).toBeGreaterThan(Date.parse(old));
  });
});

describe("secrets stay secret", () => {
  test("activity records create and revoke without the key or its hash; the log never holds the key", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const created = await t.call("POST", "/api/v1/api-keys", { headers: tenant.browser, body: { name: "CI" } });
    await t.call("GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${created.body.key}` } });
    await t.call("DELETE", `/api/v1/api-keys/${created.body.id}`, { headers: tenant.browser });
    await t.call("GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${created.body.key}` } });
    const rows = t.database.sqlite.query("SELECT action, actor_type, target_id, target_label, changes FROM activity ORDER BY at").all() as Record<string, string>[];
    expect(rows.map((r) => r.action)).toEqual(["api_key.create", "api_key.revoke"]);
    expect(rows[0]).toMatchObject({ actor_type: "user", target_id: created.body.id, target_label: `CI (${created.body.prefix}…)` });
    const dump = JSON.stringify(rows) + t.logger.lines.join("\n");
    expect(dump).not.toContain(created.body.key);
    expect(dump).not.toContain(sha256Hex(created.body.key));
    expect(t.logger.lines.join("\n")).not.toContain(tenant.session);
  });

  test("the key never reaches the database file or its WAL, only its hash does", async () => {
    const dir = tempDir();
    const path = `${dir}/ipcraft.db`;
    const database = openDatabase(path);
    const logger = createMemoryLogger();
    const app = createApp({ database, config: defaultServerConfig({ db: path, rateLimit: 0 }), logger });
    const tenant = createTenant(database);
    const response = await app.handle(
      new Request("http://localhost/api/v1/api-keys", {
        method: "POST",
        headers: { ...tenant.browser, "content-type": "application/json" },
        body: JSON.stringify({ name: "CI" }),
      }),
    );
    const { key } = (await response.json()) as { key: string };
    expect(key).toMatch(KEY_SHAPE);
    const bytes = () =>
      ["", "-wal"].map((suffix) => (existsSync(path + suffix) ? readFileSync(path + suffix).toString("latin1") : "")).join("");
    // the hash is there (proves we read where the row lives), the key is not
    expect(bytes()).toContain(sha256Hex(key));
    expect(bytes()).not.toContain(key);
    expect(bytes()).not.toContain(key.slice(12));
    database.close();
    expect(bytes()).toContain(sha256Hex(key));
    expect(bytes()).not.toContain(key.slice(12));
  });
});
