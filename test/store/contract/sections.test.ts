/**
 * The sections contract (API.md §5) and authentication, through the real app, on both
 * backends: one suite, parameterised by BACKENDS (backends.ts). What runs here on SQLite
 * runs identically on PostgreSQL with row-level security, so the two dialects' SQL
 * (src/store/sqlite/*, src/store/pg/*) cannot drift apart unnoticed.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

describe.each(BACKENDS)("sections on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("create → 201 with the section; get; activity records the actor", async () => {
    const t = await fresh();
    const r = await t.api.post("/sections", { name: "Datacenter 1", description: "Racks A–F" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "Datacenter 1", description: "Racks A–F", subnet_count: 0 });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.body.updated_at).toBe(r.body.created_at);
    const got = await t.api.get(`/sections/${r.body.id}`);
    expect({ status: got.status, body: got.body }).toEqual({ status: 200, body: r.body });
    const activity = await t.probes.activity(t.tenant.orgId);
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({ action: "section.create", actor_type: "api_key", actor_id: t.tenant.keyId, target_id: r.body.id });
    expect(JSON.parse(activity[0]!.changes)).toEqual({ name: [null, "Datacenter 1"], description: [null, "Racks A–F"] });
  });

  test("a duplicate name, in any letter case, is 409 duplicate_name naming the existing section; nothing written", async () => {
    const t = await fresh();
    const office = (await t.api.post("/sections", { name: "Office" })).body;
    const dup = await t.api.post("/sections", { name: "OFFICE" });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error: 'A section named "Office" already exists', code: "duplicate_name", details: { field: "name", existing_id: office.id } });
    const lab = (await t.api.post("/sections", { name: "Lab" })).body;
    const renameClash = await t.api.patch(`/sections/${lab.id}`, { name: "office" });
    expect(renameClash.status).toBe(409);
    expect(renameClash.body.error).toBe('A section named "Office" already exists');
    expect((await t.api.get(`/sections/${lab.id}`)).body.name).toBe("Lab");
    // Another organization may reuse the name; the same section may change its case.
    const other = t.as(await t.newTenant());
    expect((await other.post("/sections", { name: "office" })).status).toBe(201);
    expect((await t.api.patch(`/sections/${lab.id}`, { name: "LAB" })).status).toBe(200);
    expect((await t.probes.activity(t.tenant.orgId)).map((a) => a.action)).toEqual(["section.create", "section.create", "section.update"]);
  });

  test("list: name order case-insensitively, keyset pages, total, q filter (LIKE characters are literal)", async () => {
    const t = await fresh();
    for (const name of ["delta", "Alpha", "charlie", "Bravo", "echo", "50%_off"]) expect((await t.api.post("/sections", { name })).status).toBe(201);
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.api.get(`/sections?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(6);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      names.push(...page.body.items.map((s: any) => s.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(names).toEqual(["50%_off", "Alpha", "Bravo", "charlie", "delta", "echo"]);
    const q = await t.api.get("/sections?q=HA");
    expect(q.body).toMatchObject({ total: 2, next_cursor: null });
    expect(q.body.items.map((s: any) => s.name)).toEqual(["Alpha", "charlie"]);
    expect((await t.api.get("/sections?q=%25_")).body.items.map((s: any) => s.name)).toEqual(["50%_off"]);
    expect((await t.api.get("/sections?q=_")).body.total).toBe(1);
    expect((await t.api.get("/sections?cursor=garbage")).status).toBe(400);
  });

  test("patch renames and describes; no change writes nothing", async () => {
    const t = await fresh();
    const s = (await t.api.post("/sections", { name: "Datacenter 1" })).body;
    const renamed = await t.api.patch(`/sections/${s.id}`, { name: "DC1", description: "north" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: s.id, name: "DC1", description: "north", created_at: s.created_at });
    expect((await t.api.patch(`/sections/${s.id}`, { name: "DC1" })).status).toBe(200);
    const activity = await t.probes.activity(t.tenant.orgId);
    expect(activity.map((a) => a.action)).toEqual(["section.create", "section.update"]);
    expect(JSON.parse(activity[1]!.changes)).toEqual({ name: ["Datacenter 1", "DC1"], description: ["", "north"] });
  });

  test("subnet_count counts filed subnets; delete → 204, its subnets stay, unfiled; activity says how many", async () => {
    const t = await fresh();
    const s = (await t.api.post("/sections", { name: "Temp" })).body;
    const filed = [await t.probes.insertSubnet(t.tenant.orgId, s.id, 1), await t.probes.insertSubnet(t.tenant.orgId, s.id, 2)];
    const loose = await t.probes.insertSubnet(t.tenant.orgId, null, 3);
    expect((await t.api.get(`/sections/${s.id}`)).body.subnet_count).toBe(2);
    expect((await t.api.del(`/sections/${s.id}`)).status).toBe(204);
    expect((await t.api.get(`/sections/${s.id}`)).status).toBe(404);
    for (const id of [...filed, loose]) expect(await t.probes.sectionOfSubnet(id)).toBeNull();
    const deleted = (await t.probes.activity(t.tenant.orgId)).filter((a) => a.action === "section.delete");
    expect(deleted).toHaveLength(1);
    expect(JSON.parse(deleted[0]!.changes)).toEqual({ name: ["Temp", null], subnets_unfiled: [2, 0] });
  });

  test("another organization's section is 404 for every verb and absent from its list", async () => {
    const t = await fresh();
    const s = (await t.api.post("/sections", { name: "Mine" })).body;
    const subnet = await t.probes.insertSubnet(t.tenant.orgId, s.id, 9);
    const other = t.as(await t.newTenant());
    expect((await other.get(`/sections/${s.id}`)).status).toBe(404);
    expect((await other.patch(`/sections/${s.id}`, { name: "x" })).status).toBe(404);
    expect((await other.del(`/sections/${s.id}`)).status).toBe(404);
    expect((await other.get("/sections")).body).toEqual({ items: [], total: 0, next_cursor: null });
    expect((await t.api.get(`/sections/${s.id}`)).body).toMatchObject({ name: "Mine", subnet_count: 1 });
    expect(await t.probes.sectionOfSubnet(subnet)).toBe(s.id);
  });

  test("scopes, sessions and plans: read keys read, 403 on writes; cookie writes need the CSRF header; the free plan stops at 5 (402)", async () => {
    const t = await fresh({ plan: "free" });
    // The free plan is read-only for API keys, but a signed-in session may write.
    expect((await t.api.post("/sections", { name: "via key" })).body.code).toBe("insufficient_scope");
    expect((await t.call("POST", "/sections", { cookie: t.tenant.browser.cookie! }, { name: "no header" })).body.code).toBe("csrf_header_missing");
    for (let i = 0; i < 5; i++) expect((await t.api.browser("POST", "/sections", { name: `s${i}` })).status).toBe(201);
    const sixth = await t.api.browser("POST", "/sections", { name: "s5" });
    expect(sixth.status).toBe(402);
    expect(sixth.body).toMatchObject({ code: "plan_limit", details: { resource: "sections", limit: 5, current: 5 } });
    expect((await t.api.browser("GET", "/sections")).body.total).toBe(5);
    const reader = t.as(await t.newTenant({ scope: "read" }));
    expect((await reader.get("/sections")).status).toBe(200);
    expect((await reader.post("/sections", { name: "nope" })).status).toBe(403);
  });

  test("authentication: no or unknown credentials → 401; a revoked key is 401 on the very next request; last use is recorded", async () => {
    const t = await fresh();
    expect((await t.call("GET", "/sections", {})).status).toBe(401);
    expect((await t.call("GET", "/sections", { authorization: "Bearer ipc_0000000000000000000000000000000000000000" })).status).toBe(401);
    expect((await t.call("GET", "/sections", { cookie: "session=nope" })).status).toBe(401);
    expect((await t.api.get("/sections")).status).toBe(200);
    expect((await t.api.browser("GET", "/sections")).status).toBe(200);
    const key = await t.store.read({ orgId: null }, (q) => q.auth.keyByHash(new Bun.CryptoHasher("sha256").update(t.tenant.key).digest("hex")));
    expect(key).toMatchObject({ id: t.tenant.keyId, orgId: t.tenant.orgId, role: "owner", plan: "unlimited" });
    expect(Date.parse(key!.lastUsedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await t.store.write({ orgId: t.tenant.orgId }, (q) => q.auth.deleteKey(t.tenant.orgId, t.tenant.keyId))).toBe(true);
    const after = await t.api.get("/sections");
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("unauthorized");
    // The session of the same user is unaffected.
    expect((await t.api.browser("GET", "/sections")).status).toBe(200);
  });
});
