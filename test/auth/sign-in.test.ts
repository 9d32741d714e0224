import { describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { deliveredTokens } from "../helpers/mail";
import { createTenant } from "../helpers/tenant";

async function requestLink(t: TestApp, email: string): Promise<string> {
  const r = await t.call("POST", "/api/v1/auth/send-link", { body: { email } });
  expect(r.status).toBe(200);
  const token = (await deliveredTokens(t)).at(-1);
  if (!token) throw new Error("no link delivered");
  return token;
}

function cookieOf(setCookie: string | null): string {
  return setCookie!.split(";")[0]!;
}

describe("send-link", () => {
  test("a known email gets a link in the log; only its hash is stored", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/auth/send-link", { body: { email: tenant.email.toUpperCase() } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ message: "magic link sent" });
    const [token] = await deliveredTokens(t);
    expect(token).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(t.logger.lines.join("\n")).toContain(`http://127.0.0.1:8080/auth/verify?token=${token}`);
    const rows = t.database.sqlite.query("SELECT * FROM login_tokens").all() as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.email).toBe(tenant.email);
    expect(JSON.stringify(rows)).not.toContain(token!);
    const expiresIn = Date.parse(rows[0]!.expires_at!) - Date.parse(rows[0]!.created_at!);
    expect(expiresIn).toBe(15 * 60_000);
  });

  test("signup closed: an unknown email gets the same answer and the same work (a token row), but nothing is delivered", async () => {
    const t = testApp({ signup: "closed" });
    const tenant = createTenant(t.database);
    const known = await t.call("POST", "/api/v1/auth/send-link", { body: { email: tenant.email } });
    await deliveredTokens(t);
    const linesBefore = t.logger.lines.length;
    const unknown = await t.call("POST", "/api/v1/auth/send-link", { body: { email: "stranger@example.org" } });
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    expect(unknown.headers.get("content-type")).toBe(known.headers.get("content-type"));
    const rows = (email: string) => t.database.sqlite.query("SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?").get(email);
    expect(rows("stranger@example.org")).toEqual(rows(tenant.email));
    await deliveredTokens(t);
    const newLines = t.logger.lines.slice(linesBefore).join("\n");
    expect(newLines).not.toContain("token=");
    expect(newLines).not.toContain("stranger");
  });

  test("a user who never signed in (an invitation made before invitations had their own table) may sign in while signup is closed", async () => {
    const t = testApp({ signup: "closed" });
    const owner = createTenant(t.database);
    const now = new Date().toISOString();
    t.database.sqlite.run(
      "INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, 'invited@example.org', '', 'member', ?, ?)",
      [crypto.randomUUID(), owner.orgId, now, now],
    );
    const token = await requestLink(t, "invited@example.org");
    const r = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(r.status).toBe(200);
    expect(r.body.organization.id).toBe(owner.orgId);
    expect(r.body.user.role).toBe("member");
    const row = t.database.sqlite.query("SELECT last_login_at FROM users WHERE email = 'invited@example.org'").get() as { last_login_at: string };
    expect(row.last_login_at).not.toBeNull();
  });

  test("signup open: a new email becomes the owner of a new organization when the link is verified", async () => {
    const t = testApp({ signup: "open" });
    const token = await requestLink(t, "newcomer@example.org");
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM users").get()).toEqual({ n: 0 });
    const r = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ email: "newcomer@example.org", role: "owner" });
    expect(r.body.organization.plan).toBe("unlimited");
    const me = await t.call("GET", "/api/v1/auth/me", { headers: { cookie: cookieOf(r.headers.get("set-cookie")) } });
    expect(me.body).toMatchObject({ user: { email: "newcomer@example.org" }, organization: { id: r.body.organization.id }, auth: "session", scope: "write" });
  });

  test("an invalid email is a 400 naming the field", async () => {
    const t = testApp();
    const r = await t.call("POST", "/api/v1/auth/send-link", { body: { email: "not-an-email" } });
    expect(r.status).toBe(400);
    expect(r.body.details.field).toBe("email");
  });
});

describe("verify", () => {
  test("sets an HttpOnly, SameSite=Strict, Path=/ session cookie; only its hash is stored", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const token = await requestLink(t, tenant.email);
    const r = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      user: { id: tenant.userId, email: tenant.email, name: expect.any(String), role: "owner" },
      organization: { id: tenant.orgId, name: expect.any(String), plan: "unlimited" },
    });
    const setCookie = r.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^session=[A-Za-z0-9]{43};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Secure");
    const value = cookieOf(setCookie).slice("session=".length);
    const dump = JSON.stringify(t.database.sqlite.query("SELECT * FROM sessions").all());
    expect(dump).not.toContain(value);
  });

  test("the cookie is Secure when the public URL is https", async () => {
    const t = testApp({ publicUrl: "https://ipam.example.org" });
    const tenant = createTenant(t.database);
    const token = await requestLink(t, tenant.email);
    expect(t.logger.lines.join("\n")).toContain("https://ipam.example.org/auth/verify?token=");
    const r = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(r.headers.get("set-cookie")).toContain("; Secure");
  });

  test("a token works once", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const token = await requestLink(t, tenant.email);
    expect((await t.call("POST", "/api/v1/auth/verify", { body: { token } })).status).toBe(200);
    const again = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_token");
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  test("an expired or made-up token is refused", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const token = await requestLink(t, tenant.email);
    t.database.sqlite.run("UPDATE login_tokens SET expires_at = ?", [new Date(Date.now() - 1).toISOString()]);
    expect((await t.call("POST", "/api/v1/auth/verify", { body: { token } })).body.code).toBe("invalid_token");
    expect((await t.call("POST", "/api/v1/auth/verify", { body: { token: "x".repeat(43) } })).status).toBe(400);
  });

  test("GET /auth/verify is a self-contained page that does not spend the token", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const token = await requestLink(t, tenant.email);
    for (let i = 0; i < 3; i++) {
      const page = await t.call("GET", `/auth/verify?token=${token}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.text).toContain("Sign in");
      expect(page.text).toContain("/api/v1/auth/verify");
      // no external resources, and the token is not echoed into the page
      expect(page.text).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
      expect(page.text).not.toContain(token);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    const row = t.database.sqlite.query("SELECT used_at FROM login_tokens").get() as { used_at: string | null };
    expect(row.used_at).toBeNull();
    expect((await t.call("POST", "/api/v1/auth/verify", { body: { token } })).status).toBe(200);
  });

  test("the access log records paths without the token; the delivery line is the only one holding it", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const token = await requestLink(t, tenant.email);
    await t.call("GET", `/auth/verify?token=${token}`);
    await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    const holding = t.logger.lines.filter((l) => l.includes(token));
    expect(holding).toHaveLength(1);
    expect(holding[0]).toContain("sign-in link");
  });
});

describe("sessions, logout and me", () => {
  test("logout deletes the session and clears the cookie; the cookie then gets 401", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/auth/logout", { headers: tenant.browser });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect(r.headers.get("set-cookie")).toMatch(/^session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(401);
  });

  test("logout takes no fields: none or {} sign out, an unknown field is 400 and keeps the session", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const bad = await t.call("POST", "/api/v1/auth/logout", { headers: tenant.browser, body: { everywhere: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("everywhere");
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(200);
    expect((await t.call("POST", "/api/v1/auth/logout", { headers: tenant.browser, body: {} })).status).toBe(204);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(401);
    const other = createTenant(t.database);
    expect((await t.call("POST", "/api/v1/auth/logout", { headers: other.browser })).status).toBe(204);
    const doc = await t.call("GET", "/docs/json");
    expect(doc.body.paths["/api/v1/auth/logout"].post.requestBody.required).toBe(false);
  });

  test("logout by cookie without X-Requested-With is refused and keeps the session", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/auth/logout", { headers: { cookie: `session=${tenant.session}` } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("csrf_header_missing");
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(200);
  });

  test("me needs authentication and tells how the caller authenticated", async () => {
    const t = testApp();
    const reader = createTenant(t.database, { scope: "read", role: "admin" });
    expect((await t.call("GET", "/api/v1/auth/me")).status).toBe(401);
    const viaKey = await t.call("GET", "/api/v1/auth/me", { headers: reader.bearer });
    expect(viaKey.status).toBe(200);
    expect(viaKey.body).toMatchObject({ user: { id: reader.userId, role: "admin" }, auth: "api_key", scope: "read" });
    const viaSession = await t.call("GET", "/api/v1/auth/me", { headers: reader.browser });
    expect(viaSession.body).toMatchObject({ auth: "session", scope: "write" });
    expect(JSON.stringify(viaKey.body)).not.toContain(reader.key);
  });

  test("sessions slide: a use after a minute pushes the expiry 30 days out and renews the cookie", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const old = new Date(Date.now() - 10 * 86400_000).toISOString();
    const soon = new Date(Date.now() + 5 * 86400_000).toISOString();
    t.database.sqlite.run("UPDATE sessions SET last_seen_at = ?, expires_at = ?", [old, soon]);
    const r = await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser });
    expect(r.status).toBe(200);
    expect(r.headers.get("set-cookie")).toContain(`session=${tenant.session}; Max-Age=2592000`);
    const row = t.database.sqlite.query("SELECT expires_at FROM sessions").get() as { expires_at: string };
    expect(Date.parse(row.expires_at)).toBeGreaterThan(Date.now() + 29 * 86400_000);
    // within the minute: no second write, no cookie
    const again = await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser });
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  test("an expired session gets 401", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    t.database.sqlite.run("UPDATE sessions SET expires_at = ?", [new Date(Date.now() - 1).toISOString()]);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(401);
  });
});
