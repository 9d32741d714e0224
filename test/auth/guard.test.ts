import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { authGuard } from "../../src/auth/guard";
import { requireWrite } from "../../src/auth/principal";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

/** The real app plus a guarded probe feature, mounted the way features are. */
function appWithProbe() {
  const t = testApp();
  const probe = new Elysia({ name: "probe" })
    .use(authGuard({ store: t.store, config: { publicUrl: "http://127.0.0.1:8080" } as any }))
    .get("/api/v1/probe", ({ principal }) => ({ orgId: principal.orgId, via: principal.via, scope: principal.scope }))
    .post("/api/v1/probe", ({ principal }) => {
      requireWrite(principal);
      return { ok: true };
    });
  t.app.use(probe);
  return t;
}

describe("the auth guard", () => {
  test("no credentials → 401", async () => {
    const { call } = appWithProbe();
    const r = await call("GET", "/api/v1/probe");
    expect(r.status).toBe(401);
    expect(r.body.code).toBe("unauthorized");
  });

  test("a valid API key → principal of its organization", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database);
    const r = await call("GET", "/api/v1/probe", { headers: t.bearer });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ orgId: t.orgId, via: "api_key", scope: "write" });
  });

  test("a wrong, malformed or deleted key → 401, and the very next request after deletion fails", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database);
    const wrongLast = t.key.endsWith("X") ? "Y" : "X"; // a different last character, always
    expect((await call("GET", "/api/v1/probe", { headers: { authorization: `Bearer ${t.key.slice(0, -1)}${wrongLast}` } })).status).toBe(401);
    expect((await call("GET", "/api/v1/probe", { headers: { authorization: "Bearer nonsense" } })).status).toBe(401);
    expect((await call("GET", "/api/v1/probe", { headers: { authorization: t.key } })).status).toBe(401);
    expect((await call("GET", "/api/v1/probe", { headers: t.bearer })).status).toBe(200);
    database.sqlite.run("DELETE FROM api_keys WHERE id = ?", [t.keyId]);
    expect((await call("GET", "/api/v1/probe", { headers: t.bearer })).status).toBe(401);
  });

  // The credential lookups became one statement each (the user's and the organization's
  // fields as subqueries, for speed): what the user and organization say now must still
  // decide the very next request, whichever way they were changed.
  test("a key and a session follow their user and organization on the very next request (role, plan, deletion by raw SQL)", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database);
    const cookie = { cookie: `session=${t.session}` };
    expect((await call("POST", "/api/v1/probe", { headers: t.bearer })).status).toBe(200);
    database.sqlite.run("UPDATE users SET role = 'viewer' WHERE id = ?", [t.userId]);
    expect((await call("POST", "/api/v1/probe", { headers: t.bearer })).status).toBe(403);
    expect((await call("GET", "/api/v1/probe", { headers: cookie })).body.scope).toBe("read");
    database.sqlite.run("UPDATE users SET role = 'owner' WHERE id = ?", [t.userId]);
    database.sqlite.run("UPDATE organizations SET plan = 'free' WHERE id = ?", [t.orgId]);
    expect((await call("POST", "/api/v1/probe", { headers: t.bearer })).status).toBe(403);
    database.sqlite.run("UPDATE organizations SET plan = 'unlimited' WHERE id = ?", [t.orgId]);
    expect((await call("POST", "/api/v1/probe", { headers: t.bearer })).status).toBe(200);
    database.sqlite.run("DELETE FROM users WHERE id = ?", [t.userId]);
    expect((await call("GET", "/api/v1/probe", { headers: t.bearer })).status).toBe(401);
    expect((await call("GET", "/api/v1/probe", { headers: cookie })).status).toBe(401);
  });

  test("an expired key → 401", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database);
    database.sqlite.run("UPDATE api_keys SET expires_at = ? WHERE id = ?", [new Date(Date.now() - 1000).toISOString(), t.keyId]);
    const r = await call("GET", "/api/v1/probe", { headers: t.bearer });
    expect(r.status).toBe(401);
    expect(r.body.error).toContain("expired");
  });

  test("a read key may read but gets 403 insufficient_scope on writes", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database, { scope: "read" });
    expect((await call("GET", "/api/v1/probe", { headers: t.bearer })).status).toBe(200);
    const w = await call("POST", "/api/v1/probe", { headers: t.bearer });
    expect(w.status).toBe(403);
    expect(w.body.code).toBe("insufficient_scope");
  });

  test("a write key on a read-only plan is read-only", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database, { plan: "free" });
    expect((await call("POST", "/api/v1/probe", { headers: t.bearer })).status).toBe(403);
  });

  test("session cookie: reads pass; writes need X-Requested-With; cross-site is refused", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database);
    const cookie = { cookie: `session=${t.session}` };
    expect((await call("GET", "/api/v1/probe", { headers: cookie })).body.via).toBe("session");
    const noHeader = await call("POST", "/api/v1/probe", { headers: cookie });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.code).toBe("csrf_header_missing");
    expect((await call("POST", "/api/v1/probe", { headers: t.browser })).status).toBe(200);
    const crossSite = await call("POST", "/api/v1/probe", { headers: { ...t.browser, "sec-fetch-site": "cross-site" } });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await call("POST", "/api/v1/probe", { headers: { ...t.browser, origin: "https://evil.example" } });
    expect(foreignOrigin.status).toBe(403);
    // Reads too: a cookie request from another site's page is refused, whatever its method.
    const foreignRead = await call("GET", "/api/v1/probe", { headers: { ...cookie, origin: "https://evil.example" } });
    expect({ status: foreignRead.status, code: foreignRead.body.code }).toEqual({ status: 403, code: "csrf_cross_site" });
    expect((await call("GET", "/api/v1/probe", { headers: { ...cookie, origin: "http://localhost" } })).status).toBe(200);
    // An API key is not a cookie: no browser sends it on its own, so any origin may use it.
    expect((await call("GET", "/api/v1/probe", { headers: { ...t.bearer, origin: "https://evil.example" } })).status).toBe(200);
  });

  test("API-key writes need no CSRF header, and a Bearer key wins over a cookie", async () => {
    const { call, database } = appWithProbe();
    const a = createTenant(database);
    const b = createTenant(database);
    expect((await call("POST", "/api/v1/probe", { headers: a.bearer })).status).toBe(200);
    const both = await call("GET", "/api/v1/probe", { headers: { ...a.bearer, cookie: `session=${b.session}` } });
    expect(both.body).toEqual({ orgId: a.orgId, via: "api_key", scope: "write" });
  });

  test("last_used_at is written on use", async () => {
    const { call, database } = appWithProbe();
    const t = createTenant(database);
    await call("GET", "/api/v1/probe", { headers: t.bearer });
    const row = database.sqlite.query("SELECT last_used_at FROM api_keys WHERE id = ?").get(t.keyId) as { last_used_at: string };
    expect(Date.parse(row.last_used_at)).toBeGreaterThan(Date.now() - 10_000);
  });
});
