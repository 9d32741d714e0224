/**
 * The addresses and allocation contract (API.md §7) on both backends, through the real app:
 * record a given address, allocate the lowest free one or `count` of them all or nothing,
 * first-free and free ranges from memory, patch, delete (free at once), lists and search.
 * PostgreSQL runs the per-subnet batches of store/pg/ipam.ts; SQLite runs GroupCommit.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

describe.each(BACKENDS)("addresses on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("a given address is recorded once: the second is 409 address_in_use naming the record", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.0.0.0/29" })).body;
    const made = await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.0.0.3", hostname: "web", mac: "AA-BB-CC-DD-EE-FF" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ ip: "10.0.0.3", hostname: "web", mac: "aa:bb:cc:dd:ee:ff", status: "assigned", subnet_id: s.id });
    const again = await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.0.0.3" });
    expect(again.status).toBe(409);
    // The record as read back carries its integer `number` (an allocation's own answer has not learnt it).
    expect(again.body).toEqual({ error: "10.0.0.3 is already in use by web", code: "address_in_use", details: { field: "ip", address: { ...made.body, number: 1 } } });
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.0.0.7" })).body.code).toBe("ip_not_usable");
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.0.1.1" })).body.code).toBe("ip_not_in_subnet");
    const activity = await t.probes.activity(t.tenant.orgId);
    expect(activity.filter((a) => a.action === "address.create").map((a) => a.target_label)).toEqual(["10.0.0.3"]);
  });

  test("first-free, allocation and count: lowest free first, all or nothing when short", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.0.0.0/29", gateway: "10.0.0.1" })).body;
    expect((await t.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: "10.0.0.2" });
    const one = await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "a" });
    expect(one.body.ip).toBe("10.0.0.2");
    const three = await t.api.post(`/subnets/${s.id}/addresses`, { count: 3, owner: "ops" });
    expect(three.status).toBe(201);
    expect(three.body.items.map((a: any) => a.ip)).toEqual(["10.0.0.3", "10.0.0.4", "10.0.0.5"]);
    const short = await t.api.post(`/subnets/${s.id}/addresses`, { count: 2 });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: "subnet_full", details: { requested: 2, available: 1 } });
    expect((await t.api.get(`/subnets/${s.id}/free`)).body).toEqual({ ranges: [{ start: "10.0.0.6", end: "10.0.0.6", size: "1" }] });
    expect((await t.api.get(`/subnets/${s.id}`)).body.utilization).toMatchObject({ used: "5", free: "1" });
    expect((await t.api.get(`/subnets/${s.id}/addresses`)).body.total).toBe(5);
  });

  test("a NUL character (%00) in an id or a query value is a 404 or a 400, never a 500, and changes nothing", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.4.0.0/24" })).body;
    // PostgreSQL refuses NUL in any text parameter; both stores answer alike, before any query.
    for (const path of [`/subnets/%00/first-free`, `/subnets/${s.id}%00/first-free`, `/addresses/%00`, `/subnets/%00`]) {
      const r = await t.api.get(path);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
    }
    expect((await t.api.del(`/addresses/a%00b`)).status).toBe(404);
    const search = await t.api.get(`/addresses?q=web%00`);
    expect(search.status).toBe(400);
    expect(search.body).toEqual({ error: "query parameters must not hold a NUL character (%00)", code: "invalid_request" });
    expect((await t.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: "10.4.0.1" });
  });

  test("IPv4-mapped space inside an IPv6 subnet is never recorded: allocation from the end, a range, a reserve and free ranges skip it (what `ipcraft check` refuses is never written)", async () => {
    const t = await fresh();
    const half = (await t.api.post("/subnets", { cidr: "::fffe:0:0/95" })).body; // its upper half is ::ffff:0:0/96
    const last = await t.api.post(`/subnets/${half.id}/addresses`, { from: "end", hostname: "top" });
    expect([last.status, last.body.ip]).toEqual([201, "::fffe:ffff:ffff"]);
    const inRange = await t.api.post(`/subnets/${half.id}/addresses`, { range: { start: "::ffff:1.0.0.0", end: "::ffff:1.0.0.10" } });
    expect([inRange.status, inRange.body.code, inRange.body.error]).toEqual([409, "subnet_full", "Subnet ::fffe:0:0/95 has no free address where the request allows"]);
    expect((await t.api.get(`/subnets/${half.id}/free?limit=5`)).body).toEqual({ ranges: [{ start: "::fffe:0:1", end: "::fffe:ffff:fffe", size: "4294967294" }] });
    // ::/0 in a VRF of its own (in the default one it would be the parent of the /95 above).
    expect((await t.api.post("/vrfs", { name: "lab" })).status).toBe(201);
    const all = (await t.api.post("/subnets", { cidr: "::/0", vrf: "lab" })).body;
    const reserve = await t.api.post(`/subnets/${all.id}/addresses`, { start: "::fffe:ffff:fffe", end: "::ffff:0:1", status: "dhcp" });
    expect([reserve.status, reserve.body.code]).toEqual([400, "ip_not_usable"]);
    expect(reserve.body.error).toContain("::ffff:0.0.0.0");
    const across = await t.api.post(`/subnets/${all.id}/addresses`, { range: { start: "::fffe:ffff:ffff", end: "::1:0:0:1" }, count: 2 });
    expect(across.body.items.map((a: any) => a.ip)).toEqual(["::fffe:ffff:ffff", "::1:0:0:0"]);
    expect((await t.api.get(`/subnets/${half.id}/addresses`)).body.items.map((a: any) => a.ip)).toEqual(["::fffe:ffff:ffff"]);
    // What `ipcraft check` refuses (an IPv4-mapped record, written ::ffff:a.b.c.d) is nowhere.
    const everything = (await t.api.get("/addresses?limit=100")).body.items.map((a: any) => a.ip);
    expect(everything.sort()).toEqual(["::1:0:0:0", "::fffe:ffff:ffff", "::fffe:ffff:ffff"].sort());
  });

  test("patch changes fields only; delete frees the address at once", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.3.0.0/24" })).body;
    const a = (await t.api.post(`/subnets/${s.id}/addresses`, {})).body;
    const patched = await t.api.patch(`/addresses/${a.id}`, { hostname: "db", status: "reserved" });
    expect(patched.body).toMatchObject({ id: a.id, ip: "10.3.0.1", hostname: "db", status: "reserved" });
    expect((await t.api.patch(`/addresses/${a.id}`, { ip: "10.3.0.9" })).body.code).toBe("immutable_field");
    expect((await t.api.get(`/addresses/${a.id}`)).body.hostname).toBe("db");
    expect((await t.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.3.0.2");
    expect((await t.api.del(`/addresses/${a.id}`)).status).toBe(204);
    expect((await t.api.get(`/addresses/${a.id}`)).status).toBe(404);
    expect((await t.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.3.0.1");
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "again" })).body.ip).toBe("10.3.0.1");
  });

  test("search across the organization in (vrf, IP) order; another organization sees nothing", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.4.0.0/24" })).body;
    expect((await t.api.post("/vrfs", { name: "blue" })).status).toBe(201);
    const v6 = (await t.api.post("/subnets", { cidr: "2001:db8::/120", vrf: "blue" })).body;
    await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.4.0.20", hostname: "mail" });
    await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.4.0.3", hostname: "MAIL-2" });
    await t.api.post(`/subnets/${v6.id}/addresses`, { ip: "2001:db8::5", hostname: "mail6" });
    const found = await t.api.get("/addresses?q=mail");
    expect(found.body.items.map((a: any) => a.ip)).toEqual(["2001:db8::5", "10.4.0.3", "10.4.0.20"]);
    expect((await t.api.get("/addresses?ip=10.4.0.20")).body.items).toHaveLength(1);
    const page = await t.api.get("/addresses?limit=2");
    expect((await t.api.get(`/addresses?limit=2&cursor=${page.body.next_cursor}`)).body.items.map((a: any) => a.ip)).toEqual(["10.4.0.20"]);
    const other = t.as(await t.newTenant());
    expect((await other.get("/addresses")).body.items).toEqual([]);
    expect((await other.get(`/subnets/${s.id}/first-free`)).status).toBe(404);
    expect((await other.post(`/subnets/${s.id}/addresses`, {})).status).toBe(404);
  });

  test("concurrent single and bulk allocations in one subnet: every address distinct", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.5.0.0/22" })).body;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => t.api.post(`/subnets/${s.id}/addresses`, i % 6 === 0 ? { count: 10 } : { hostname: `h${i}` })),
    );
    expect(answers.every((r) => r.status === 201)).toBe(true);
    const ips = answers.flatMap((r) => (r.body.items ? r.body.items.map((a: any) => a.ip) : [r.body.ip]));
    expect(ips).toHaveLength(150);
    expect(new Set(ips).size).toBe(150);
    expect((await t.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.5.0.151");
  });

  test("reuse by hostname ignores ASCII case, as DNS does (also among concurrent requests), and nothing else", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.6.0.0/24" })).body;
    const made = await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "Web-01.Example.ORG", reuse: "hostname" });
    expect(made.status).toBe(201);
    const found = await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "web-01.example.org", reuse: "hostname" });
    expect(found).toMatchObject({ status: 200, body: { id: made.body.id, hostname: "Web-01.Example.ORG" } }); // stored as first written
    // Racing requests for one name in several spellings make one record between them.
    const names = ["db-7", "DB-7", "Db-7", "dB-7"];
    const raced = await Promise.all(Array.from({ length: 24 }, (_, i) => t.api.post(`/subnets/${s.id}/addresses`, { hostname: names[i % 4], reuse: "hostname" })));
    expect(raced.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
    // Only A-Z fold: another letter, or another name, is another record.
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "db-7x", reuse: "hostname" })).status).toBe(201);
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "café", reuse: "hostname" })).status).toBe(201);
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "CAFÉ", reuse: "hostname" })).status).toBe(201);
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "CAFé", reuse: "hostname" })).status).toBe(200);
    expect((await t.api.get(`/subnets/${s.id}`)).body.utilization.used).toBe("5");
  });
});
