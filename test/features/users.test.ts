/**
 * /api/v1/users through the real app (API.md §3): list, invite (the link is the sign-in
 * link, delivered the same way), change role, remove (credentials cut off at once), the
 * last-owner rule, who may do what, tenant isolation, and activity entries without secrets.
 */
import { describe, expect, test } from "bun:test";
import { sha256Hex } from "../../src/auth/tokens";
import { testApp, type TestApp } from "../helpers/app";
import { deliveredTokens } from "../helpers/mail";
import { createColleague, createTenant, type Tenant } from "../helpers/tenant";

/** Sign-in tokens the server logged (no SMTP configured: the log is the delivery). */
const loggedTokens = deliveredTokens;

/** A second user in `owner`'s organization, with its own key and session (a direct fixture). */
function colleague(t: TestApp, owner: Tenant, role: "owner" | "admin" | "member" | "viewer", scope: "read" | "write" = "write"): Tenant {
  return createColleague(t.database, owner, { role, scope });
}

async function invite(t: TestApp, who: Tenant, body: Record<string, unknown>) {
  return t.call("POST", "/api/v1/users/invite", { headers: who.browser, body });
}

function activity(t: TestApp, orgId: string) {
  return (
    t.database.sqlite
      .query("SELECT action, actor_type, actor_label, target_type, target_id, target_label, changes FROM activity WHERE org_id = ? ORDER BY id")
      .all(orgId) as { action: string; actor_type: string; actor_label: string; target_type: string; target_id: string; target_label: string; changes: string }[]
  ).map((row) => ({ ...row, changes: JSON.parse(row.changes) }));
}

function count(t: TestApp, table: string, where = "1 = 1", ...args: string[]): number {
  return (t.database.sqlite.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get(...args) as { n: number }).n;
}

describe("GET /api/v1/users", () => {
  test("lists the caller's organization only, with invited flags, oldest first, paginated", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const stranger = createTenant(t.database);
    t.database.sqlite.run("UPDATE users SET last_login_at = ? WHERE id = ?", ["2026-01-01T00:00:00.000Z", owner.userId]);
    const member = colleague(t, owner, "member");
    // Fixtures made in the same millisecond would tie (then id decides): make the order certain.
    t.database.sqlite.run("UPDATE users SET created_at = ? WHERE id = ?", ["2026-02-01T00:00:00.000Z", member.userId]);
    t.database.sqlite.run("UPDATE users SET created_at = ? WHERE id = ?", ["2026-01-01T00:00:00.000Z", owner.userId]);
    const r = await t.call("GET", "/api/v1/users", { headers: owner.bearer });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.next_cursor).toBeNull();
    expect(r.body.items[0]).toEqual({
      id: owner.userId,
      email: owner.email,
      name: expect.any(String),
      role: "owner",
      created_at: expect.any(String),
      last_login_at: "2026-01-01T00:00:00.000Z",
      invited: false,
    });
    expect(r.body.items[1]).toMatchObject({ id: member.userId, role: "member", last_login_at: null, invited: true });
    expect(r.text).not.toContain(stranger.email);
    expect(r.text).not.toContain(stranger.userId);

    // Pages of one, following next_cursor, visit everyone once.
    const first = await t.call("GET", "/api/v1/users?limit=1", { headers: owner.bearer });
    expect(first.body.items.map((u: any) => u.id)).toEqual([owner.userId]);
    const second = await t.call("GET", `/api/v1/users?limit=1&cursor=${first.body.next_cursor}`, { headers: owner.bearer });
    expect(second.body.items.map((u: any) => u.id)).toEqual([member.userId]);
    expect(second.body.next_cursor).toBeNull();
    expect((await t.call("GET", "/api/v1/users?cursor=garbage", { headers: owner.bearer })).status).toBe(400);
  });

  test("members and viewers may list their colleagues; nothing secret is in the list", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const viewer = colleague(t, owner, "viewer", "read");
    const r = await t.call("GET", "/api/v1/users", { headers: viewer.bearer });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    for (const secret of [owner.key, viewer.key, sha256Hex(owner.key), owner.session, sha256Hex(owner.session)]) expect(r.text).not.toContain(secret);
    const one = await t.call("GET", `/api/v1/users/${owner.userId}`, { headers: viewer.bearer });
    expect(one.body).toMatchObject({ id: owner.userId, role: "owner" });
  });
});

describe("POST /api/v1/users/invite", () => {
  test("creates a pending invitation, sends its link the sign-in way, and the link joins them once", async () => {
    const t = testApp({ signup: "closed" });
    const owner = createTenant(t.database, { orgName: "Lab" });
    const r = await invite(t, owner, { email: "New.Colleague@Example.org", role: "admin", name: "New Colleague" });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      email: "new.colleague@example.org",
      name: "New Colleague",
      role: "admin",
      created_at: expect.any(String),
      last_login_at: null,
      invited: true,
      delivery: "log",
    });
    expect(r.text).not.toContain("token");
    const tokens = (await loggedTokens(t));
    expect(tokens).toHaveLength(1);
    const line = t.logger.lines.find((l) => l.includes(tokens[0]!))!;
    expect(line).toContain("email=new.colleague@example.org");
    expect(line).toContain(`invited_by=${owner.email}`);

    const signedIn = await t.call("POST", "/api/v1/auth/verify", { body: { token: tokens[0] } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toEqual({ id: r.body.id, email: "new.colleague@example.org", name: "New Colleague", role: "admin" });
    expect(signedIn.body.organization.id).toBe(owner.orgId);
    const cookie = /session=([^;]+)/.exec(signedIn.headers.get("set-cookie")!)![1]!;
    const me = await t.call("GET", "/api/v1/auth/me", { headers: { cookie: `session=${cookie}` } });
    expect(me.body.user.role).toBe("admin");
    // Once only.
    const again = await t.call("POST", "/api/v1/auth/verify", { body: { token: tokens[0] } });
    expect([again.status, again.body.code]).toEqual([400, "invalid_token"]);
    // Signed in: no longer an invitation.
    const listed = await t.call("GET", `/api/v1/users/${r.body.id}`, { headers: owner.bearer });
    expect(listed.body).toMatchObject({ invited: false, last_login_at: expect.any(String) });
    // Later links come from the ordinary sign-in page: they are a user now.
    await t.call("POST", "/api/v1/auth/send-link", { body: { email: "new.colleague@example.org" } });
    expect((await loggedTokens(t))).toHaveLength(2);
  });

  test("who may invite: owners and admins; only owners invite owners; members, viewers and read keys get 403", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const admin = colleague(t, owner, "admin");
    const member = colleague(t, owner, "member");
    const viewer = colleague(t, owner, "viewer");
    const reader = colleague(t, owner, "owner", "read");
    expect((await invite(t, admin, { email: "m@example.org", role: "member" })).status).toBe(201);
    const adminOwner = await invite(t, admin, { email: "o@example.org", role: "owner" });
    expect([adminOwner.status, adminOwner.body.code]).toEqual([403, "forbidden"]);
    expect((await invite(t, owner, { email: "o@example.org", role: "owner" })).status).toBe(201);
    for (const [who, code] of [[member, "forbidden"], [viewer, "insufficient_scope"]] as const) {
      const r = await invite(t, who, { email: "x@example.org" });
      expect([r.status, r.body.code]).toEqual([403, code]);
    }
    const byReadKey = await t.call("POST", "/api/v1/users/invite", { headers: reader.bearer, body: { email: "x@example.org" } });
    expect([byReadKey.status, byReadKey.body.code]).toEqual([403, "insufficient_scope"]);
    const noCsrf = await t.call("POST", "/api/v1/users/invite", { headers: { cookie: `session=${owner.session}` }, body: { email: "x@example.org" } });
    expect([noCsrf.status, noCsrf.body.code]).toEqual([403, "csrf_header_missing"]);
    // A write key of an admin may manage users (documented choice in users/service.ts).
    const byKey = await t.call("POST", "/api/v1/users/invite", { headers: admin.bearer, body: { email: "k@example.org" } });
    expect([byKey.status, byKey.body.role]).toEqual([201, "member"]);
    expect(count(t, "users", "email = 'x@example.org'")).toBe(0);
  });

  test("only a member of the caller's own organization is 409; an email of another organization is invited like a fresh one", async () => {
    // Regression: any email with an account anywhere was 409 "already has an account", which told
    // every owner who uses the server.
    const t = testApp();
    const owner = createTenant(t.database);
    const mine = colleague(t, owner, "member");
    const other = createTenant(t.database, { orgName: "Secret Org Name" });
    const sameOrg = await invite(t, owner, { email: mine.email.toUpperCase() });
    expect([sameOrg.status, sameOrg.body.code]).toEqual([409, "conflict"]);
    const otherOrg = await invite(t, owner, { email: other.email });
    const fresh = await invite(t, owner, { email: "fresh@example.org" });
    expect(otherOrg.status).toBe(201);
    expect(fresh.status).toBe(201);
    const shape = (body: Record<string, unknown>) => ({ ...body, id: "<id>", email: "<email>", created_at: "<at>" });
    expect(shape(otherOrg.body)).toEqual(shape(fresh.body));
    for (const leak of ["Secret Org Name", other.orgId, other.userId]) expect(otherOrg.text).not.toContain(leak);
    expect(count(t, "users", "org_id = ?", other.orgId)).toBe(1);
    expect(await loggedTokens(t)).toHaveLength(2);
  });

  test("the plan's user limit answers 402 plan_limit and creates nothing, sends nothing", async () => {
    const t = testApp();
    const teams = createTenant(t.database, { plan: "teams" });
    for (let i = 0; i < 4; i++) expect((await invite(t, teams, { email: `t${i}@example.org` })).status).toBe(201);
    const sixth = await invite(t, teams, { email: "sixth@example.org" });
    expect([sixth.status, sixth.body.code]).toEqual([402, "plan_limit"]);
    expect(sixth.body.details).toMatchObject({ resource: "users", limit: 5 });
    const free = createTenant(t.database, { plan: "free" });
    const r = await invite(t, free, { email: "second@example.org" });
    expect([r.status, r.body.code]).toEqual([402, "plan_limit"]);
    expect(count(t, "users", "email IN ('sixth@example.org', 'second@example.org')")).toBe(0);
    expect(count(t, "login_tokens", "email IN ('sixth@example.org', 'second@example.org')")).toBe(0);
    expect((await loggedTokens(t))).toHaveLength(4);
  });

  test("bad bodies are 400 naming the field and change nothing", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const cases = [
      [{}, "email"],
      [{ email: "not-an-email" }, "email"],
      [{ email: "a@example.org", role: "superuser" }, "role"],
      [{ email: "a@example.org", name: "bad\u0000name" }, "name"],
      [{ email: "a@example.org", name: "n".repeat(101) }, "name"],
      [{ email: "a@example.org", colour: "red" }, "colour"],
    ] as const;
    for (const [body, field] of cases) {
      const r = await invite(t, owner, body);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(field);
    }
    expect(count(t, "users")).toBe(1);
    expect(count(t, "activity")).toBe(0);
  });
});

describe("PATCH /api/v1/users/{id}", () => {
  test("owners change roles and names; the change is logged; a demotion applies on the next request", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const member = colleague(t, owner, "member");
    expect((await t.call("POST", "/api/v1/sections", { headers: member.bearer, body: { name: "Before" } })).status).toBe(201);
    const r = await t.call("PATCH", `/api/v1/users/${member.userId}`, { headers: owner.browser, body: { role: "viewer", name: " Val " } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: member.userId, role: "viewer", name: "Val" });
    const after = await t.call("POST", "/api/v1/sections", { headers: member.bearer, body: { name: "After" } });
    expect([after.status, after.body.code]).toEqual([403, "insufficient_scope"]);
    const entry = activity(t, owner.orgId).find((e) => e.action === "user.update")!;
    expect(entry).toMatchObject({ actor_type: "user", actor_label: owner.email, target_type: "user", target_id: member.userId, target_label: member.email });
    expect(entry.changes).toEqual({ role: ["member", "viewer"], name: [expect.any(String), "Val"] });
    // Setting what is already there writes nothing.
    const before = count(t, "activity");
    expect((await t.call("PATCH", `/api/v1/users/${member.userId}`, { headers: owner.browser, body: { role: "viewer" } })).status).toBe(200);
    expect(count(t, "activity")).toBe(before);
  });

  test("only owners make or unmake owners; admins manage everyone else", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const admin = colleague(t, owner, "admin");
    const member = colleague(t, owner, "member");
    const promote = await t.call("PATCH", `/api/v1/users/${member.userId}`, { headers: admin.browser, body: { role: "owner" } });
    expect([promote.status, promote.body.code]).toEqual([403, "forbidden"]);
    const selfPromote = await t.call("PATCH", `/api/v1/users/${admin.userId}`, { headers: admin.browser, body: { role: "owner" } });
    expect(selfPromote.status).toBe(403);
    const demote = await t.call("PATCH", `/api/v1/users/${owner.userId}`, { headers: admin.browser, body: { role: "member" } });
    expect([demote.status, demote.body.code]).toEqual([403, "forbidden"]);
    for (const who of [member, colleague(t, owner, "viewer")]) {
      const r = await t.call("PATCH", `/api/v1/users/${admin.userId}`, { headers: who.browser, body: { role: "viewer" } });
      expect(r.status).toBe(403);
    }
    expect((await t.call("PATCH", `/api/v1/users/${member.userId}`, { headers: admin.browser, body: { role: "admin" } })).status).toBe(200);
    expect(count(t, "users", "role = 'owner'")).toBe(1);
  });

  test("the last owner cannot be demoted (409 last_owner); with a second owner they can", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const self = await t.call("PATCH", `/api/v1/users/${owner.userId}`, { headers: owner.browser, body: { role: "admin" } });
    expect([self.status, self.body.code]).toEqual([409, "last_owner"]);
    expect(self.body.error).toContain("last owner");
    const admin = colleague(t, owner, "admin");
    expect((await t.call("PATCH", `/api/v1/users/${admin.userId}`, { headers: owner.browser, body: { role: "owner" } })).status).toBe(200);
    const now = await t.call("PATCH", `/api/v1/users/${owner.userId}`, { headers: owner.browser, body: { role: "admin" } });
    expect([now.status, now.body.role]).toEqual([200, "admin"]);
    // The new sole owner is now the last one.
    const last = await t.call("PATCH", `/api/v1/users/${admin.userId}`, { headers: admin.browser, body: { role: "member" } });
    expect([last.status, last.body.code]).toEqual([409, "last_owner"]);
    expect(count(t, "users", "role = 'owner'")).toBe(1);
  });

  test("foreign and unknown ids are 404; bad bodies 400 naming the field", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const stranger = createTenant(t.database, { role: "member" });
    for (const id of [stranger.userId, crypto.randomUUID(), "not-a-uuid"]) {
      const r = await t.call("PATCH", `/api/v1/users/${id}`, { headers: owner.browser, body: { role: "viewer" } });
      expect([r.status, r.body.code]).toEqual([404, "not_found"]);
      expect((await t.call("GET", `/api/v1/users/${id}`, { headers: owner.browser })).status).toBe(404);
    }
    expect((t.database.sqlite.query("SELECT role FROM users WHERE id = ?").get(stranger.userId) as { role: string }).role).toBe("member");
    for (const [body, field] of [[{ role: "root" }, "role"], [{}, "role"], [{ role: "admin", email: "x@y.z" }, "email"]] as const) {
      const r = await t.call("PATCH", `/api/v1/users/${owner.userId}`, { headers: owner.browser, body });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(field);
    }
  });
});

describe("DELETE /api/v1/users/{id}", () => {
  test("removal cuts off the user's API key and session on the very next request, in one transaction", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const member = colleague(t, owner, "member");
    // A second key, made through the API, and a pending sign-in link.
    const extra = await t.call("POST", "/api/v1/api-keys", { headers: member.browser, body: { name: "CI/CD Pipeline" } });
    expect(extra.status).toBe(201);
    await t.call("POST", "/api/v1/auth/send-link", { body: { email: member.email } });
    const pending = (await loggedTokens(t)).at(-1)!;
    const section = await t.call("POST", "/api/v1/sections", { headers: member.bearer, body: { name: "Theirs" } });
    expect(section.status).toBe(201);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: member.browser })).status).toBe(200);

    const r = await t.call("DELETE", `/api/v1/users/${member.userId}`, { headers: owner.browser });
    expect(r.status).toBe(204);
    for (const headers of [member.bearer, member.browser, { authorization: `Bearer ${extra.body.key}` }]) {
      const next = await t.call("GET", "/api/v1/sections", { headers });
      expect([next.status, next.body.code]).toEqual([401, "unauthorized"]);
    }
    const write = await t.call("POST", "/api/v1/sections", { headers: member.bearer, body: { name: "After" } });
    expect(write.status).toBe(401);
    // The pending link is dead too.
    const late = await t.call("POST", "/api/v1/auth/verify", { body: { token: pending } });
    expect([late.status, late.body.code]).toEqual([400, "invalid_token"]);
    expect(count(t, "users", "id = ?", member.userId)).toBe(0);
    expect(count(t, "sessions", "user_id = ?", member.userId)).toBe(0);
    expect(count(t, "api_keys", "user_id = ?", member.userId)).toBe(0);
    // Their data stays: removing a person never removes the organization's records.
    expect(count(t, "sections", "id = ?", section.body.id)).toBe(1);

    const log = activity(t, owner.orgId);
    const removal = log.find((e) => e.action === "user.remove")!;
    expect(removal).toMatchObject({ target_id: member.userId, target_label: member.email, actor_label: owner.email });
    expect(removal.changes).toEqual({ email: [member.email, null], role: ["member", null], name: [expect.any(String), null], api_keys: [2, 0], sessions: [1, 0] });
    const revokes = log.filter((e) => e.action === "api_key.revoke").map((e) => e.target_id).sort();
    expect(revokes).toEqual([member.keyId, extra.body.id].sort());
  });

  test("the last owner cannot be removed, not even by themselves; a second owner can be", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const self = await t.call("DELETE", `/api/v1/users/${owner.userId}`, { headers: owner.browser });
    expect([self.status, self.body.code]).toEqual([409, "last_owner"]);
    const second = colleague(t, owner, "owner");
    expect((await t.call("DELETE", `/api/v1/users/${second.userId}`, { headers: owner.browser })).status).toBe(204);
    const again = await t.call("DELETE", `/api/v1/users/${owner.userId}`, { headers: owner.bearer });
    expect([again.status, again.body.code]).toEqual([409, "last_owner"]);
    // With a co-owner, an owner may leave; their own next request is then 401.
    const third = colleague(t, owner, "owner");
    expect((await t.call("DELETE", `/api/v1/users/${owner.userId}`, { headers: owner.browser })).status).toBe(204);
    expect((await t.call("GET", "/api/v1/users", { headers: owner.browser })).status).toBe(401);
    expect((await t.call("GET", "/api/v1/users", { headers: third.browser })).body.total).toBe(1);
  });

  test("admins remove members and admins but not owners; members and viewers get 403; foreign ids 404", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const admin = colleague(t, owner, "admin");
    const member = colleague(t, owner, "member");
    const viewer = colleague(t, owner, "viewer");
    const stranger = createTenant(t.database, { role: "member" });
    const onOwner = await t.call("DELETE", `/api/v1/users/${owner.userId}`, { headers: admin.browser });
    expect([onOwner.status, onOwner.body.code]).toEqual([403, "forbidden"]);
    for (const who of [member, viewer]) {
      const r = await t.call("DELETE", `/api/v1/users/${admin.userId}`, { headers: who.browser });
      expect(r.status).toBe(403);
    }
    const foreign = await t.call("DELETE", `/api/v1/users/${stranger.userId}`, { headers: owner.browser });
    expect([foreign.status, foreign.body.code]).toEqual([404, "not_found"]);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: stranger.bearer })).status).toBe(200);
    // With the admin's write key (user management does not need a session).
    expect((await t.call("DELETE", `/api/v1/users/${viewer.userId}`, { headers: admin.bearer })).status).toBe(204);
    expect(activity(t, owner.orgId).find((e) => e.action === "user.remove")).toMatchObject({ actor_type: "api_key", target_id: viewer.userId });
    expect(count(t, "users", "org_id = ?", owner.orgId)).toBe(3);
  });
});

describe("activity entries", () => {
  test("invite, update and remove are recorded, readable through the API, and hold no secret", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const invited = await invite(t, owner, { email: "temp@example.org", role: "member" });
    const keyOf = await t.call("POST", "/api/v1/api-keys", { headers: owner.browser, body: { name: "Mine" } });
    await t.call("PATCH", `/api/v1/users/${invited.body.id}`, { headers: owner.browser, body: { role: "admin" } });
    // Give the invited user a key and a session by signing in, so removal has secrets to revoke.
    const token = (await loggedTokens(t)).at(-1)!;
    const signedIn = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    const cookie = /session=([^;]+)/.exec(signedIn.headers.get("set-cookie")!)![1]!;
    const theirs = await t.call("POST", "/api/v1/api-keys", {
      headers: { cookie: `session=${cookie}`, "x-requested-with": "XMLHttpRequest" },
      body: { name: "Theirs" },
    });
    expect(theirs.status).toBe(201);
    expect((await t.call("DELETE", `/api/v1/users/${invited.body.id}`, { headers: owner.browser })).status).toBe(204);

    const r = await t.call("GET", `/api/v1/activity?target_id=${invited.body.id}`, { headers: owner.bearer });
    expect(r.body.items.map((e: any) => e.action)).toEqual(["user.remove", "user.join", "user.update", "user.invite"]);
    expect(r.body.items[1]).toMatchObject({ actor: { type: "user", label: "temp@example.org" }, changes: { role: [null, "admin"] } });
    expect(r.body.items[3]).toMatchObject({ actor: { type: "user", id: owner.userId }, target: { type: "user", label: "temp@example.org" }, changes: { email: [null, "temp@example.org"], role: [null, "member"] } });
    expect(r.body.items[2].changes).toEqual({ role: ["member", "admin"] });

    const everything = JSON.stringify(t.database.sqlite.query("SELECT * FROM activity").all());
    const secrets = [token, sha256Hex(token), cookie, sha256Hex(cookie), owner.key, sha256Hex(owner.key), owner.session, keyOf.body.key, theirs.body.key, sha256Hex(theirs.body.key)];
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/ipc_[0-9A-Za-z]{40}/);
    expect(everything).not.toMatch(/[0-9a-f]{64}/);
    expect(everything).not.toMatch(/token/i);
  });
});

describe("users created by sign-in are recorded too", () => {
  test("open signup: the new organization and its owner are in the new organization's log", async () => {
    const t = testApp({ signup: "open" });
    await t.call("POST", "/api/v1/auth/send-link", { body: { email: "founder@example.org" } });
    const token = (await loggedTokens(t)).at(-1)!;
    const r = await t.call("POST", "/api/v1/auth/verify", { body: { token } });
    expect(r.status).toBe(200);
    const log = activity(t, r.body.organization.id);
    expect(log.map((e) => e.action)).toEqual(["organization.create"]);
    expect(log[0]!.changes).toEqual({ name: [null, expect.any(String)], owner: [null, "founder@example.org"] });
    expect(JSON.stringify(log)).not.toContain(token);
  });
});
