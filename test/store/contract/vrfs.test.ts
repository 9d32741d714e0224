/**
 * The VRF contract (API.md §6, issue 15) through the real app on both backends. VRFs used to
 * be bare names on subnets, so a typo ("Default", "defualt") silently made a second VRF; now
 * they are objects: `default` always exists, names are unique (and may not differ only in
 * case), and a VRF that subnets use can be neither deleted nor renamed.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

describe.each(BACKENDS)("VRFs on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("a new organization has `default`; create → 201, get, list in name order with keyset pages; activity records it", async () => {
    const t = await fresh();
    const start = await t.api.get("/vrfs");
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ total: 1, next_cursor: null, items: [{ name: "default", description: "", subnet_count: 0 }] });
    const r = await t.api.post("/vrfs", { name: "guest", description: "Guest Wi-Fi" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "guest", description: "Guest Wi-Fi", subnet_count: 0 });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await t.api.get(`/vrfs/${r.body.id}`)).body).toEqual(r.body);
    for (const name of ["lab", "blue", "mgmt"]) expect((await t.api.post("/vrfs", { name })).status).toBe(201);
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.api.get(`/vrfs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.total).toBe(5);
      names.push(...page.body.items.map((v: any) => v.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(names).toEqual(["blue", "default", "guest", "lab", "mgmt"]);
    const activity = await t.probes.activity(t.tenant.orgId);
    expect(activity[0]).toMatchObject({ action: "vrf.create", actor_type: "api_key", target_id: r.body.id, target_label: "guest" });
  });

  test("a duplicate name, or one differing only in case, is 409 duplicate_name; a bad name is 400; nothing written", async () => {
    const t = await fresh();
    expect((await t.api.post("/vrfs", { name: "blue" })).status).toBe(201);
    const same = await t.api.post("/vrfs", { name: "blue" });
    expect(same.status).toBe(409);
    expect(same.body).toMatchObject({ code: "duplicate_name", error: 'A VRF named "blue" already exists' });
    const twin = await t.api.post("/vrfs", { name: "Default" });
    expect(twin.status).toBe(409);
    expect(twin.body).toMatchObject({ code: "duplicate_name", details: { field: "name", existing: "default" } });
    expect(twin.body.error).toContain('"default"');
    const bad = await t.api.post("/vrfs", { name: "two words" });
    expect(bad.status).toBe(400);
    expect(bad.body.details.field).toBe("name");
    expect((await t.api.get("/vrfs")).body.total).toBe(2);
    // Another organization may use the same names.
    const other = t.as(await t.newTenant());
    expect((await other.post("/vrfs", { name: "blue" })).status).toBe(201);
  });

  test("delete: `default` never, a VRF with subnets 409 vrf_in_use, an unused one 204", async () => {
    const t = await fresh();
    const vrfs = (await t.api.get("/vrfs")).body.items;
    const def = vrfs.find((v: any) => v.name === "default");
    const refused = await t.api.del(`/vrfs/${def.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('The "default" VRF always exists and cannot be deleted');
    const blue = (await t.api.post("/vrfs", { name: "blue" })).body;
    await t.probes.insertSubnet(t.tenant.orgId, null, 1, "blue");
    await t.probes.insertSubnet(t.tenant.orgId, null, 2, "blue");
    expect((await t.api.get(`/vrfs/${blue.id}`)).body.subnet_count).toBe(2);
    const inUse = await t.api.del(`/vrfs/${blue.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body).toMatchObject({ code: "vrf_in_use", details: { subnets: 2 } });
    expect(inUse.body.error).toBe('VRF "blue" holds 2 subnets; delete or move them first');
    const lab = (await t.api.post("/vrfs", { name: "lab" })).body;
    expect((await t.api.del(`/vrfs/${lab.id}`)).status).toBe(204);
    expect((await t.api.get(`/vrfs/${lab.id}`)).status).toBe(404);
    expect((await t.probes.activity(t.tenant.orgId)).map((a) => a.action)).toEqual(["vrf.create", "vrf.create", "vrf.delete"]);
  });

  test("rename: never `default`, never a VRF with subnets (its description may change), else like create", async () => {
    const t = await fresh();
    const def = (await t.api.get("/vrfs")).body.items[0];
    expect((await t.api.patch(`/vrfs/${def.id}`, { name: "main" })).status).toBe(400);
    expect((await t.api.patch(`/vrfs/${def.id}`, { description: "the routing table" })).body.description).toBe("the routing table");
    const blue = (await t.api.post("/vrfs", { name: "blue" })).body;
    await t.probes.insertSubnet(t.tenant.orgId, null, 1, "blue");
    const inUse = await t.api.patch(`/vrfs/${blue.id}`, { name: "green" });
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe("vrf_in_use");
    expect((await t.api.patch(`/vrfs/${blue.id}`, { description: "tenant A" })).status).toBe(200);
    const lab = (await t.api.post("/vrfs", { name: "lab" })).body;
    expect((await t.api.patch(`/vrfs/${lab.id}`, { name: "BLUE" })).status).toBe(409);
    const renamed = await t.api.patch(`/vrfs/${lab.id}`, { name: "lab-2" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("lab-2");
  });

  test("another organization's VRF is 404 on every route and absent from its list", async () => {
    const t = await fresh();
    const blue = (await t.api.post("/vrfs", { name: "blue" })).body;
    const other = t.as(await t.newTenant());
    for (const r of [await other.get(`/vrfs/${blue.id}`), await other.patch(`/vrfs/${blue.id}`, { description: "x" }), await other.del(`/vrfs/${blue.id}`)]) {
      expect(r.status).toBe(404);
    }
    expect((await other.get("/vrfs")).body.items.map((v: any) => v.name)).toEqual(["default"]);
    expect((await t.api.get(`/vrfs/${blue.id}`)).body.description).toBe("");
  });
});
