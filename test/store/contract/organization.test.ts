/**
 * The organization contract (API.md §3) through the real app, on both backends: everyone
 * sees the name, owners also the plan, limits and usage (counted by the backend's SQL);
 * owners and admins rename it, with an activity entry; each organization sees only its own.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

describe.each(BACKENDS)("organization on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("an owner sees plan, limits and usage; a member sees only the name", async () => {
    const t = await fresh({ plan: "teams", orgName: "Lab" });
    await t.api.post("/sections", { name: "A" });
    await t.probes.insertSubnet(t.tenant.orgId, null, 1);
    const member = await t.newMember(t.tenant.orgId, "member");
    const r = await t.api.get("/organization");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: t.tenant.orgId,
      name: "Lab",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated_at: r.body.created_at,
      plan: "teams",
      limits: { users: 5, sections: 50, subnets: 500, addresses: 7000, api: "write", rate_limit: null, activity_days: 90 },
      usage: { users: 2, sections: 1, subnets: 1, addresses: 0, api_keys: 1 },
    });
    const m = await t.call("GET", "/organization", member.browser);
    expect(m.body).toEqual({ id: t.tenant.orgId, name: "Lab", created_at: r.body.created_at, updated_at: r.body.updated_at });
  });

  test("an owner or admin renames it (activity records it); a member or read key gets 403; an unchanged name writes nothing", async () => {
    const t = await fresh({ orgName: "Old" });
    const r = await t.call("PATCH", "/organization", t.tenant.browser, { name: "  Home Lab " });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe("Home Lab");
    expect(Date.parse(r.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(r.body.created_at));
    expect((await t.api.get("/organization")).body).toEqual(r.body);
    const member = await t.newMember(t.tenant.orgId, "member");
    expect((await t.call("PATCH", "/organization", member.browser, { name: "X" })).status).toBe(403);
    const admin = await t.newMember(t.tenant.orgId, "admin");
    expect((await t.call("PATCH", "/organization", admin.browser, { name: "By admin" })).status).toBe(200);
    expect((await t.call("PATCH", "/organization", admin.browser, { name: "By admin" })).status).toBe(200);
    expect((await t.call("PATCH", "/organization", t.tenant.browser, { name: " " })).status).toBe(400);
    const log = await t.probes.activity(t.tenant.orgId);
    expect(log.map((a) => [a.action, a.actor_id, JSON.parse(a.changes)])).toEqual([
      ["organization.update", t.tenant.userId, { name: ["Old", "Home Lab"] }],
      ["organization.update", admin.id, { name: ["Home Lab", "By admin"] }],
    ]);
  });

  test("each organization sees and renames only its own", async () => {
    const t = await fresh({ orgName: "A" });
    const other = await t.newTenant({ orgName: "B" });
    await t.api.patch("/organization", { name: "A2" });
    expect((await t.as(other).get("/organization")).body).toMatchObject({ id: other.orgId, name: "B", usage: { users: 1, api_keys: 1 } });
    expect((await t.api.get("/organization")).body.name).toBe("A2");
    expect(await t.probes.activity(other.orgId)).toEqual([]);
  });
});
