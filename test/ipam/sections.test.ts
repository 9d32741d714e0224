import { describe, expect, test } from "bun:test";
import { ipamFixture } from "./fixture";

describe("sections (folders)", () => {
  test("create, get, list with subnet_count, rename, and activity with the actor", async () => {
    const f = ipamFixture();
    const r = await f.api.post("/sections", { name: "Datacenter 1", description: "Racks A–F" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "Datacenter 1", description: "Racks A–F", subnet_count: 0 });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const id = r.body.id;
    await f.subnet("10.0.0.0/24", { section_id: id });
    await f.subnet("10.0.1.0/24", { section_id: id });
    expect((await f.api.get(`/sections/${id}`)).body.subnet_count).toBe(2);
    const renamed = await f.api.patch(`/sections/${id}`, { name: "DC1" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("DC1");
    const list = await f.api.get("/sections");
    expect(list.body).toMatchObject({ total: 1, next_cursor: null });
    expect(list.body.items[0]).toMatchObject({ id, name: "DC1", subnet_count: 2 });
    const acts = f.activity().filter((a) => a.action.startsWith("section."));
    expect(acts.map((a) => a.action)).toEqual(["section.create", "section.update"]);
    expect(acts[0]).toMatchObject({ actor_type: "api_key", actor_id: f.tenant.keyId, target_id: id });
    expect(JSON.parse(acts[1]!.changes)).toEqual({ name: ["Datacenter 1", "DC1"] });
  });

  test("names are unique per organization, case-insensitively; other organizations may reuse them", async () => {
    const f = ipamFixture();
    await f.api.post("/sections", { name: "Office" });
    const dup = await f.api.post("/sections", { name: "OFFICE" });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("duplicate_name");
    const other = f.as(f.createTenant());
    expect((await other.post("/sections", { name: "office" })).status).toBe(201);
    const second = await f.api.post("/sections", { name: "Lab" });
    const renameClash = await f.api.patch(`/sections/${second.body.id}`, { name: "office" });
    expect(renameClash.status).toBe(409);
    expect((await f.api.patch(`/sections/${second.body.id}`, { name: "LAB" })).status).toBe(200);
  });

  test("deleting a section leaves its subnets unfiled; subnets need no section", async () => {
    const f = ipamFixture();
    const s = (await f.api.post("/sections", { name: "Temp" })).body;
    const filed = await f.subnet("192.168.0.0/24", { section_id: s.id });
    const unfiled = await f.subnet("192.168.1.0/24");
    expect(unfiled.section_id).toBeNull();
    expect((await f.api.del(`/sections/${s.id}`)).status).toBe(204);
    expect((await f.api.get(`/sections/${s.id}`)).status).toBe(404);
    const after = await f.api.get(`/subnets/${filed.id}`);
    expect(after.status).toBe(200);
    expect(after.body.section_id).toBeNull();
    expect(f.activity("section.delete")).toHaveLength(1);
  });

  test("validation: empty name, unknown field → 400 naming the field; nothing written", async () => {
    const f = ipamFixture();
    const empty = await f.api.post("/sections", { name: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain("name");
    const unknown = await f.api.post("/sections", { name: "X", colour: "red" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain("colour");
    expect((await f.api.get("/sections")).body.total).toBe(0);
  });

  test("keyset pagination in name order", async () => {
    const f = ipamFixture();
    for (const name of ["delta", "Alpha", "charlie", "Bravo", "echo"]) await f.api.post("/sections", { name });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await f.api.get(`/sections?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.total).toBe(5);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      names.push(...page.body.items.map((s: any) => s.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(names).toEqual(["Alpha", "Bravo", "charlie", "delta", "echo"]);
    expect((await f.api.get("/sections?cursor=garbage")).status).toBe(400);
  });

  test("another organization's section is 404 for every verb; reads with a read key, writes need write", async () => {
    const f = ipamFixture();
    const s = (await f.api.post("/sections", { name: "Mine" })).body;
    const other = f.as(f.createTenant());
    expect((await other.get(`/sections/${s.id}`)).status).toBe(404);
    expect((await other.patch(`/sections/${s.id}`, { name: "x" })).status).toBe(404);
    expect((await other.del(`/sections/${s.id}`)).status).toBe(404);
    expect((await other.get("/sections")).body.items).toEqual([]);
    expect((await other.post("/subnets", { cidr: "10.9.0.0/24", section_id: s.id })).status).toBe(404);
    const reader = f.as(f.createTenant({ scope: "read" }));
    expect((await reader.get("/sections")).status).toBe(200);
    const denied = await reader.post("/sections", { name: "nope" });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("insufficient_scope");
    expect((await f.call("GET", "/api/v1/sections")).status).toBe(401);
  });

  test("plan limit: the free plan allows 5 sections → 402 plan_limit on the sixth (session user on a read-only plan can write)", async () => {
    const f = ipamFixture({ plan: "free" });
    for (let i = 0; i < 5; i++) {
      const r = await f.call("POST", "/api/v1/sections", { headers: f.tenant.browser, body: { name: `s${i}` } });
      expect(r.status).toBe(201);
    }
    const sixth = await f.call("POST", "/api/v1/sections", { headers: f.tenant.browser, body: { name: "s5" } });
    expect(sixth.status).toBe(402);
    expect(sixth.body.code).toBe("plan_limit");
  });
});
