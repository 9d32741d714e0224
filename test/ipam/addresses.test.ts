import { describe, expect, test } from "bun:test";
import { utilizationIn } from "../../src/ipam/nested-records";
import { IpamRegistry } from "../../src/ipam/registry";
import { ipamFixture } from "./fixture";

const ASSIGN = { ip: "10.0.1.50", hostname: "web-server-03", status: "assigned", owner: "ops-team" };

describe("recording a given address", () => {
  test("the documented 'Assign an IP' body → 201 Address; first-free skips it", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.0.1.0/24");
    for (let i = 1; i < 50; i++) await f.address(s.id, { ip: `10.0.1.${i}` });
    const r = await f.api.post(`/subnets/${s.id}/addresses`, ASSIGN);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ ...ASSIGN, subnet_id: s.id, mac: null, description: "" });
    expect(Object.keys(r.body).sort()).toEqual(["created_at", "description", "expires_at", "hostname", "id", "ip", "mac", "number", "owner", "status", "subnet_id", "updated_at"]);
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: "10.0.1.51" });
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization).toMatchObject({ used: "50", free: "204", percent: 19.69 });
    const act = f.activity("address.create").at(-1)!;
    expect(act).toMatchObject({ target_id: r.body.id, target_label: "10.0.1.50", actor_type: "api_key" });
  });

  test("taken → 409 address_in_use with the existing record; outside, unusable, in a child → 400 naming it", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.0.1.0/24");
    const child = await f.subnet("10.0.1.128/26");
    const first = (await f.api.post(`/subnets/${s.id}/addresses`, ASSIGN)).body;
    const taken = await f.api.post(`/subnets/${s.id}/addresses`, { ip: "10.0.1.50", hostname: "other" });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("address_in_use");
    // The record as read back: with its integer `number` (an allocation's own answer has not learnt it).
    expect(taken.body.details.address).toEqual({ ...first, number: 1 });
    const cases: [string, string][] = [
      ["10.0.2.1", "ip_not_in_subnet"],
      ["10.0.1.0", "ip_not_usable"],
      ["10.0.1.255", "ip_not_usable"],
      ["10.0.1.130", "ip_in_child_subnet"],
      ["2001:db8::1", "ip_not_in_subnet"],
      ["010.0.1.5", "invalid_ip"],
      ["10.0.1", "invalid_ip"],
    ];
    for (const [ip, code] of cases) {
      const r = await f.api.post(`/subnets/${s.id}/addresses`, { ip });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(code);
    }
    const inChild = await f.api.post(`/subnets/${s.id}/addresses`, { ip: "10.0.1.130" });
    expect(inChild.body.error).toContain("10.0.1.128/26");
    expect(inChild.body.details.child_id).toBe(child.id);
    expect((await f.api.post(`/subnets/${child.id}/addresses`, { ip: "10.0.1.130" })).status).toBe(201);
    expect((await f.api.get("/addresses")).body.total).toBe(2);
  });

  test("IPv6: the anycast address is unusable, the last one is usable, canonical text", async () => {
    const f = ipamFixture();
    const s = await f.subnet("2001:db8:5::/120");
    expect((await f.api.post(`/subnets/${s.id}/addresses`, { ip: "2001:db8:5::" })).body.code).toBe("ip_not_usable");
    const last = await f.api.post(`/subnets/${s.id}/addresses`, { ip: "2001:DB8:5:0::FF" });
    expect(last.status).toBe(201);
    expect(last.body.ip).toBe("2001:db8:5::ff");
    expect((await f.api.post(`/subnets/${s.id}/addresses`, { ip: "2001:db8:5::00ff" })).status).toBe(409);
    expect((await f.api.post(`/subnets/${s.id}/addresses`, { ip: "fe80::1%eth0" })).status).toBe(400);
  });

  test("mac is normalised to lowercase aa:bb:cc:dd:ee:ff; junk is 400 naming mac; status and fields validated", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.9.0.0/24");
    const forms = ["AA:BB:CC:DD:EE:01", "aa-bb-cc-dd-ee-02", "aabb.ccdd.ee03", "AABBCCDDEE04"];
    for (const [i, mac] of forms.entries()) {
      const r = await f.api.post(`/subnets/${s.id}/addresses`, { ip: `10.9.0.${i + 1}`, mac });
      expect(r.status).toBe(201);
      expect(r.body.mac).toBe(`aa:bb:cc:dd:ee:0${i + 1}`);
    }
    for (const mac of ["aa:bb:cc:dd:ee", "zz:bb:cc:dd:ee:ff", "aa:bb-cc:dd:ee:ff", "hello"]) {
      const r = await f.api.post(`/subnets/${s.id}/addresses`, { ip: "10.9.0.20", mac });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain("mac");
    }
    for (const body of [{ status: "free" }, { ip: 5 }, { hostname: 3 }, { vlan: 1 }, { count: 0 }, { count: 10001 }, { ip: "10.9.0.9", count: 2 }]) {
      expect((await f.api.post(`/subnets/${s.id}/addresses`, body)).status).toBe(400);
    }
    for (const status of ["gateway", "reserved", "dhcp"]) {
      expect((await f.api.post(`/subnets/${s.id}/addresses`, { status })).body.status).toBe(status);
    }
    expect((await f.api.get("/addresses")).body.total).toBe(7);
  });
});

describe("allocating", () => {
  test("no ip → the lowest free address, atomically; a full subnet → 409 subnet_full and first-free {ip: null}", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.10.0.0/29");
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push((await f.address(s.id, { hostname: `h${i}` })).ip);
    expect(got).toEqual(["10.10.0.1", "10.10.0.2", "10.10.0.3", "10.10.0.4", "10.10.0.5", "10.10.0.6"]);
    const full = await f.api.post(`/subnets/${s.id}/addresses`, {});
    expect(full.status).toBe(409);
    expect(full.body).toMatchObject({ code: "subnet_full", details: { requested: 1, available: 0 } });
    const ff = await f.api.get(`/subnets/${s.id}/first-free`);
    expect(ff.status).toBe(200);
    expect(ff.body).toEqual({ ip: null });
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization).toMatchObject({ used: "6", free: "0", percent: 100 });
  });

  test("deleting frees at once; the hole is handed out next; child subnets are skipped", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.11.0.0/24");
    await f.subnet("10.11.0.0/30");
    const a = await f.address(s.id);
    expect(a.ip).toBe("10.11.0.4");
    const b = await f.address(s.id);
    expect((await f.api.del(`/addresses/${a.id}`)).status).toBe(204);
    expect((await f.api.get(`/addresses/${a.id}`)).status).toBe(404);
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.11.0.4");
    expect((await f.address(s.id)).ip).toBe("10.11.0.4");
    expect((await f.address(s.id)).ip).toBe("10.11.0.6");
    expect(b.ip).toBe("10.11.0.5");
    expect(f.activity("address.delete")).toHaveLength(1);
  });

  test("{count: N} allocates N all-or-nothing → {items}; short → 409 with requested/available and nothing taken", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.12.0.0/24");
    await f.address(s.id, { ip: "10.12.0.3" });
    const r = await f.api.post(`/subnets/${s.id}/addresses`, { count: 4, owner: "ops", status: "reserved" });
    expect(r.status).toBe(201);
    expect(r.body.items.map((a: any) => a.ip)).toEqual(["10.12.0.1", "10.12.0.2", "10.12.0.4", "10.12.0.5"]);
    expect(r.body.items.every((a: any) => a.owner === "ops" && a.status === "reserved")).toBe(true);
    const short = await f.api.post(`/subnets/${s.id}/addresses`, { count: 250 });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: "subnet_full", details: { requested: 250, available: 249 } });
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization.used).toBe("5");
    expect((await f.api.get("/addresses")).body.total).toBe(5);
    const rest = await f.api.post(`/subnets/${s.id}/addresses`, { count: 249 });
    expect(rest.body.items).toHaveLength(249);
    expect(rest.body.items.at(-1).ip).toBe("10.12.0.254");
    const v6 = await f.subnet("2001:db8:12::/64");
    const many = await f.api.post(`/subnets/${v6.id}/addresses`, { count: 10000 });
    expect(many.body.items).toHaveLength(10000);
    expect(many.body.items[0].ip).toBe("2001:db8:12::1");
    expect(many.body.items[9999].ip).toBe("2001:db8:12::2710");
    expect((await f.api.get(`/subnets/${v6.id}`)).body.utilization.used).toBe("10000");
  });

  test("plan limits: addresses count, including bulk", async () => {
    const f = ipamFixture({ plan: "pro" });
    const s = await f.subnet("10.13.0.0/16");
    const r = await f.api.post(`/subnets/${s.id}/addresses`, { count: 7001 });
    expect(r.status).toBe(402);
    expect(r.body.code).toBe("plan_limit");
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.13.0.1");
  });

  test("free ranges: maximal free stretches, limited, never the whole expansion", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.14.0.0/24");
    await f.address(s.id, { ip: "10.14.0.1" });
    await f.address(s.id, { ip: "10.14.0.10" });
    await f.subnet("10.14.0.128/25");
    const r = await f.api.get(`/subnets/${s.id}/free`);
    expect(r.body).toEqual({
      ranges: [
        { start: "10.14.0.2", end: "10.14.0.9", size: "8" },
        { start: "10.14.0.11", end: "10.14.0.127", size: "117" },
      ],
    });
    expect((await f.api.get(`/subnets/${s.id}/free?limit=1`)).body.ranges).toHaveLength(1);
    expect((await f.api.get(`/subnets/${s.id}/free?limit=0`)).status).toBe(400);
    const v6 = await f.subnet("2001:db8:14::/48");
    expect((await f.api.get(`/subnets/${v6.id}/free`)).body).toEqual({
      ranges: [{ start: "2001:db8:14::1", end: "2001:db8:14:ffff:ffff:ffff:ffff:ffff", size: "1208925819614629174706175" }],
    });
  });
});

describe("reading, updating and searching addresses", () => {
  test("per-subnet list in IP order with status and q filters, keyset cursor", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.20.0.0/24");
    for (const ip of ["10.20.0.100", "10.20.0.9", "10.20.0.20", "10.20.0.3"]) await f.address(s.id, { ip, hostname: `host-${ip.split(".")[3]}` });
    await f.address(s.id, { ip: "10.20.0.200", status: "dhcp", owner: "Net Team" });
    const ips: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await f.api.get(`/subnets/${s.id}/addresses?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.total).toBe(5);
      ips.push(...page.body.items.map((a: any) => a.ip));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(ips).toEqual(["10.20.0.3", "10.20.0.9", "10.20.0.20", "10.20.0.100", "10.20.0.200"]);
    expect((await f.api.get(`/subnets/${s.id}/addresses?status=dhcp`)).body.items.map((a: any) => a.ip)).toEqual(["10.20.0.200"]);
    expect((await f.api.get(`/subnets/${s.id}/addresses?q=net%20team`)).body.total).toBe(1);
    expect((await f.api.get(`/subnets/${s.id}/addresses?q=host-2`)).body.items.map((a: any) => a.ip)).toEqual(["10.20.0.20"]);
    expect((await f.api.get(`/subnets/${s.id}/addresses?status=bogus`)).status).toBe(400);
  });

  test("search across the organization: ip, q (ip, hostname, owner, mac, description), status, subnet_id", async () => {
    const f = ipamFixture();
    const a = await f.subnet("10.21.0.0/24");
    const b = await f.subnet("2001:db8:21::/64");
    await f.address(a.id, { ip: "10.21.0.5", hostname: "db-1", mac: "00:11:22:33:44:55" });
    await f.address(a.id, { ip: "10.21.0.6", description: "printer on floor 2" });
    await f.address(b.id, { ip: "2001:db8:21::5", owner: "storage", status: "reserved" });
    const ips = async (q: string) => (await f.api.get(`/addresses?${q}`)).body.items.map((x: any) => x.ip);
    expect(await ips("")).toEqual(["10.21.0.5", "10.21.0.6", "2001:db8:21::5"]);
    expect(await ips("ip=10.21.0.6")).toEqual(["10.21.0.6"]);
    expect(await ips("ip=2001:db8:21:0::5")).toEqual(["2001:db8:21::5"]);
    expect(await ips("q=DB-")).toEqual(["10.21.0.5"]);
    expect(await ips("q=33:44")).toEqual(["10.21.0.5"]);
    // A MAC as a device prints it finds the stored aa:bb:cc:dd:ee:ff form (not a 10.21.x address).
    expect(await ips("q=00-11-22-33-44-55")).toEqual(["10.21.0.5"]);
    expect(await ips("q=0011.2233.4455")).toEqual(["10.21.0.5"]);
    expect(await ips("q=001122334455")).toEqual(["10.21.0.5"]);
    expect(await ips("q=22-33-44")).toEqual(["10.21.0.5"]);
    expect((await f.api.get(`/subnets/${a.id}/addresses?q=00-11-22-33-44-55`)).body.items.map((x: any) => x.ip)).toEqual(["10.21.0.5"]);
    expect(await ips("q=printer")).toEqual(["10.21.0.6"]);
    expect(await ips("q=stor")).toEqual(["2001:db8:21::5"]);
    expect(await ips("q=21::")).toEqual(["2001:db8:21::5"]);
    expect(await ips("status=reserved")).toEqual(["2001:db8:21::5"]);
    expect(await ips(`subnet_id=${a.id}`)).toEqual(["10.21.0.5", "10.21.0.6"]);
    expect((await f.api.get("/addresses?ip=10.21")).status).toBe(400);
  });

  test("patch changes fields (recorded as changes); ip and subnet_id are immutable", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.22.0.0/24");
    const a = await f.address(s.id, { ip: "10.22.0.5", hostname: "old" });
    const r = await f.api.patch(`/addresses/${a.id}`, { hostname: "new", status: "reserved", mac: "AA-BB-CC-DD-EE-FF", owner: "me", description: "d" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ hostname: "new", status: "reserved", mac: "aa:bb:cc:dd:ee:ff", owner: "me", description: "d", ip: "10.22.0.5" });
    expect((await f.api.get(`/addresses/${a.id}`)).body).toEqual(r.body);
    expect((await f.api.patch(`/addresses/${a.id}`, { mac: null })).body.mac).toBeNull();
    const ip = await f.api.patch(`/addresses/${a.id}`, { ip: "10.22.0.6" });
    expect(ip.status).toBe(400);
    expect(ip.body).toMatchObject({ code: "immutable_field", details: { field: "ip" } });
    expect((await f.api.patch(`/addresses/${a.id}`, { subnet_id: crypto.randomUUID() })).body.code).toBe("immutable_field");
    expect((await f.api.patch(`/addresses/${a.id}`, { ip: "10.22.0.5", hostname: "same-ip-ok" })).status).toBe(200);
    expect((await f.api.patch(`/addresses/${a.id}`, { status: "nope" })).status).toBe(400);
    const changes = JSON.parse(f.activity("address.update")[0]!.changes);
    expect(changes).toMatchObject({ hostname: ["old", "new"], status: ["assigned", "reserved"] });
  });

  test("a read key reads but cannot write (403 insufficient_scope); no credentials → 401", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.23.0.0/24");
    const a = await f.address(s.id);
    expect((await f.call("GET", `/api/v1/subnets/${s.id}/first-free`)).status).toBe(401);
    f.database.sqlite.run("UPDATE api_keys SET scope = 'read' WHERE id = ?", [f.tenant.keyId]);
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.23.0.2");
    for (const r of [
      await f.api.post(`/subnets/${s.id}/addresses`, {}),
      await f.api.patch(`/addresses/${a.id}`, { hostname: "x" }),
      await f.api.del(`/addresses/${a.id}`),
      await f.api.post("/subnets", { cidr: "10.24.0.0/24" }),
      await f.api.patch(`/subnets/${s.id}`, { name: "x" }),
      await f.api.post(`/subnets/${s.id}/split`, { parts: 2 }),
      await f.api.del(`/subnets/${s.id}`),
    ]) {
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("insufficient_scope");
    }
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization.used).toBe("1");
  });
});

describe("memory and database stay in step", () => {
  test("a failed transaction after allocation leaves memory exactly as it was", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.30.0.0/24");
    await f.address(s.id, { ip: "10.30.0.1" });
    const before = (await f.api.get(`/subnets/${s.id}`)).body;
    // Force the transaction to fail after the allocator has handed out an address.
    f.database.sqlite.run("CREATE TEMP TRIGGER boom BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'forced failure'); END");
    expect((await f.api.post(`/subnets/${s.id}/addresses`, {})).status).toBe(500);
    expect((await f.api.post(`/subnets/${s.id}/addresses`, { count: 5 })).status).toBe(500);
    expect((await f.api.post(`/subnets/${s.id}/addresses`, { ip: "10.30.0.9" })).status).toBe(500);
    expect((await f.api.post("/subnets", { cidr: "10.30.0.0/26" })).status).toBe(500);
    expect((await f.api.post(`/subnets/${s.id}/split`, { parts: 2 })).status).toBe(500);
    f.database.sqlite.run("DROP TRIGGER boom");
    expect((await f.api.get(`/subnets/${s.id}`)).body).toEqual(before);
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.30.0.2");
    expect((await f.address(s.id)).ip).toBe("10.30.0.2");
    expect((await f.address(s.id, { ip: "10.30.0.9" })).ip).toBe("10.30.0.9");
    // The refused child never entered the tree: creating it now nests it and moves the addresses.
    const child = await f.subnet("10.30.0.0/26");
    expect(child.utilization.used).toBe("3");
    // Delete failing halfway also restores the tree and the parent's allocator.
    f.database.sqlite.run("CREATE TEMP TRIGGER boom BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'forced failure'); END");
    expect((await f.api.del(`/subnets/${child.id}`)).status).toBe(500);
    f.database.sqlite.run("DROP TRIGGER boom");
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization).toMatchObject({ used: "3", in_children: "63" });
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.30.0.64");
  });

  test("the UNIQUE index is the backstop: a row memory did not know about answers 409, not 500", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.31.0.0/24");
    // Simulate a stale memory: write a row behind the registry's back on the same connection.
    f.database.sqlite.run(
      "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', '10.31.0.1', ?, 'x', 'x')",
      [crypto.randomUUID(), f.tenant.orgId, s.id, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 31, 0, 1])],
    );
    const r = await f.api.post(`/subnets/${s.id}/addresses`, {});
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("address_in_use");
  });

  test("a registry rebuilt from the database equals the live one (what boot sees)", async () => {
    const f = ipamFixture();
    const p = await f.subnet("10.40.0.0/16");
    const c = await f.subnet("10.40.1.0/24", { gateway: "10.40.1.1" });
    await f.api.post(`/subnets/${p.id}/addresses`, { count: 10 });
    await f.api.post(`/subnets/${c.id}/addresses`, { count: 3 });
    const v6 = await f.subnet("2001:db8:40::/64");
    await f.api.post(`/subnets/${v6.id}/addresses`, { count: 7 });
    const rebuilt = IpamRegistry.load(f.database);
    for (const id of [p.id, c.id, v6.id]) {
      const live = (await f.api.get(`/subnets/${id}`)).body;
      const fresh = rebuilt.subnet(f.tenant.orgId, id)!;
      expect(utilizationIn(rebuilt.nestedScope(fresh), fresh)).toEqual(live.utilization);
      const ff = fresh.allocator.firstFree();
      expect((await f.api.get(`/subnets/${id}/first-free`)).body.ip).toBe(ff === null ? null : (await import("../../src/ip")).formatIp({ family: fresh.prefix.family, value: ff }));
    }
    expect(rebuilt.subnet(crypto.randomUUID(), p.id)).toBeUndefined();
  });
});
