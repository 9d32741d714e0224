/**
 * The subnets contract (API.md §6) on both backends, through the real app: automatic nesting
 * with adoption and address moves, duplicates, patch, delete moving children and records up,
 * split, tree reads with utilization from memory. On PostgreSQL this runs on the IPAM facet
 * of store/pg/ipam.ts (per-subnet alloc_seq, change log, organization version).
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

describe.each(BACKENDS)("subnets on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("create nests automatically: a new /24 inside a /16 adopts the /26 and takes the /16's records in it", async () => {
    const t = await fresh();
    const outer = (await t.api.post("/subnets", { cidr: "10.0.0.0/16", name: "site" })).body;
    const small = (await t.api.post("/subnets", { cidr: "10.0.1.64/26" })).body;
    expect(small.parent_id).toBe(outer.id);
    expect((await t.api.post(`/subnets/${outer.id}/addresses`, { ip: "10.0.1.5", hostname: "a" })).status).toBe(201);
    const mid = await t.api.post("/subnets", { cidr: "10.0.1.0/24", gateway: "10.0.1.1" });
    expect(mid.status).toBe(201);
    expect(mid.body).toMatchObject({ cidr: "10.0.1.0/24", parent_id: outer.id, family: 4, vrf: "default" });
    // 10.0.1.5 moved in and the gateway recorded (used); the /26 (64 addresses) lies in a child (API.md §6).
    expect(mid.body.utilization).toEqual({ size: "256", usable: "254", used: "2", in_children: "64", free: "188", percent: 0.79 });
    expect((await t.api.get(`/subnets/${small.id}`)).body.parent_id).toBe(mid.body.id);
    const listed = await t.api.get(`/subnets/${mid.body.id}/addresses`);
    expect(listed.body.items.map((a: any) => a.ip)).toEqual(["10.0.1.1", "10.0.1.5"]);
    expect((await t.api.get(`/subnets?contains=10.0.1.70`)).body.items.map((s: any) => s.cidr)).toEqual(["10.0.0.0/16", "10.0.1.0/24", "10.0.1.64/26"]);
    const dup = await t.api.post("/subnets", { cidr: "10.0.1.0/24" });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: "subnet_overlap", details: { existing_id: mid.body.id } });
    const activity = await t.probes.activity(t.tenant.orgId);
    expect(activity.filter((a) => a.action === "subnet.create")).toHaveLength(3);
  });

  test("patch changes rows only; cidr is immutable; an unknown section is 404 and changes nothing", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "192.168.0.0/24" })).body;
    const patched = await t.api.patch(`/subnets/${s.id}`, { name: "lab", vlan: 12 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "lab", vlan: 12, utilization: { used: "0" } });
    expect((await t.api.patch(`/subnets/${s.id}`, { cidr: "192.168.1.0/24" })).body.code).toBe("immutable_field");
    const bad = await t.api.patch(`/subnets/${s.id}`, { section_id: "nope", name: "x" });
    expect(bad.status).toBe(404);
    expect((await t.api.get(`/subnets/${s.id}`)).body.name).toBe("lab");
  });

  test("delete moves children and records up; a root with records needs force", async () => {
    const t = await fresh();
    const outer = (await t.api.post("/subnets", { cidr: "10.1.0.0/16" })).body;
    const mid = (await t.api.post("/subnets", { cidr: "10.1.2.0/24" })).body;
    const inner = (await t.api.post("/subnets", { cidr: "10.1.2.128/25" })).body;
    await t.api.post(`/subnets/${mid.id}/addresses`, { ip: "10.1.2.10" });
    expect((await t.api.del(`/subnets/${mid.id}`)).status).toBe(204);
    expect((await t.api.get(`/subnets/${inner.id}`)).body.parent_id).toBe(outer.id);
    const up = await t.api.get(`/subnets/${outer.id}/addresses`);
    expect(up.body.items.map((a: any) => a.ip)).toEqual(["10.1.2.10"]);
    expect((await t.api.get(`/subnets/${outer.id}/first-free`)).body).toEqual({ ip: "10.1.0.1" });
    const refused = await t.api.del(`/subnets/${outer.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("subnet_not_empty");
    expect((await t.api.del(`/subnets/${outer.id}?force=true`)).status).toBe(204);
    expect((await t.api.get(`/subnets`)).body.items.map((s: any) => s.cidr)).toEqual(["10.1.2.128/25"]);
  });

  test("split makes equal children, deals the records to them, and refuses a second split", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.2.0.0/24" })).body;
    await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.2.0.70" });
    const split = await t.api.post(`/subnets/${s.id}/split`, { parts: 4 });
    expect(split.status).toBe(201);
    expect(split.body.items.map((c: any) => c.cidr)).toEqual(["10.2.0.0/26", "10.2.0.64/26", "10.2.0.128/26", "10.2.0.192/26"]);
    expect(split.body.items[1].utilization.used).toBe("1");
    const second = (await t.api.get(`/subnets?parent_id=${s.id}`)).body.items[1];
    expect((await t.api.get(`/subnets/${second.id}/addresses`)).body.items.map((a: any) => a.ip)).toEqual(["10.2.0.70"]);
    // The parent counts the record below it; its children cover every usable address.
    expect((await t.api.get(`/subnets/${s.id}`)).body.utilization).toMatchObject({ used: "1", in_children: "254", free: "0" });
    expect((await t.api.post(`/subnets/${s.id}/split`, { parts: 2 })).body.code).toBe("subnet_has_children");
    await t.api.post(`/subnets/${second.id}/addresses`, { ip: "10.2.0.80" });
    const boundary = await t.api.post(`/subnets/${second.id}/split`, { prefix_length: 28 });
    expect(boundary.status).toBe(409); // 10.2.0.80 would be the network address of 10.2.0.80/28
    expect(boundary.body.code).toBe("address_on_boundary");
    expect((await t.api.get(`/subnets?parent_id=${second.id}`)).body.items).toEqual([]);
    // A part in IPv4-mapped space would be a subnet no one may create: the split is refused whole.
    const holder = (await t.api.post("/subnets", { cidr: "::fffe:0:0/95" })).body;
    const mapped = await t.api.post(`/subnets/${holder.id}/split`, { parts: 2 });
    expect([mapped.status, mapped.body.code, mapped.body.details?.reason]).toEqual([400, "invalid_cidr", "ipv4_mapped"]);
    expect((await t.api.get(`/subnets?parent_id=${holder.id}`)).body.items).toEqual([]);
  });

  test("lists page in address order with a cursor", async () => {
    const t = await fresh();
    for (const cidr of ["10.9.3.0/24", "10.9.1.0/24", "2001:db8::/64", "10.9.2.0/24"]) await t.api.post("/subnets", { cidr });
    const first = await t.api.get("/subnets?limit=2");
    expect(first.body.items.map((s: any) => s.cidr)).toEqual(["10.9.1.0/24", "10.9.2.0/24"]);
    expect(first.body.total).toBe(4);
    const next = await t.api.get(`/subnets?limit=2&cursor=${first.body.next_cursor}`);
    expect(next.body.items.map((s: any) => s.cidr)).toEqual(["10.9.3.0/24", "2001:db8::/64"]);
    expect(next.body.next_cursor).toBeNull();
    expect((await t.api.get("/subnets?q=2001")).body.items).toHaveLength(1);
  });

  test("a parent's children page by cursor: direct children only, in address order, none of a sibling's or another VRF's", async () => {
    const t = await fresh();
    const post = async (cidr: string, vrf?: string) => (await t.api.post("/subnets", vrf ? { cidr, vrf } : { cidr })).body;
    await t.api.post("/vrfs", { name: "lab" });
    const parent = await post("10.20.0.0/16");
    for (const cidr of ["10.20.3.0/24", "10.20.1.0/24", "10.20.1.128/25", "10.21.0.0/24", "10.20.200.0/22"]) await post(cidr);
    await post("10.20.5.0/24", "lab"); // same range, another VRF
    const v6 = await post("2001:db8:20::/48");
    await post("2001:db8:20:1::/64");
    const page = async (id: string, cursor?: string) => (await t.api.get(`/subnets?parent_id=${id}&limit=2${cursor ? `&cursor=${cursor}` : ""}`)).body;
    const first = await page(parent.id);
    expect({ cidrs: first.items.map((x: any) => x.cidr), total: first.total }).toEqual({ cidrs: ["10.20.1.0/24", "10.20.3.0/24"], total: 3 });
    const second = await page(parent.id, first.next_cursor);
    expect({ cidrs: second.items.map((x: any) => x.cidr), next: second.next_cursor }).toEqual({ cidrs: ["10.20.200.0/22"], next: null });
    expect((await page(v6.id)).items.map((x: any) => x.cidr)).toEqual(["2001:db8:20:1::/64"]);
    const leaf = second.items[0];
    expect(await page(leaf.id)).toMatchObject({ items: [], total: 0, next_cursor: null });
    // A folder's subnets and the roots page alike, in address order, whatever the plan.
    const folder = (await t.api.post("/sections", { name: "Lab" })).body;
    for (const cidr of ["10.21.0.0/24", "10.20.3.0/24", "2001:db8:20:1::/64"]) {
      const id = first.items.concat(second.items).find((x: any) => x.cidr === cidr)?.id ?? (await t.api.get(`/subnets?q=${encodeURIComponent(cidr)}`)).body.items[0].id;
      expect((await t.api.patch(`/subnets/${id}`, { section_id: folder.id })).status).toBe(200);
    }
    const inFolder = (await t.api.get(`/subnets?section_id=${folder.id}&limit=2`)).body;
    const rest = (await t.api.get(`/subnets?section_id=${folder.id}&limit=2&cursor=${inFolder.next_cursor}`)).body;
    expect([...inFolder.items, ...rest.items].map((x: any) => x.cidr)).toEqual(["10.20.3.0/24", "10.21.0.0/24", "2001:db8:20:1::/64"]);
    expect(inFolder.total).toBe(3);
    const roots = (await t.api.get("/subnets?root=true&limit=100")).body;
    expect(roots.items.map((x: any) => x.cidr)).toEqual(["10.20.0.0/16", "10.21.0.0/24", "2001:db8:20::/48", "10.20.5.0/24"]); // VRF first: default, then lab
  });
});
