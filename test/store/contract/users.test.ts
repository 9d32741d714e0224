/**
 * The users and invitations contract (API.md §3) through the real app, on both backends:
 * members and pending invitations listed together; invite answers 201 alike for an unknown
 * email and one with an account elsewhere (409 only for a member of the caller's own
 * organization); seats counted through the plan; owner rules and the last owner (409);
 * removal cuts off the user's key and session on the very next request; another
 * organization's ids are 404.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { deliveries } from "../../helpers/mail";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

describe.each(BACKENDS)("users on $name", (backend) => {
  const fresh = freshTenantApps(backend);
  async function links(t: { logger: { lines: string[] } }): Promise<string[]> {
    await deliveries();
    return t.logger.lines.flatMap((line) => [...line.matchAll(/\/auth\/verify\?token=([A-Za-z0-9]+)/g)].map((m) => m[1]!));
  }

  test("invite → 201 pending (invited: true), listed after the members, oldest first, keyset pages; a link is delivered", async () => {
    const t = await fresh();
    await Bun.sleep(3); // the invitation is then strictly younger than the fixture's owner
    const r = await t.api.post("/users/invite", { email: "New.Person@Example.org", role: "admin", name: "New" });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: "new.person@example.org",
      name: "New",
      role: "admin",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      last_login_at: null,
      invited: true,
      // no SMTP configured: the answer says the link only went to the server log
      delivery: "log",
    });
    expect(await links(t)).toHaveLength(1);
    const { delivery: _, ...invited } = r.body;
    expect((await t.api.get(`/users/${r.body.id}`)).body).toEqual(invited);
    const list = await t.api.get("/users");
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((u: { id: string }) => u.id)).toEqual([t.tenant.userId, r.body.id]);
    const page1 = await t.api.get("/users?limit=1");
    expect(page1.body.items.map((u: { id: string }) => u.id)).toEqual([t.tenant.userId]);
    const page2 = await t.api.get(`/users?limit=1&cursor=${page1.body.next_cursor}`);
    expect(page2.body).toEqual({ items: [invited], total: 2, next_cursor: null });
    // Re-inviting updates the invitation and sends a fresh link; it is still one seat.
    const again = await t.api.post("/users/invite", { email: "new.person@example.org", role: "member" });
    expect(again.body).toMatchObject({ id: r.body.id, role: "member", name: "New", created_at: r.body.created_at });
    expect(await links(t)).toHaveLength(2);
    expect((await t.api.get("/organization")).body.usage.users).toBe(2);
    const log = await t.probes.activity(t.tenant.orgId);
    expect(log.map((a) => [a.action, JSON.parse(a.changes)])).toEqual([
      ["user.invite", { email: [null, "new.person@example.org"], role: [null, "admin"], name: [null, "New"] }],
      ["user.invite", { role: ["admin", "member"] }],
    ]);
    expect(JSON.stringify(log)).not.toContain((await links(t))[0]!);
  });

  test("an email with an account in another organization is invited exactly like an unknown one; only an own member is 409", async () => {
    const t = await fresh();
    const elsewhere = await t.newTenant();
    const known = await t.api.post("/users/invite", { email: elsewhere.email });
    const unknown = await t.api.post("/users/invite", { email: "nobody@example.net" });
    expect([known.status, unknown.status]).toEqual([201, 201]);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(known.body).toMatchObject({ role: "member", invited: true, last_login_at: null, name: "" });
    expect(await links(t)).toHaveLength(2);
    const own = await t.api.post("/users/invite", { email: t.tenant.email.toUpperCase() });
    expect(own.status).toBe(409);
    expect(own.body.code).toBe("conflict");
  });

  test("seats: members plus invitations count towards the plan (402 plan_limit, nothing created or sent)", async () => {
    const t = await fresh({ plan: "teams" });
    for (let i = 0; i < 4; i++) expect((await t.api.post("/users/invite", { email: `p${i}@example.org` })).status).toBe(201);
    const over = await t.api.post("/users/invite", { email: "p5@example.org" });
    expect(over.status).toBe(402);
    expect(over.body).toMatchObject({ code: "plan_limit", details: { resource: "users" } });
    expect((await t.api.get("/users")).body.total).toBe(5);
    expect(await links(t)).toHaveLength(4);
  });

  test("role changes: only owners make owners; the last owner cannot be demoted or removed (409 last_owner)", async () => {
    const t = await fresh();
    const admin = await t.newMember(t.tenant.orgId, "admin");
    const member = await t.newMember(t.tenant.orgId, "member");
    expect((await t.call("PATCH", `/users/${member.id}`, admin.browser, { role: "owner" })).status).toBe(403);
    expect((await t.call("PATCH", `/users/${member.id}`, admin.browser, { role: "viewer", name: "V" })).body).toMatchObject({ role: "viewer", name: "V" });
    expect((await t.call("PATCH", `/users/${member.id}`, member.browser, { role: "admin" })).status).toBe(403);
    const demote = await t.api.patch(`/users/${t.tenant.userId}`, { role: "admin" });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe("last_owner");
    expect((await t.api.del(`/users/${t.tenant.userId}`)).body.code).toBe("last_owner");
    expect((await t.api.patch(`/users/${admin.id}`, { role: "owner" })).status).toBe(200);
    expect((await t.api.patch(`/users/${t.tenant.userId}`, { role: "admin" })).body.role).toBe("admin");
  });

  test("removal cuts off the user's key and session on the very next request; keys revoked one by one in the log", async () => {
    const t = await fresh();
    const member = await t.newMember(t.tenant.orgId, "member");
    const key = (await t.call("POST", "/api-keys", member.browser, { name: "theirs" })).body;
    expect((await t.call("GET", "/sections", { authorization: `Bearer ${key.key}` })).status).toBe(200);
    expect((await t.call("GET", "/sections", member.browser)).status).toBe(200);
    expect((await t.api.del(`/users/${member.id}`)).status).toBe(204);
    expect((await t.call("GET", "/sections", { authorization: `Bearer ${key.key}` })).status).toBe(401);
    expect((await t.call("GET", "/sections", member.browser)).status).toBe(401);
    expect((await t.api.get(`/users/${member.id}`)).status).toBe(404);
    const log = await t.probes.activity(t.tenant.orgId);
    expect(log.slice(-2).map((a) => [a.action, a.target_id])).toEqual([["api_key.revoke", key.id], ["user.remove", member.id]]);
    expect(JSON.parse(log.at(-1)!.changes)).toEqual({ email: [member.email, null], role: ["member", null], name: [member.email, null], api_keys: [1, 0], sessions: [1, 0] });
  });

  test("withdrawing an invitation frees its seat; another organization's users and invitations are 404 for every verb", async () => {
    const t = await fresh();
    const invited = (await t.api.post("/users/invite", { email: "x@example.org" })).body;
    const other = await t.newTenant();
    const theirs = t.as(other);
    const theirInvite = (await theirs.post("/users/invite", { email: "y@example.org" })).body;
    for (const id of [other.userId, theirInvite.id]) {
      expect((await t.api.get(`/users/${id}`)).status).toBe(404);
      expect((await t.api.patch(`/users/${id}`, { role: "viewer" })).status).toBe(404);
      expect((await t.api.del(`/users/${id}`)).status).toBe(404);
    }
    expect((await theirs.get("/users")).body.total).toBe(2);
    expect((await t.api.del(`/users/${invited.id}`)).status).toBe(204);
    expect((await t.api.get("/users")).body.total).toBe(1);
    expect((await t.probes.activity(t.tenant.orgId)).at(-1)).toMatchObject({ action: "user.remove", target_id: invited.id });
  });
});
