/**
 * Regression: an invitation was a user row in the inviter's organization, so with
 * `--signup open` any owner who invited a stranger captured the stranger's own later
 * sign-up, and inviting an email of any other organization answered 409 "already has an
 * account", telling every owner who uses the server. Now an invitation is a pending
 * membership that only its own link accepts, and its answer never looks at other tenants.
 */
import { describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { deliveredTokens } from "../helpers/mail";
import { createTenant, type Tenant } from "../helpers/tenant";

async function invite(t: TestApp, who: Tenant, email: string, role = "member") {
  const r = await t.call("POST", "/api/v1/users/invite", { headers: who.browser, body: { email, role } });
  const token = (await deliveredTokens(t)).at(-1)!;
  return { ...r, token };
}

async function plainLink(t: TestApp, email: string): Promise<string | undefined> {
  const before = (await deliveredTokens(t)).length;
  expect((await t.call("POST", "/api/v1/auth/send-link", { body: { email } })).status).toBe(200);
  return (await deliveredTokens(t)).slice(before).at(-1);
}

const verify = (t: TestApp, token: string) => t.call("POST", "/api/v1/auth/verify", { body: { token } });

describe("signup open", () => {
  test("a plain sign-in of an invited email makes the person's own organization, not the inviter's", async () => {
    const t = testApp({ signup: "open" });
    const owner = createTenant(t.database, { orgName: "Inviter" });
    const invited = await invite(t, owner, "stranger@example.org");
    expect(invited.status).toBe(201);

    const signedIn = await verify(t, (await plainLink(t, "stranger@example.org"))!);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.organization.id).not.toBe(owner.orgId);
    expect(signedIn.body.user.role).toBe("owner");
    // The inviter still sees a pending invitation, nothing more.
    const listed = await t.call("GET", `/api/v1/users/${invited.body.id}`, { headers: owner.bearer });
    expect(listed.body).toMatchObject({ invited: true, last_login_at: null });

    // The invitation's link is refused now, to its reader only, and is not spent by the refusal.
    const late = await verify(t, invited.token);
    expect([late.status, late.body.code]).toEqual([409, "conflict"]);
    expect(late.text).not.toContain("Inviter");
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM users WHERE org_id = ?").get(owner.orgId)).toEqual({ n: 1 });
  });

  test("using the invitation's link is the consent: they join with the invited role, under the invited id", async () => {
    const t = testApp({ signup: "open" });
    const owner = createTenant(t.database);
    const invited = await invite(t, owner, "colleague@example.org", "viewer");
    const joined = await verify(t, invited.token);
    expect(joined.status).toBe(200);
    expect(joined.body.organization.id).toBe(owner.orgId);
    expect(joined.body.user).toMatchObject({ id: invited.body.id, role: "viewer" });
    const listed = await t.call("GET", "/api/v1/users", { headers: owner.bearer });
    expect(listed.body.total).toBe(2);
    expect(listed.body.items.find((u: any) => u.id === invited.body.id)).toMatchObject({ invited: false });
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM invitations").get()).toEqual({ n: 0 });
    // Later, a plain link signs them into the organization they joined.
    const again = await verify(t, (await plainLink(t, "colleague@example.org"))!);
    expect(again.body.organization.id).toBe(owner.orgId);
  });
});

describe("signup closed", () => {
  test("its invitation's link joins", async () => {
    const t = testApp({ signup: "closed" });
    const owner = createTenant(t.database);
    const invited = await invite(t, owner, "closed@example.org", "admin");
    const joined = await verify(t, invited.token);
    expect(joined.status).toBe(200);
    expect(joined.body.organization.id).toBe(owner.orgId);
    expect(joined.body.user.role).toBe("admin");
  });

  test("an invitee whose invitation mail went astray gets a link from the sign-in page, and it joins as the invitation would", async () => {
    const t = testApp({ signup: "closed" });
    const owner = createTenant(t.database);
    const invited = await invite(t, owner, "lost-mail@example.org", "viewer");
    const plain = await plainLink(t, "lost-mail@example.org");
    expect(plain).toBeDefined();
    const joined = await verify(t, plain!);
    expect(joined.status).toBe(200);
    expect(joined.body.organization.id).toBe(owner.orgId);
    expect(joined.body.user).toMatchObject({ id: invited.body.id, role: "viewer" });
    // Joined once: the invitation is gone, so its own link is spent for nothing.
    expect((await verify(t, invited.token)).body.code).toBe("invalid_token");
    // A withdrawn invitation lets nobody in.
    const withdrawn = await invite(t, owner, "withdrawn@example.org");
    await t.call("DELETE", `/api/v1/users/${withdrawn.body.id}`, { headers: owner.bearer });
    expect(await plainLink(t, "withdrawn@example.org")).toBeUndefined();
  });
});

describe("the answer does not depend on other organizations", () => {
  for (const signup of ["open", "closed"] as const) {
    test(`signup ${signup}: inviting an email of another organization answers exactly like an unknown email`, async () => {
      const t = testApp({ signup });
      const owner = createTenant(t.database);
      const other = createTenant(t.database, { orgName: "Elsewhere Ltd" });
      const taken = await invite(t, owner, other.email);
      const unknown = await invite(t, owner, "nobody-yet@example.org");
      expect(taken.status).toBe(201);
      expect(unknown.status).toBe(taken.status);
      const shape = (b: Record<string, unknown>) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, k === "id" || k === "email" || k === "created_at" ? typeof v : v]));
      expect(shape(taken.body)).toEqual(shape(unknown.body));
      expect(taken.headers.get("content-type")).toBe(unknown.headers.get("content-type"));
      for (const leak of [other.orgId, other.userId, "Elsewhere"]) expect(taken.text).not.toContain(leak);
      // And both are listed alike, as pending invitations.
      const list = await t.call("GET", "/api/v1/users", { headers: owner.bearer });
      const rows = list.body.items.filter((u: any) => u.id !== owner.userId); // the fixture owner never signed in
      expect(rows.map((u: any) => u.email).sort()).toEqual([other.email, "nobody-yet@example.org"].sort());
      // The other organization's member is untouched.
      const me = await t.call("GET", "/api/v1/auth/me", { headers: other.bearer });
      expect(me.body.organization.id).toBe(other.orgId);
    });
  }

  test("two organizations may invite the same email; joining one leaves the other's invitation pending", async () => {
    const t = testApp();
    const a = createTenant(t.database);
    const b = createTenant(t.database);
    const fromA = await invite(t, a, "popular@example.org");
    const fromB = await invite(t, b, "popular@example.org");
    expect([fromA.status, fromB.status]).toEqual([201, 201]);
    expect((await verify(t, fromB.token)).body.organization.id).toBe(b.orgId);
    const listedA = await t.call("GET", `/api/v1/users/${fromA.body.id}`, { headers: a.bearer });
    expect(listedA.body.invited).toBe(true);
    expect((await verify(t, fromA.token)).status).toBe(409);
  });
});

describe("managing invitations", () => {
  test("inviting again updates the invitation and replaces its link; DELETE withdraws it and its link", async () => {
    const t = testApp();
    const owner = createTenant(t.database);
    const first = await invite(t, owner, "again@example.org", "member");
    const second = await invite(t, owner, "again@example.org", "viewer");
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ id: first.body.id, role: "viewer", invited: true });
    expect(second.token).not.toBe(first.token);
    expect((await verify(t, first.token)).body.code).toBe("invalid_token");

    const patched = await t.call("PATCH", `/api/v1/users/${first.body.id}`, { headers: owner.browser, body: { role: "admin" } });
    expect(patched.body).toMatchObject({ role: "admin", invited: true });
    expect((await t.call("DELETE", `/api/v1/users/${first.body.id}`, { headers: owner.browser })).status).toBe(204);
    expect((await verify(t, second.token)).body.code).toBe("invalid_token");
    expect((await t.call("GET", `/api/v1/users/${first.body.id}`, { headers: owner.bearer })).status).toBe(404);
    // Another organization cannot see or withdraw it.
    const stranger = createTenant(t.database);
    const third = await invite(t, owner, "again@example.org");
    expect((await t.call("DELETE", `/api/v1/users/${third.body.id}`, { headers: stranger.browser })).status).toBe(404);
  });

  test("pending invitations hold a seat in the plan's user limit", async () => {
    const t = testApp();
    const free = createTenant(t.database, { plan: "teams" });
    for (let i = 0; i < 4; i++) expect((await invite(t, free, `seat${i}@example.org`)).status).toBe(201);
    const over = await invite(t, free, "seat4@example.org");
    expect([over.status, over.body.code]).toEqual([402, "plan_limit"]);
    const org = await t.call("GET", "/api/v1/organization", { headers: free.bearer });
    expect(org.body.usage.users).toBe(5);
  });
});
