/**
 * The import/export contract (API.md §9) on both backends, through the real app: a round trip
 * into an empty organization (byte-identical CSVs, equal JSON, memory that allocates
 * correctly afterwards), dry runs that write nothing, all or nothing on one bad row (rows,
 * memory and activity), plan limits counted once, exports paging past 1,000 rows, and tenant
 * isolation. On PostgreSQL each import is one IPAM write of store/pg/ipam.ts and each export
 * page one short read.
 */
import { describe, expect, test } from "bun:test";
import { usePgCluster } from "../../helpers/pg";
import type { Tenant } from "../../helpers/tenant";
import { BACKENDS, freshTenantApps, type OpenedApp } from "./backends";

usePgCluster();

type App = Awaited<ReturnType<ReturnType<typeof freshTenantApps>>>;

async function raw(t: OpenedApp, who: Tenant, method: string, path: string, csv?: string) {
  const headers: Record<string, string> = { ...who.bearer };
  if (csv !== undefined) headers["content-type"] = "text/csv";
  const response = await t.app.handle(new Request(`http://localhost/api/v1${path}`, { method, headers, body: csv }));
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

const exportOf = async (t: OpenedApp, who: Tenant, path: string) => {
  const r = await raw(t, who, "GET", path);
  expect(r.status).toBe(200);
  return r.text;
};

/** Sections, VRF "blue", nested v4 and v6 subnets in two VRFs, records of every status. */
async function buildOrganization(t: App): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const r = await t.api.post(path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const dc = await post("/sections", { name: 'DC 1, "north"' });
  const lab = await post("/sections", { name: "Büro ✓" });
  await post("/vrfs", { name: "blue" });
  const core = await post("/subnets", { cidr: "10.0.0.0/16", name: "Core, main", description: "line 1\nline 2", section_id: dc.id, vlan: 10 });
  const web = await post("/subnets", { cidr: "10.0.1.0/24", name: "=web", section_id: dc.id, gateway: "10.0.1.1" });
  const half = await post("/subnets", { cidr: "10.0.1.128/25", name: "@half" });
  const v6 = await post("/subnets", { cidr: "2001:db8::/32", name: "v6", section_id: lab.id });
  const blue = await post("/subnets", { cidr: "10.0.0.0/16", vrf: "blue", name: "twin" });
  await post(`/subnets/${core.id}/addresses`, { ip: "10.0.5.5", hostname: "core-sw", owner: "+44 20", mac: "AA-BB-CC-DD-EE-FF" });
  await post(`/subnets/${web.id}/addresses`, { ip: "10.0.1.10", hostname: "web-1", status: "reserved" });
  await post(`/subnets/${half.id}/addresses`, { ip: "10.0.1.200", hostname: "in-half", status: "dhcp" });
  await post(`/subnets/${v6.id}/addresses`, { ip: "2001:db8::1", hostname: "v6-gw", status: "gateway" });
  await post(`/subnets/${blue.id}/addresses`, { ip: "10.0.5.5", hostname: "blue twin" });
}

/** export.json without what differs between organizations (ids, times), references resolved. */
function comparable(doc: any) {
  const subnetKey = new Map<string, string>(doc.subnets.map((s: any) => [s.id, `${s.vrf} ${s.cidr}`]));
  return {
    sections: doc.sections.map((s: any) => [s.name, s.description]),
    vrfs: doc.vrfs.map((v: any) => v.name),
    subnets: doc.subnets.map((s: any) => [s.cidr, s.vrf, s.name, s.description, s.section, s.vlan, s.parent_id && subnetKey.get(s.parent_id)]),
    addresses: doc.addresses.map((a: any) => [a.ip, a.vrf, subnetKey.get(a.subnet_id), a.hostname, a.status, a.owner, a.mac, a.description]),
  };
}

describe.each(BACKENDS)("import and export on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("export → dry run → import into an empty organization → export again: identical, and memory allocates right", async () => {
    const t = await fresh();
    await buildOrganization(t);
    const subnets = await exportOf(t, t.tenant, "/export/subnets.csv");
    const addresses = await exportOf(t, t.tenant, "/export/addresses.csv");
    const json = JSON.parse(await exportOf(t, t.tenant, "/export.json"));
    expect(subnets.split("\r\n")[0]).toBe("cidr,vrf,name,description,section,vlan");
    expect(subnets).toContain(",'=web,");
    expect(json.vrfs.map((v: any) => v.name)).toEqual(["blue", "default"]);
    expect(json.addresses).toHaveLength(6);

    const target = await t.newTenant();
    const as = t.as(target);
    expect((await as.post("/vrfs", { name: "blue" })).status).toBe(201);
    const dry = await raw(t, target, "POST", "/import/subnets?dry_run=true", subnets);
    expect(dry.body).toEqual({ dry_run: true, rows: 5, created: { subnets: 5, sections: 2 } });
    expect((await as.get("/subnets")).body.total).toBe(0);
    expect((await as.get("/sections")).body.total).toBe(0);

    expect((await raw(t, target, "POST", "/import/subnets", subnets)).body).toEqual({ dry_run: false, rows: 5, created: { subnets: 5, sections: 2 } });
    const dryAddresses = await raw(t, target, "POST", "/import/addresses?dry_run=true", addresses);
    expect(dryAddresses.body).toEqual({ dry_run: true, rows: 6, created: { addresses: 6 } });
    expect(await exportOf(t, target, "/export/addresses.csv")).toBe("ip,vrf,hostname,status,owner,mac,description\r\n");
    expect((await raw(t, target, "POST", "/import/addresses", addresses)).body).toEqual({ dry_run: false, rows: 6, created: { addresses: 6 } });

    expect(await exportOf(t, target, "/export/subnets.csv")).toBe(subnets);
    expect(await exportOf(t, target, "/export/addresses.csv")).toBe(addresses);
    const again = JSON.parse(await exportOf(t, target, "/export.json"));
    expect(comparable(again)).toEqual(comparable(json));

    // Memory knows the imported records: first-free skips them, a taken one is 409.
    const web = again.subnets.find((s: any) => s.cidr === "10.0.1.0/24");
    expect((await as.get(`/subnets/${web.id}/first-free`)).body).toEqual({ ip: "10.0.1.2" });
    expect((await as.post(`/subnets/${web.id}/addresses`, { ip: "10.0.1.10" })).status).toBe(409);
    expect((await as.get(`/subnets/${web.id}`)).body.utilization).toMatchObject({ used: "3", in_children: "127" });
    const actions = (await t.probes.activity(target.orgId)).map((a) => a.action);
    expect(actions.filter((a) => a.endsWith(".import"))).toEqual(["subnet.import", "address.import"]);
  });

  test("one bad row and nothing is written: rows, memory, activity", async () => {
    const t = await fresh();
    const net = (await t.api.post("/subnets", { cidr: "10.1.0.0/16" })).body;
    await t.api.post(`/subnets/${net.id}/addresses`, { ip: "10.1.0.9", hostname: "existing" });
    const before = { subnets: await exportOf(t, t.tenant, "/export/subnets.csv"), addresses: await exportOf(t, t.tenant, "/export/addresses.csv") };
    const activity = (await t.probes.activity(t.tenant.orgId)).length;

    const badSubnets = await raw(t, t.tenant, "POST", "/import/subnets", "cidr,vrf,section\n10.1.1.0/24,,New\n10.1.2.0/24,bleu,\n10.1.1.0/24,,\n10.1.0.0/24,,\n");
    expect(badSubnets.status).toBe(400);
    expect(badSubnets.body.code).toBe("import_failed");
    expect(badSubnets.body.details.rows).toEqual([
      { row: 3, error: expect.stringContaining('VRF "bleu"') },
      { row: 4, error: "duplicate of row 2 (10.1.1.0/24 in VRF default)" },
    ]);

    const lines = ["ip,hostname"];
    for (let n = 0; n < 1500; n++) lines.push(`10.1.${100 + Math.floor(n / 250)}.${(n % 250) + 1},h${n}`);
    lines.push("10.1.0.9,again");
    const badAddresses = await raw(t, t.tenant, "POST", "/import/addresses", lines.join("\n"));
    expect(badAddresses.status).toBe(400);
    const rows = badAddresses.body.details.rows as { row: number; error: string }[];
    expect(rows).toEqual([{ row: 1502, error: "10.1.0.9 is already in use by existing" }]);

    expect(await exportOf(t, t.tenant, "/export/subnets.csv")).toBe(before.subnets);
    expect(await exportOf(t, t.tenant, "/export/addresses.csv")).toBe(before.addresses);
    expect((await t.api.get("/sections")).body.total).toBe(0);
    expect((await t.probes.activity(t.tenant.orgId)).length).toBe(activity);
    // Memory was undone too: the /16 still has only its one record, and allocation starts at the bottom.
    expect((await t.api.get(`/subnets/${net.id}`)).body.utilization).toMatchObject({ used: "1", in_children: "0" });
    expect((await t.api.post(`/subnets/${net.id}/addresses`, { count: 2 })).body.items.map((a: any) => a.ip)).toEqual(["10.1.0.1", "10.1.0.2"]);
    expect((await t.api.post("/subnets", { cidr: "10.1.1.0/24" })).status).toBe(201);
  });

  test("a record the table holds but memory does not know is a bad row (the UNIQUE backstop), not a 500", async () => {
    const t = await fresh();
    const net = (await t.api.post("/subnets", { cidr: "10.5.0.0/24" })).body;
    // Written by a plain store write, beside the IPAM facet: memory is not told (as after a bug).
    const at = new Date().toISOString();
    const key = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 5, 0, 7]);
    await t.store.write({ orgId: t.tenant.orgId }, (q) =>
      q.addresses.insertMany(t.tenant.orgId, [
        { id: crypto.randomUUID(), subnetId: net.id, vrf: "default", ip: "10.5.0.7", ipKey: key, hostname: "hidden", status: "assigned", owner: "", mac: null, description: "", at },
      ]),
    );
    const r = await raw(t, t.tenant, "POST", "/import/addresses", "ip\n10.5.0.6\n10.5.0.7\n10.5.0.8\n");
    expect(r.status).toBe(400);
    expect(r.body.details.rows).toEqual([{ row: 3, error: "10.5.0.7 is already in use by hidden" }]);
    expect((await exportOf(t, t.tenant, "/export/addresses.csv")).split("\r\n").slice(1, -1)).toEqual(["10.5.0.7,default,hidden,assigned,,,"]);
  });

  test("plan limits count the file once: 20 sections + 5 new fit the pro plan's 25, 6 do not", async () => {
    const t = await fresh({ plan: "pro" });
    for (let i = 0; i < 20; i++) expect((await t.api.post("/sections", { name: `old ${i}` })).status).toBe(201);
    const file = (n: number) => ["cidr,section", ...Array.from({ length: n }, (_, i) => `10.9.${i}.0/24,new ${i}`)].join("\n");
    const over = await raw(t, t.tenant, "POST", "/import/subnets", file(6));
    expect(over.status).toBe(402);
    expect(over.body.details).toMatchObject({ resource: "sections", limit: 25, current: 20, requested: 6 });
    const dry = await raw(t, t.tenant, "POST", "/import/subnets?dry_run=true", file(5));
    expect(dry.body).toEqual({ dry_run: true, rows: 5, created: { subnets: 5, sections: 5 } });
    expect((await raw(t, t.tenant, "POST", "/import/subnets", file(5))).status).toBe(200);
    expect((await t.api.get("/sections")).body.total).toBe(25);
  });

  test("exports page past 1,000 rows in order; an import of 1,100 subnets nests them under an existing one", async () => {
    const t = await fresh();
    const net = (await t.api.post("/subnets", { cidr: "10.9.0.0/20" })).body;
    expect((await t.api.post(`/subnets/${net.id}/addresses`, { count: 2500 })).status).toBe(201);
    const container = (await t.api.post("/subnets", { cidr: "10.48.0.0/13" })).body;
    const file = ["cidr", ...Array.from({ length: 1100 }, (_, i) => `10.${48 + (i >> 9)}.${(i >> 1) & 255}.${(i & 1) * 128}/25`)];
    expect((await raw(t, t.tenant, "POST", "/import/subnets", file.join("\n"))).body.created).toEqual({ subnets: 1100, sections: 0 });
    expect((await t.api.get(`/subnets/${container.id}`)).body.utilization).toMatchObject({ used: "0", in_children: String(1100 * 128 - 1) }); // (10.48.0.0 is not usable)

    const addresses = (await exportOf(t, t.tenant, "/export/addresses.csv")).trimEnd().split("\r\n");
    expect(addresses).toHaveLength(2501);
    expect(addresses[1]).toStartWith("10.9.0.1,default,");
    expect(addresses[2500]).toStartWith("10.9.9.196,default,");
    const subnets = (await exportOf(t, t.tenant, "/export/subnets.csv")).trimEnd().split("\r\n");
    expect(subnets.map((line) => line.split(",")[0])).toEqual(["cidr", "10.9.0.0/20", "10.48.0.0/13", ...file.slice(1)]);
    const json = JSON.parse(await exportOf(t, t.tenant, "/export.json"));
    expect([json.subnets.length, new Set(json.addresses.map((a: any) => a.ip)).size]).toEqual([1102, 2500]);
    expect(json.subnets.filter((s: any) => s.parent_id === container.id)).toHaveLength(1100);
  });

  test("tenants stay apart: imports place only into one's own subnets, exports show only one's own rows", async () => {
    const t = await fresh();
    const other = await t.newTenant();
    const theirs = t.as(other);
    const net = (await t.api.post("/subnets", { cidr: "10.7.0.0/24", name: "mine" })).body;
    await t.api.post(`/subnets/${net.id}/addresses`, { ip: "10.7.0.5", hostname: "mine" });
    const refused = await raw(t, other, "POST", "/import/addresses", "ip\n10.7.0.6\n");
    expect(refused.body.details.rows).toEqual([{ row: 2, error: "no subnet in VRF default contains 10.7.0.6; import the subnets first" }]);
    expect((await raw(t, other, "POST", "/import/subnets", "cidr,section\n10.7.0.0/24,theirs\n")).status).toBe(200);
    expect((await raw(t, other, "POST", "/import/addresses", "ip,hostname\n10.7.0.5,theirs\n")).status).toBe(200);
    expect(await exportOf(t, other, "/export/addresses.csv")).toBe("ip,vrf,hostname,status,owner,mac,description\r\n10.7.0.5,default,theirs,assigned,,,\r\n");
    expect(await exportOf(t, t.tenant, "/export/addresses.csv")).toBe("ip,vrf,hostname,status,owner,mac,description\r\n10.7.0.5,default,mine,assigned,,,\r\n");
    const mine = JSON.parse(await exportOf(t, t.tenant, "/export.json"));
    expect([mine.sections, mine.subnets.map((s: any) => s.name)]).toEqual([[], ["mine"]]);
    expect((await theirs.get("/sections")).body.items.map((s: any) => s.name)).toEqual(["theirs"]);
  });
});
