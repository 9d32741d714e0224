import { describe, expect, test } from "bun:test";
import { IpamRegistry } from "../../src/ipam/registry";
import { ipamFixture } from "./fixture";

describe("creating subnets", () => {
  test("IPv4 and IPv6 are stored canonical, with utilization counts as decimal strings", async () => {
    const f = ipamFixture();
    const v4 = await f.subnet("10.0.1.0/24", { name: "Web", description: "front", vlan: 110 });
    expect(v4).toMatchObject({
      cidr: "10.0.1.0/24", network: "10.0.1.0", prefix_length: 24, family: 4, name: "Web", description: "front",
      vrf: "default", vlan: 110, parent_id: null, section_id: null,
      utilization: { size: "256", usable: "254", used: "0", in_children: "0", free: "254", percent: 0 },
    });
    const v6 = await f.subnet("2001:DB8:0:0::/64");
    expect(v6).toMatchObject({ cidr: "2001:db8::/64", network: "2001:db8::", family: 6, prefix_length: 64 });
    // 2^64 does not fit a JSON number exactly: strings keep it exact. The anycast address is not usable.
    expect(v6.utilization).toEqual({ size: "18446744073709551616", usable: "18446744073709551615", used: "0", in_children: "0", free: "18446744073709551615", percent: 0 });
    expect((await f.api.get(`/subnets/${v6.id}`)).body).toEqual(v6);
  });

  test("the one usable rule: /31 and /32 (RFC 3021), IPv6 /127 and /128", async () => {
    const f = ipamFixture();
    expect((await f.subnet("10.0.0.0/31")).utilization).toMatchObject({ size: "2", usable: "2" });
    expect((await f.subnet("10.0.0.4/32")).utilization).toMatchObject({ size: "1", usable: "1" });
    expect((await f.subnet("10.0.0.8/30")).utilization).toMatchObject({ size: "4", usable: "2" });
    expect((await f.subnet("2001:db8::/126")).utilization).toMatchObject({ size: "4", usable: "3" });
    expect((await f.subnet("2001:db8::10/127")).utilization).toMatchObject({ size: "2", usable: "2" });
    expect((await f.subnet("2001:db8::20/128")).utilization).toMatchObject({ size: "1", usable: "1" });
  });

  test("bad CIDRs are 400 naming the field; host bits suggest the network; nothing is written", async () => {
    const f = ipamFixture();
    const host = await f.api.post("/subnets", { cidr: "10.0.1.5/24" });
    expect(host.status).toBe(400);
    expect(host.body.error).toContain("did you mean 10.0.1.0/24?");
    expect(host.body.details).toMatchObject({ field: "cidr", suggestion: "10.0.1.0/24" });
    for (const cidr of ["010.0.0.0/24", "10.1/16", "0x0a.0.0.0/8", "167772160/8", "10.0.0.0", "fe80::%eth0/64", "10.0.0.0/33", "10.0.0.0/08", "", "banana"]) {
      const r = await f.api.post("/subnets", { cidr });
      expect(r.status).toBe(400);
      expect(r.body.details.field).toBe("cidr");
    }
    expect((await f.api.post("/subnets", { cidr: 42 })).status).toBe(400);
    expect((await f.api.post("/subnets", {})).status).toBe(400);
    expect((await f.api.post("/subnets", { cidr: "10.0.0.0/24", vlan: 0 })).body.error).toContain("vlan");
    expect((await f.api.post("/subnets", { cidr: "10.0.0.0/24", vlan: 4095 })).status).toBe(400);
    expect((await f.api.post("/subnets", { cidr: "10.0.0.0/24", vrf: "bad vrf!" })).status).toBe(400);
    expect((await f.api.post("/subnets", { cidr: "10.0.0.0/24", surprise: 1 })).status).toBe(400);
    expect((await f.api.get("/subnets")).body.total).toBe(0);
    expect(f.activity()).toEqual([]);
  });

  test("automatic nesting: the parent is the smallest container; a new container adopts existing subnets", async () => {
    const f = ipamFixture();
    const s24 = await f.subnet("10.0.1.0/24");
    const s26 = await f.subnet("10.0.1.64/26");
    expect(s26.parent_id).toBe(s24.id);
    const s16 = await f.subnet("10.0.0.0/16");
    expect(s16.parent_id).toBeNull();
    expect((await f.api.get(`/subnets/${s24.id}`)).body.parent_id).toBe(s16.id);
    expect((await f.api.get(`/subnets/${s26.id}`)).body.parent_id).toBe(s24.id);
    const s8 = await f.subnet("10.0.0.0/8");
    expect((await f.api.get(`/subnets/${s16.id}`)).body.parent_id).toBe(s8.id);
    // A sibling in between adopts only what is inside it.
    const s20 = await f.subnet("10.0.0.0/20");
    expect(s20.parent_id).toBe(s16.id);
    expect((await f.api.get(`/subnets/${s24.id}`)).body.parent_id).toBe(s20.id);
    const roots = await f.api.get("/subnets?root=true");
    expect(roots.body.items.map((s: any) => s.cidr)).toEqual(["10.0.0.0/8"]);
    const kids = await f.api.get(`/subnets?parent_id=${s20.id}`);
    expect(kids.body.items.map((s: any) => s.cidr)).toEqual(["10.0.1.0/24"]);
    // A container: `in_children` counts the usable addresses its direct children cover, `used` only records (none yet).
    expect((await f.api.get(`/subnets/${s20.id}`)).body.utilization).toMatchObject({ usable: "4094", used: "0", in_children: "256", free: "3838", percent: 0 });
    expect((await f.api.get(`/subnets/${s24.id}`)).body.utilization).toMatchObject({ used: "0", in_children: "64", free: "190", percent: 0 });
    expect(f.activity("subnet.create")).toHaveLength(5);
  });

  test("a duplicate in the same VRF is 409 subnet_overlap with the documented sentence; other VRFs and organizations are separate", async () => {
    const f = ipamFixture();
    const first = await f.subnet("10.0.0.0/16");
    const dup = await f.api.post("/subnets", { cidr: "10.0.0.0/16", name: "again" });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: "Subnet overlaps with existing subnet 10.0.0.0/16", code: "subnet_overlap" });
    expect(dup.body.details.existing_id).toBe(first.id);
    const blue = await f.subnet("10.0.0.0/16", { vrf: "blue" });
    expect(blue.vrf).toBe("blue");
    expect(blue.parent_id).toBeNull();
    const v6dup = await f.subnet("2001:db8::/32");
    expect((await f.api.post("/subnets", { cidr: "2001:0db8::/32" })).body.error).toBe(`Subnet overlaps with existing subnet 2001:db8::/32`);
    expect(v6dup.family).toBe(6);
    const other = f.as(f.createTenant());
    expect((await other.post("/subnets", { cidr: "10.0.0.0/16" })).status).toBe(201);
    expect((await f.api.get("/subnets")).body.total).toBe(3);
  });

  test("gateway records an address with status gateway; outside the subnet is 400", async () => {
    const f = ipamFixture();
    const s = await f.subnet("192.168.10.0/24", { gateway: "192.168.10.1" });
    expect(s.utilization.used).toBe("1");
    const list = await f.api.get(`/subnets/${s.id}/addresses`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ ip: "192.168.10.1", status: "gateway", subnet_id: s.id });
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: "192.168.10.2" });
    const outside = await f.api.post("/subnets", { cidr: "192.168.11.0/24", gateway: "192.168.12.1" });
    expect(outside.status).toBe(400);
    expect(outside.body.details.field).toBe("gateway");
    const network = await f.api.post("/subnets", { cidr: "192.168.11.0/24", gateway: "192.168.11.0" });
    expect(network.status).toBe(400);
    expect(network.body.code).toBe("ip_not_usable");
    expect((await f.api.get("/subnets")).body.total).toBe(1);
    const v6 = await f.subnet("2001:db8:1::/64", { gateway: "2001:db8:1::1" });
    expect(v6.utilization.used).toBe("1");
  });

  test("creating a child moves the parent's addresses into it; one on the child's boundary refuses it and nothing changes", async () => {
    const f = ipamFixture();
    const parent = await f.subnet("10.1.0.0/16");
    const inside = await f.address(parent.id, { ip: "10.1.2.10", hostname: "a" });
    const outside = await f.address(parent.id, { ip: "10.1.3.10", hostname: "b" });
    const child = await f.subnet("10.1.2.0/24");
    expect(child.utilization.used).toBe("1");
    expect((await f.api.get(`/addresses/${inside.id}`)).body.subnet_id).toBe(child.id);
    expect((await f.api.get(`/addresses/${outside.id}`)).body.subnet_id).toBe(parent.id);
    expect((await f.api.get(`/subnets/${parent.id}`)).body.utilization).toMatchObject({ used: "2", in_children: "256", free: String(65534 - 256 - 1) });

    await f.address(parent.id, { ip: "10.1.4.255" });
    const before = (await f.api.get(`/subnets/${parent.id}`)).body;
    const bad = await f.api.post("/subnets", { cidr: "10.1.4.0/24" });
    expect(bad.status).toBe(409);
    expect(bad.body.code).toBe("address_on_boundary");
    expect(bad.body.error).toContain("10.1.4.255");
    expect((await f.api.get(`/subnets/${parent.id}`)).body).toEqual(before);
    expect((await f.api.get("/subnets")).body.total).toBe(2);
    // The refused child was never in memory: a smaller one around the same range nests normally.
    const ok = await f.subnet("10.1.4.0/25");
    expect(ok.parent_id).toBe(parent.id);
  });

  test("IPv6: nesting and moving addresses", async () => {
    const f = ipamFixture();
    const p48 = await f.subnet("2001:db8:abcd::/48");
    const a = await f.address(p48.id, { ip: "2001:db8:abcd:12::5" });
    const p64 = await f.subnet("2001:db8:abcd:12::/64");
    expect(p64.parent_id).toBe(p48.id);
    expect((await f.api.get(`/addresses/${a.id}`)).body.subnet_id).toBe(p64.id);
    expect((await f.api.get(`/subnets/${p48.id}`)).body.utilization).toMatchObject({ used: "1", in_children: "18446744073709551616" });
    expect((await f.api.get(`/subnets/${p64.id}/first-free`)).body).toEqual({ ip: "2001:db8:abcd:12::1" });
    // A record on the new child's subnet-router anycast address refuses it, named as such (IPv6 has no broadcast).
    await f.address(p48.id, { ip: "2001:db8:abcd:13::" });
    const bad = await f.api.post("/subnets", { cidr: "2001:db8:abcd:13::/64" });
    expect(bad.status).toBe(409);
    expect(bad.body).toMatchObject({ code: "address_on_boundary", details: { addresses: ["2001:db8:abcd:13::"] } });
    expect(bad.body.error).toContain("2001:db8:abcd:13:: would become the subnet-router anycast address of 2001:db8:abcd:13::/64");
    expect(bad.body.error).not.toContain("broadcast");
  });
});

describe("listing subnets", () => {
  test("ordered by (vrf, family, network, prefix_length), keyset pages, and every filter", async () => {
    const f = ipamFixture();
    const section = (await f.api.post("/sections", { name: "Lab" })).body;
    await f.subnet("2001:db8::/32");
    await f.subnet("10.0.0.0/8", { name: "Corp" });
    await f.subnet("10.0.0.0/16", { section_id: section.id, description: "office floor" });
    await f.subnet("192.168.0.0/24", { vrf: "blue" });
    await f.subnet("10.0.1.0/24", { section_id: section.id });
    await f.subnet("172.16.0.0/12");
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await f.api.get(`/subnets?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.total).toBe(6);
      all.push(...page.body.items.map((s: any) => `${s.vrf} ${s.cidr}`));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(all).toEqual(["blue 192.168.0.0/24", "default 10.0.0.0/8", "default 10.0.0.0/16", "default 10.0.1.0/24", "default 172.16.0.0/12", "default 2001:db8::/32"]);
    const cidrs = async (q: string) => (await f.api.get(`/subnets?${q}`)).body.items.map((s: any) => s.cidr);
    expect(await cidrs(`section_id=${section.id}`)).toEqual(["10.0.0.0/16", "10.0.1.0/24"]);
    expect(await cidrs("vrf=blue")).toEqual(["192.168.0.0/24"]);
    expect(await cidrs("family=6")).toEqual(["2001:db8::/32"]);
    expect(await cidrs("family=4&vrf=default")).toEqual(["10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24", "172.16.0.0/12"]);
    expect(await cidrs("contains=10.0.1.7")).toEqual(["10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24"]);
    expect(await cidrs("contains=192.168.0.9")).toEqual(["192.168.0.0/24"]);
    expect(await cidrs("contains=192.168.0.9&vrf=default")).toEqual([]);
    expect(await cidrs("contains=2001:db8::1")).toEqual(["2001:db8::/32"]);
    expect(await cidrs("q=corp")).toEqual(["10.0.0.0/8"]);
    expect(await cidrs("q=FLOOR")).toEqual(["10.0.0.0/16"]);
    expect(await cidrs("q=172.16")).toEqual(["172.16.0.0/12"]);
    expect(await cidrs("q=100%25")).toEqual([]);
    expect(await cidrs("root=true&vrf=default")).toEqual(["10.0.0.0/8", "172.16.0.0/12", "2001:db8::/32"]);
    expect((await f.api.get("/subnets?contains=10.1")).status).toBe(400);
    expect((await f.api.get("/subnets?family=5")).status).toBe(400);
    // A bad `root` names the field `root` (not the whole query, which validators also call "root").
    const badRoot = await f.api.get("/subnets?root=yes");
    expect(badRoot.status).toBe(400);
    expect(badRoot.body.details.field).toBe("root");
    expect(badRoot.body.error).toStartWith('query field "root": ');
    expect((await f.api.get("/subnets?limit=1001")).status).toBe(400);
    expect((await f.api.get("/subnets?cursor=abc")).status).toBe(400);
  });
});

describe("updating subnets", () => {
  test("name, description, section and vlan change; cidr and vrf are immutable", async () => {
    const f = ipamFixture();
    const section = (await f.api.post("/sections", { name: "Core" })).body;
    const s = await f.subnet("10.2.0.0/24", { vlan: 10 });
    const r = await f.api.patch(`/subnets/${s.id}`, { name: "Mgmt", description: "oob", section_id: section.id, vlan: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "Mgmt", description: "oob", section_id: section.id, vlan: null, cidr: "10.2.0.0/24" });
    const cidr = await f.api.patch(`/subnets/${s.id}`, { cidr: "10.2.1.0/24" });
    expect(cidr.status).toBe(400);
    expect(cidr.body).toMatchObject({ code: "immutable_field", details: { field: "cidr" } });
    const vrf = await f.api.patch(`/subnets/${s.id}`, { vrf: "red" });
    expect(vrf.status).toBe(400);
    expect(vrf.body.code).toBe("immutable_field");
    // Sending back the same values (a read-modify-write client) is fine.
    expect((await f.api.patch(`/subnets/${s.id}`, { cidr: "10.2.0.0/24", vrf: "default", name: "Mgmt2" })).status).toBe(200);
    expect((await f.api.patch(`/subnets/${s.id}`, { vlan: 5000 })).status).toBe(400);
    expect((await f.api.patch(`/subnets/${s.id}`, { section_id: crypto.randomUUID() })).status).toBe(404);
    const updates = f.activity("subnet.update");
    expect(updates).toHaveLength(2);
    expect(JSON.parse(updates[0]!.changes)).toMatchObject({ name: ["", "Mgmt"], vlan: [10, null] });
  });
});

describe("deleting subnets", () => {
  test("children and addresses move up to the parent", async () => {
    const f = ipamFixture();
    const p = await f.subnet("10.3.0.0/16");
    const mid = await f.subnet("10.3.0.0/20");
    const leaf = await f.subnet("10.3.1.0/24");
    const a = await f.address(mid.id, { ip: "10.3.2.7" });
    expect((await f.api.del(`/subnets/${mid.id}`)).status).toBe(204);
    expect((await f.api.get(`/subnets/${mid.id}`)).status).toBe(404);
    expect((await f.api.get(`/subnets/${leaf.id}`)).body.parent_id).toBe(p.id);
    expect((await f.api.get(`/addresses/${a.id}`)).body.subnet_id).toBe(p.id);
    expect((await f.api.get(`/subnets/${p.id}`)).body.utilization).toMatchObject({ used: "1", in_children: "256" });
    // The address is taken in the parent now: recording it again is a conflict.
    expect((await f.api.post(`/subnets/${p.id}/addresses`, { ip: "10.3.2.7" })).status).toBe(409);
    expect(f.activity("subnet.delete")).toHaveLength(1);
  });

  test("a root subnet with addresses is 409 unless ?force=true; without addresses it just goes", async () => {
    const f = ipamFixture();
    const root = await f.subnet("10.4.0.0/24");
    const child = await f.subnet("10.4.0.128/25");
    await f.address(root.id, { ip: "10.4.0.9" });
    const refused = await f.api.del(`/subnets/${root.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("subnet_not_empty");
    expect((await f.api.get(`/subnets/${root.id}`)).status).toBe(200);
    expect((await f.api.del(`/subnets/${root.id}?force=true`)).status).toBe(204);
    expect((await f.api.get("/addresses")).body.total).toBe(0);
    expect((await f.api.get(`/subnets/${child.id}`)).body.parent_id).toBeNull();
    expect((await f.api.del(`/subnets/${child.id}`)).status).toBe(204);
    expect((await f.api.get("/subnets")).body.total).toBe(0);
    // The same CIDR can be created again: memory forgot it.
    expect((await f.api.post("/subnets", { cidr: "10.4.0.0/24" })).status).toBe(201);
  });

  test("a record that would land on the parent's network address: 409 naming it, or deleted with ?force=true while the rest move up", async () => {
    const f = ipamFixture();
    const parent = await f.subnet("10.6.0.0/24");
    const child = await f.subnet("10.6.0.0/31"); // RFC 3021: both addresses usable here, not in the /24
    const stranded = await f.address(child.id, { ip: "10.6.0.0" });
    const mover = await f.address(child.id, { ip: "10.6.0.1" });
    const refused = await f.api.del(`/subnets/${child.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: "address_on_boundary", details: { addresses: ["10.6.0.0"], subnet: "10.6.0.0/24" } });
    expect(refused.body.error).toContain("?force=true");
    expect((await f.api.get(`/addresses/${mover.id}`)).body.subnet_id).toBe(child.id);

    expect((await f.api.del(`/subnets/${child.id}?force=true`)).status).toBe(204);
    expect((await f.api.get(`/subnets/${child.id}`)).status).toBe(404);
    expect((await f.api.get(`/addresses/${stranded.id}`)).status).toBe(404);
    expect((await f.api.get(`/addresses/${mover.id}`)).body.subnet_id).toBe(parent.id);
    expect((await f.api.get(`/subnets/${parent.id}`)).body.utilization).toMatchObject({ used: "1", free: "253" });
    expect((await f.api.get(`/subnets/${parent.id}/first-free`)).body).toEqual({ ip: "10.6.0.2" });
    expect((await f.api.post(`/subnets/${parent.id}/addresses`, { ip: "10.6.0.1" })).status).toBe(409);
    const [entry] = f.activity("subnet.delete");
    expect(JSON.parse(entry!.changes)).toMatchObject({ addresses_deleted: [1, 0], addresses_moved_to_parent: [1, 0] });
    // What a restart would load from the database agrees with memory.
    const rebuilt = IpamRegistry.load(f.database).subnet(f.tenant.orgId, parent.id)!;
    expect(rebuilt.allocator.counts().used).toBe(1n);
    expect(rebuilt.allocator.firstFree()).toBe((10n << 24n) + (6n << 16n) + 2n);
  });

  test("another organization's subnet is 404 on every route", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.5.0.0/24");
    const a = await f.address(s.id, { ip: "10.5.0.5" });
    const other = f.as(f.createTenant());
    for (const r of [
      await other.get(`/subnets/${s.id}`),
      await other.patch(`/subnets/${s.id}`, { name: "x" }),
      await other.del(`/subnets/${s.id}`),
      await other.post(`/subnets/${s.id}/split`, { parts: 2 }),
      await other.get(`/subnets/${s.id}/first-free`),
      await other.get(`/subnets/${s.id}/free`),
      await other.get(`/subnets/${s.id}/addresses`),
      await other.post(`/subnets/${s.id}/addresses`, {}),
      await other.get(`/addresses/${a.id}`),
      await other.patch(`/addresses/${a.id}`, { hostname: "x" }),
      await other.del(`/addresses/${a.id}`),
    ]) {
      expect(r.status).toBe(404);
      expect(r.text).not.toContain("10.5.0");
    }
    expect((await other.get("/subnets")).body.items).toEqual([]);
    expect((await other.get("/addresses?q=10.5")).body.items).toEqual([]);
    expect((await other.get("/subnets?contains=10.5.0.5")).body.items).toEqual([]);
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization.used).toBe("1");
  });
});

describe("splitting subnets", () => {
  test("{parts} and {prefix_length} create equal children and move addresses into them", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.6.0.0/24", { section_id: null });
    const a = await f.address(s.id, { ip: "10.6.0.70" });
    const r = await f.api.post(`/subnets/${s.id}/split`, { parts: 4 });
    expect(r.status).toBe(201);
    expect(r.body.items.map((c: any) => c.cidr)).toEqual(["10.6.0.0/26", "10.6.0.64/26", "10.6.0.128/26", "10.6.0.192/26"]);
    expect(r.body.items.every((c: any) => c.parent_id === s.id)).toBe(true);
    expect(r.body.items[1].utilization).toMatchObject({ usable: "62", used: "1" });
    expect((await f.api.get(`/addresses/${a.id}`)).body.subnet_id).toBe(r.body.items[1].id);
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization).toMatchObject({ used: "1", in_children: "254", free: "0", percent: 0.39 });
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: null });
    const again = await f.api.post(`/subnets/${s.id}/split`, { parts: 2 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("subnet_has_children");
    const v6 = await f.subnet("2001:db8:6::/48");
    const byLength = await f.api.post(`/subnets/${v6.id}/split`, { prefix_length: 50 });
    expect(byLength.body.items.map((c: any) => c.cidr)).toEqual(["2001:db8:6::/50", "2001:db8:6:4000::/50", "2001:db8:6:8000::/50", "2001:db8:6:c000::/50"]);
    expect(f.activity("subnet.split")).toHaveLength(2);
  });

  test("bad requests are 400; an address on a new boundary is 409 and nothing changes", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.7.0.0/24");
    for (const body of [{ parts: 3 }, { parts: 1 }, { parts: 131072 }, { prefix_length: 24 }, { prefix_length: 33 }, {}, { parts: 2, prefix_length: 25 }, { parts: 512 }]) {
      const r = await f.api.post(`/subnets/${s.id}/split`, body);
      expect(r.status).toBe(400);
    }
    await f.address(s.id, { ip: "10.7.0.127" });
    const r = await f.api.post(`/subnets/${s.id}/split`, { parts: 2 });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("address_on_boundary");
    expect(r.body.error).toContain("10.7.0.127");
    expect((await f.api.get("/subnets")).body.total).toBe(1);
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization.used).toBe("1");
    const big = await f.subnet("10.8.0.0/16");
    const many = await f.api.post(`/subnets/${big.id}/split`, { parts: 1024 });
    expect(many.status).toBe(201);
    expect(many.body.items).toHaveLength(1024);
    expect(many.body.items[1023].cidr).toBe("10.8.255.192/26");
  });
});

describe("IPv4-mapped IPv6 space", () => {
  test("is refused for subnets and for addresses, since it would share keys with IPv4 (and nothing is written)", async () => {
    const { ipamFixture } = await import("./fixture");
    const f = ipamFixture();
    const mapped = await f.api.post("/subnets", { cidr: "::ffff:10.0.0.0/120" });
    expect(mapped.status).toBe(400);
    expect(mapped.body.error).toContain("IPv4-mapped");
    const wide = await f.subnet("::/64"); // contains ::ffff:0:0/96
    const v4 = await f.subnet("10.0.0.0/24");
    const ip = await f.api.post(`/subnets/${wide.id}/addresses`, { ip: "::ffff:10.0.0.5" });
    expect(ip.status).toBe(400);
    expect(ip.body.error).toContain("IPv4-mapped");
    // the IPv4 address itself stays free and recordable
    expect((await f.api.post(`/subnets/${v4.id}/addresses`, { ip: "10.0.0.5" })).status).toBe(201);
    expect(f.database.sqlite.query("SELECT COUNT(*) AS n FROM addresses").get()).toEqual({ n: 1 });
  });
});
