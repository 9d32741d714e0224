/**
 * Every insert path numbers its rows (issue 14): section create, subnet create (with a gateway),
 * split, address record, allocation, bulk allocation, and on SQLite the CSV imports of subnets
 * (creating sections) and addresses. Numbers count 1..n per organization and kind with no
 * duplicate, whatever path wrote the row, and every native read shows them.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../helpers/pg";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";
import { BACKENDS, freshTenantApps } from "../store/contract/backends";

usePgCluster();

describe.each(BACKENDS)("integer ids on every insert path, $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("sections, subnets (create, gateway, split) and addresses (record, allocate, bulk) are numbered 1..n", async () => {
    const t = await fresh();
    const s1 = await t.api.post("/sections", { name: "A" });
    const s2 = await t.api.post("/sections", { name: "B" });
    expect([s1.body.number, s2.body.number]).toEqual([1, 2]);
    const parent = await t.api.post("/subnets", { cidr: "10.50.0.0/24", gateway: "10.50.0.1", section_id: s1.body.id });
    expect(parent.status).toBe(201);
    expect(parent.body.number).toBe(1); // a subnet's create answer is read back: it carries its number
    expect((await t.api.post(`/subnets/${parent.body.id}/addresses`, { ip: "10.50.0.200" })).status).toBe(201);
    expect((await t.api.post(`/subnets/${parent.body.id}/addresses`, {})).status).toBe(201);
    expect((await t.api.post(`/subnets/${parent.body.id}/addresses`, { count: 5 })).status).toBe(201);
    const split = await t.api.post(`/subnets/${parent.body.id}/split`, { parts: 4 });
    expect(split.status).toBeLessThan(300);
    const subnets = (await t.api.get("/subnets?limit=100")).body.items as { number: number; cidr: string }[];
    expect(subnets.map((s) => s.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(subnets.find((s) => s.cidr === "10.50.0.0/24")!.number).toBe(1);
    const addresses = (await t.api.get("/addresses?limit=100")).body.items as { number: number }[];
    // gateway, the given one, one allocation, five in bulk: 8 records numbered 1..8 (a split moves rows, it does not renumber them)
    expect(addresses.map((a) => a.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await t.api.get(`/sections/${s2.body.id}`)).body.number).toBe(2);
    // Another organization counts from 1 on its own.
    const other = await t.newTenant();
    const theirs = await t.as(other).post("/sections", { name: "A" });
    expect(theirs.body.number).toBe(1);
  });

});

describe.each(BACKENDS)("integer ids in the answers that create records, $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("record, allocate, bulk, constrained, a reserved range, subnets created, carved and split, and a keyed replay answer each number, as a read shows it", async () => {
    const t = await fresh();
    const subnet = (await t.api.post("/subnets", { cidr: "10.61.0.0/24" })).body;
    const path = `/subnets/${subnet.id}/addresses`;
    const made = [
      (await t.api.post(path, { ip: "10.61.0.9" })).body,
      (await t.api.post(path, {})).body,
      ...(await t.api.post(path, { count: 3 })).body.items,
      ...(await t.api.post(path, { count: 2, contiguous: true, from: "end" })).body.items,
      ...(await t.api.post(path, { start: "10.61.0.100", end: "10.61.0.102", status: "dhcp" })).body.items,
    ];
    // Concurrent jobs share one batch (SQLite's group commit, PostgreSQL's per-subnet batch).
    made.push(...(await Promise.all([1, 2, 3].map(() => t.api.post(path, {})))).map((r) => r.body));
    expect(made).toHaveLength(13);
    for (const a of made) {
      expect(Number.isInteger(a.number)).toBe(true);
      expect((await t.api.get(`/addresses/${a.id}`)).body.number).toBe(a.number);
    }
    expect(new Set(made.map((a) => a.number)).size).toBe(13);
    // Subnets: created, carved (next free) and split answers carry theirs too.
    const parent = (await t.api.post("/subnets", { cidr: "10.62.0.0/16" })).body;
    const carved = (await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, count: 2 })).body.items;
    const parts = (await t.api.post(`/subnets/${carved[0].id}/split`, { parts: 4 })).body.items;
    for (const n of [parent, ...carved, ...parts]) {
      expect(Number.isInteger(n.number)).toBe(true);
      expect((await t.api.get(`/subnets/${n.id}`)).body.number).toBe(n.number);
    }
    const keyed = { ...t.tenant.bearer, "idempotency-key": "numbers-1" };
    const first = await t.call("POST", path, keyed, { hostname: "keyed" });
    const replay = await t.call("POST", path, keyed, { hostname: "keyed" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.number).toBe(first.body.number);
    expect((await t.api.get(`/addresses/${first.body.id}`)).body.number).toBe(first.body.number);
  });
});

describe("integer ids from the CSV imports (SQLite)", () => {
  test("imports of subnets (with new sections) and addresses number their rows too", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    expect((await t.call("POST", "/api/v1/sections", { body: { name: "Existing" }, headers: tenant.bearer })).body.number).toBe(1);
    const csv = (kind: string, raw: string) => t.call("POST", `/api/v1/import/${kind}`, { raw, headers: { ...tenant.bearer, "content-type": "text/csv" } });
    expect((await csv("subnets", "cidr,section\n10.60.0.0/24,Imported\n10.61.0.0/24,Existing\n")).status).toBe(200);
    expect((await csv("addresses", "ip,hostname\n10.60.0.7,a\n10.60.0.8,b\n")).status).toBe(200);
    const get = async (path: string) => (await t.call("GET", `/api/v1${path}`, { headers: tenant.bearer })).body.items as { name?: string; number: number }[];
    expect((await get("/sections")).map((s) => [s.name, s.number])).toEqual([["Existing", 1], ["Imported", 2]]);
    expect((await get("/subnets")).map((s) => s.number).sort()).toEqual([1, 2]);
    expect((await get("/addresses")).map((a) => a.number).sort()).toEqual([1, 2]);
  });
});
