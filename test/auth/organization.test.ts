import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("GET /api/v1/organization", () => {
  test("owners see plan, limits and usage", async () => {
    const t = testApp({ rateLimit: 100 });
    const owner = createTenant(t.database, { plan: "teams", orgName: "Lab" });
    const r = await t.call("GET", "/api/v1/organization", { headers: owner.bearer });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: owner.orgId,
      name: "Lab",
      created_at: expect.any(String),
      updated_at: expect.any(String),
      plan: "teams",
      limits: { users: 5, sections: 50, subnets: 500, addresses: 7000, api: "write", rate_limit: 50, activity_days: 90 },
      usage: { users: 1, sections: 0, subnets: 0, addresses: 0, api_keys: 1 },
    });
  });

  test("unlimited plans show the server's rate; others see only the name", async () => {
    const t = testApp({ rateLimit: 75 });
    const owner = createTenant(t.database);
    const r = await t.call("GET", "/api/v1/organization", { headers: owner.bearer });
    expect(r.body.limits).toMatchObject({ users: null, subnets: null, rate_limit: 75 });
    const member = createTenant(t.database, { role: "member" });
    const m = await t.call("GET", "/api/v1/organization", { headers: member.bearer });
    expect(Object.keys(m.body).sort()).toEqual(["created_at", "id", "name", "updated_at"]);
  });
});

describe("PATCH /api/v1/organization", () => {
  test("an owner renames it; the change is in the activity log", async () => {
    const t = testApp();
    const owner = createTenant(t.database, { orgName: "Old" });
    const r = await t.call("PATCH", "/api/v1/organization", { headers: owner.browser, body: { name: "  Home Lab " } });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe("Home Lab");
    const entry = t.database.sqlite.query("SELECT action, changes FROM activity").get() as { action: string; changes: string };
    expect(entry.action).toBe("organization.update");
    expect(JSON.parse(entry.changes)).toEqual({ name: ["Old", "Home Lab"] });
  });

  test("refused: members (403 forbidden), read keys (403 insufficient_scope), cookie without header (403), empty name (400)", async () => {
    const t = testApp();
    const member = createTenant(t.database, { role: "member", orgName: "Same" });
    const reader = createTenant(t.database, { scope: "read", orgName: "Same" });
    const owner = createTenant(t.database, { orgName: "Same" });
    const asMember = await t.call("PATCH", "/api/v1/organization", { headers: member.browser, body: { name: "X" } });
    expect(asMember.status).toBe(403);
    expect(asMember.body.code).toBe("forbidden");
    const asReadKey = await t.call("PATCH", "/api/v1/organization", { headers: reader.bearer, body: { name: "X" } });
    expect(asReadKey.status).toBe(403);
    expect(asReadKey.body.code).toBe("insufficient_scope");
    const noHeader = await t.call("PATCH", "/api/v1/organization", { headers: { cookie: `session=${owner.session}` }, body: { name: "X" } });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.code).toBe("csrf_header_missing");
    const empty = await t.call("PATCH", "/api/v1/organization", { headers: owner.browser, body: { name: " " } });
    expect(empty.status).toBe(400);
    expect(empty.body.details.field).toBe("name");
    const names = t.database.sqlite.query("SELECT DISTINCT name FROM organizations").all();
    expect(names).toEqual([{ name: "Same" }]);
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM activity").get()).toEqual({ n: 0 });
  });

  test("each organization sees and renames only its own", async () => {
    const t = testApp();
    const a = createTenant(t.database, { orgName: "A" });
    const b = createTenant(t.database, { orgName: "B" });
    await t.call("PATCH", "/api/v1/organization", { headers: a.bearer, body: { name: "A2" } });
    const rb = await t.call("GET", "/api/v1/organization", { headers: b.bearer });
    expect(rb.body).toMatchObject({ id: b.orgId, name: "B" });
    expect(rb.text).not.toContain(a.orgId);
  });
});
