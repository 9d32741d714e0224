/**
 * The sign-in contract (API.md §2) through the real app, on both backends. On PostgreSQL all
 * of it runs before anyone is known (scope `{ orgId: null }`), reading members and
 * invitations only through the narrow lookup windows: send-link answers alike for known and
 * unknown emails, with the same per-email limit; a link is spent once and opens a session;
 * an invitation's link joins its organization; open signup makes a new organization; logout
 * and /auth/me; a logged-out session is 401 on the very next request.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { deliveries } from "../../helpers/mail";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, openApp } from "./backends";

usePgCluster();

describe.each(BACKENDS)("sign-in on $name", (backend) => {
  let opened: Awaited<ReturnType<typeof openApp>> | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  async function fresh(config: Parameters<typeof openApp>[1] = {}) {
    opened = await openApp(backend, config);
    const tenant = await opened.newTenant();
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) => opened!.call("POST", path, headers, body);
    return { ...opened, tenant, api: opened.as(tenant), post };
  }
  async function links(t: { logger: { lines: string[] } }): Promise<string[]> {
    await deliveries();
    return t.logger.lines.flatMap((line) => [...line.matchAll(/\/auth\/verify\?token=([A-Za-z0-9]+)/g)].map((m) => m[1]!));
  }
  /** The browser headers of the session a verify answer set. */
  function browserOf(r: { headers: Headers }): Record<string, string> {
    const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
    return { cookie, "x-requested-with": "XMLHttpRequest" };
  }

  test("send-link answers alike for known and unknown emails; only the known one gets a link; verify opens a session once", async () => {
    const t = await fresh();
    const known = await t.post("/auth/send-link", { email: t.tenant.email.toUpperCase() });
    const unknown = await t.post("/auth/send-link", { email: "stranger@example.net" });
    expect({ status: known.status, body: known.body }).toEqual({ status: 200, body: { message: "magic link sent" } });
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: 200, body: { message: "magic link sent" } });
    const [token] = await links(t);
    expect(await links(t)).toHaveLength(1);
    const signedIn = await t.post("/auth/verify", { token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toEqual({
      user: { id: t.tenant.userId, email: t.tenant.email, name: expect.any(String), role: "owner" },
      organization: { id: t.tenant.orgId, name: expect.any(String), plan: "unlimited" },
    });
    expect(signedIn.headers.get("set-cookie")).toMatch(/^session=[A-Za-z0-9]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Strict/);
    const browser = browserOf(signedIn);
    const me = await t.call("GET", "/auth/me", browser);
    expect(me.body).toEqual({ ...signedIn.body, auth: "session", scope: "write" });
    // The member list now shows a sign-in time.
    expect((await t.api.get(`/users/${t.tenant.userId}`)).body.last_login_at).toMatch(/Z$/);
    const again = await t.post("/auth/verify", { token });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_token");
    // Logout: 204, and the very next request with that cookie is 401.
    expect((await t.call("POST", "/auth/logout", browser, {})).status).toBe(204);
    expect((await t.call("GET", "/auth/me", browser)).status).toBe(401);
    expect((await t.call("GET", "/auth/me", t.tenant.browser)).status).toBe(200);
  });

  test("the per-email limit: the sixth link in 15 minutes is 429 with Retry-After, for known and unknown emails alike", async () => {
    const t = await fresh();
    for (const email of [t.tenant.email, "nobody@example.net"]) {
      for (let i = 0; i < 5; i++) expect((await t.post("/auth/send-link", { email })).status).toBe(200);
      const over = await t.post("/auth/send-link", { email });
      expect(over.status).toBe(429);
      expect(over.body.code).toBe("rate_limited");
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(await links(t)).toHaveLength(5);
  });

  test("an invitation's link joins the inviting organization under the invitation's id, with the invited role, once", async () => {
    const t = await fresh();
    const invited = (await t.api.post("/users/invite", { email: "guest@example.org", role: "admin", name: "Guest" })).body;
    const [token] = await links(t);
    const joined = await t.post("/auth/verify", { token });
    expect(joined.status).toBe(200);
    expect(joined.body.user).toEqual({ id: invited.id, email: "guest@example.org", name: "Guest", role: "admin" });
    expect(joined.body.organization.id).toBe(t.tenant.orgId);
    const browser = browserOf(joined);
    expect((await t.call("GET", "/users", browser)).body.items.map((u: { id: string; invited: boolean }) => [u.id, u.invited])).toEqual([
      [t.tenant.userId, true],
      [invited.id, false],
    ]);
    expect((await t.post("/auth/verify", { token })).body.code).toBe("invalid_token");
    expect((await t.probes.activity(t.tenant.orgId)).map((a) => a.action)).toEqual(["user.invite", "user.join"]);
  });

  test("a withdrawn invitation's link is refused; an invitation for an email with an account elsewhere is 409, unspent", async () => {
    const t = await fresh();
    const withdrawn = (await t.api.post("/users/invite", { email: "gone@example.org" })).body;
    await t.api.del(`/users/${withdrawn.id}`);
    const elsewhere = await t.newTenant();
    await t.api.post("/users/invite", { email: elsewhere.email });
    const [gone, taken] = await links(t);
    expect((await t.post("/auth/verify", { token: gone })).body.code).toBe("invalid_token");
    const conflict = await t.post("/auth/verify", { token: taken });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe("conflict");
    expect((await t.post("/auth/verify", { token: taken })).status).toBe(409);
    expect((await t.as(elsewhere).get("/users")).body.total).toBe(1);
  });

  test("open signup: a new email gets a link and becomes the owner of a new organization, recorded in its own log", async () => {
    const t = await fresh({ signup: "open" });
    await t.post("/auth/send-link", { email: "founder@example.org" });
    const [token] = await links(t);
    const r = await t.post("/auth/verify", { token });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ email: "founder@example.org", role: "owner", name: "" });
    expect(r.body.organization).toMatchObject({ name: "founder's organization", plan: "unlimited" });
    expect(r.body.organization.id).not.toBe(t.tenant.orgId);
    const org = await t.call("GET", "/organization", browserOf(r));
    expect(org.body.usage).toMatchObject({ users: 1, api_keys: 0 });
    expect((await t.probes.activity(r.body.organization.id)).map((a) => [a.action, a.actor_id])).toEqual([["organization.create", r.body.user.id]]);
  });

  test("closed signup: the plain link of an email one organization invited joins it; invited by two, only their own links do", async () => {
    const t = await fresh();
    const invited = (await t.api.post("/users/invite", { email: "invitee@example.org", role: "member" })).body;
    const before = (await links(t)).length;
    await t.post("/auth/send-link", { email: "invitee@example.org" });
    const sent = await links(t);
    expect(sent.length).toBe(before + 1);
    const joined = await t.post("/auth/verify", { token: sent.at(-1)! });
    expect(joined.status).toBe(200);
    expect(joined.body.user).toEqual({ id: invited.id, email: "invitee@example.org", name: "", role: "member" });
    expect(joined.body.organization.id).toBe(t.tenant.orgId);
    expect((await t.probes.activity(t.tenant.orgId)).map((a) => a.action)).toEqual(["user.invite", "user.join"]);

    // Two organizations invite one email: a plain link would have to guess which to join, so none is sent.
    const other = await t.newTenant();
    await t.api.post("/users/invite", { email: "wanted@example.org" });
    await t.as(other).post("/users/invite", { email: "wanted@example.org", role: "viewer" });
    const invitationLinks = await links(t);
    await t.post("/auth/send-link", { email: "wanted@example.org" });
    expect((await links(t)).length).toBe(invitationLinks.length);
    // Each invitation's own link still joins its organization; the other stays pending.
    const chosen = await t.post("/auth/verify", { token: invitationLinks.at(-1)! });
    expect(chosen.body.organization.id).toBe(other.orgId);
    const pending = (await t.api.get("/users")).body.items.filter((u: { email: string }) => u.email === "wanted@example.org");
    expect(pending).toEqual([expect.objectContaining({ invited: true })]);
  });

  test("closed signup: an unknown email's link is never delivered, and a removed user's old link is refused", async () => {
    const t = await fresh();
    const member = await t.newMember(t.tenant.orgId, "member");
    await t.post("/auth/send-link", { email: member.email });
    const [token] = await links(t);
    await t.api.del(`/users/${member.id}`);
    expect((await t.post("/auth/verify", { token })).body.code).toBe("invalid_token");
  });
});
