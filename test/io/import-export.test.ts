/**
 * Export and import through the real app (API.md §9): the lossless round trip into an empty
 * organization, every bad row reported with nothing written (rows and memory), dry runs,
 * plan limits, permissions, tenant isolation, and one activity entry per import.
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";
import { buildRichOrganization, comparableJson, counts, exportText, importCsv, TRICKY } from "./helpers";

describe("round trip", () => {
  test("export → import into an empty organization → export again gives byte-identical CSVs and equal JSON", async () => {
    const t = testApp();
    const source = createTenant(t.database);
    await buildRichOrganization(t, source);
    const subnetsCsv = await exportText(t, source, "subnets.csv");
    const addressesCsv = await exportText(t, source, "addresses.csv");
    const json = JSON.parse((await t.call("GET", "/api/v1/export.json", { headers: source.bearer })).text);

    // The file is what spreadsheet users get: a header, formula cells protected, quoting where needed.
    expect(subnetsCsv.startsWith("cidr,vrf,name,description,section,vlan\r\n")).toBe(true);
    expect(addressesCsv.startsWith("ip,vrf,hostname,status,owner,mac,description\r\n")).toBe(true);
    expect(subnetsCsv).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(addressesCsv).toContain(",'+44 20 7946 0000,");
    expect(subnetsCsv).not.toMatch(/(^|,)=/m);
    expect(json.subnets.map((s: any) => s.name)).toContain(TRICKY.formula);
    expect(new Set(json.addresses.map((a: any) => a.status))).toEqual(new Set(["assigned", "gateway", "reserved", "dhcp"]));

    const target = createTenant(t.database);
    // VRFs are objects: the target names them first (a row naming an unknown VRF is a row error).
    expect((await t.call("POST", "/api/v1/vrfs", { headers: target.bearer, body: { name: "blue" } })).status).toBe(201);
    const s = await importCsv(t, target, "subnets", subnetsCsv);
    expect(s.status).toBe(200);
    expect(s.body).toEqual({ dry_run: false, rows: 8, created: { subnets: 8, sections: 2 } });
    const a = await importCsv(t, target, "addresses", addressesCsv);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ dry_run: false, rows: json.addresses.length, created: { addresses: json.addresses.length } });

    expect(await exportText(t, target, "subnets.csv")).toBe(subnetsCsv);
    expect(await exportText(t, target, "addresses.csv")).toBe(addressesCsv);
    const again = JSON.parse((await t.call("GET", "/api/v1/export.json", { headers: target.bearer })).text);
    expect(comparableJson(again)).toEqual(comparableJson(json));
    // Text values came back exactly, not merely the same CSV: the apostrophe protection was undone.
    const names = again.subnets.map((x: any) => x.name);
    for (const value of [TRICKY.formula, TRICKY.at, TRICKY.minus, TRICKY.plus, TRICKY.comma, TRICKY.unicode]) expect(names).toContain(value);
    expect(again.addresses.find((x: any) => x.ip === "10.0.1.200").owner).toBe(TRICKY.apostrophe);
    expect(again.addresses.find((x: any) => x.ip === "10.0.5.5" && x.vrf === "default").description).toBe(TRICKY.multiline);

    // The imported organization works like one built by hand: memory knows the new records.
    const web = again.subnets.find((x: any) => x.cidr === "10.0.1.0/24");
    const free = await t.call("GET", `/api/v1/subnets/${web.id}/first-free`, { headers: target.bearer });
    expect(free.body).toEqual({ ip: "10.0.1.2" });
    const taken = await t.call("POST", `/api/v1/subnets/${web.id}/addresses`, { headers: target.bearer, body: { ip: "10.0.1.10" } });
    expect(taken.status).toBe(409);
  });

  test("export.json holds the organization's data and nothing secret", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    await buildRichOrganization(t, who);
    const r = await t.call("GET", "/api/v1/export.json", { headers: who.bearer });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toStartWith("application/json");
    expect(Object.keys(r.body)).toEqual(["format", "version", "exported_at", "organization", "sections", "vrfs", "subnets", "addresses"]);
    expect(r.body.vrfs.map((v: any) => v.name)).toEqual(["blue", "default"]);
    expect(r.body.subnets).toHaveLength(8);
    expect(r.text).not.toContain(who.key);
    expect(r.text).not.toContain(who.key.slice(0, 12));
    expect(r.text).not.toContain(who.email);
    expect(r.text).not.toMatch(/key_hash|token|session/);
  });

  test("exports stream in pages and keep going past the first page", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const net = await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.9.0.0/20" } });
    await t.call("POST", `/api/v1/subnets/${net.body.id}/addresses`, { headers: who.bearer, body: { count: 2500 } });
    const response = await t.app.handle(new Request("http://localhost/api/v1/export/addresses.csv", { headers: who.bearer }));
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="addresses.csv"');
    const reader = response.body!.getReader();
    let chunks = 0;
    let text = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks++;
      text += new TextDecoder().decode(r.value);
    }
    expect(chunks).toBeGreaterThanOrEqual(3); // header, then pages of 1,000 rows
    const lines = text.trimEnd().split("\r\n");
    expect(lines).toHaveLength(2501);
    expect(lines[1]).toStartWith("10.9.0.1,default,");
    expect(lines[2500]).toStartWith("10.9.9.196,default,");
  });
});

describe("a bad file", () => {
  test("every bad address row is listed with its spreadsheet row number, and nothing is imported", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const net = await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.0.1.0/24" } });
    await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.0.1.128/26" } });
    await t.call("POST", `/api/v1/subnets/${net.body.id}/addresses`, { headers: who.bearer, body: { ip: "10.0.1.50", hostname: "existing" } });
    const before = counts(t);
    const exportBefore = await exportText(t, who, "addresses.csv");
    const csv = [
      "ip,vrf,hostname,status,owner,mac,description", // row 1
      '10.0.1.5,,good-1,,,,"a description\nover two lines"', // row 2 (one row, two lines)
      "10.0.1.300,,bad-ip,,,,", // 3
      "10.0.1.6,,bad-status,online,,,", // 4
      "10.0.1.7,,bad-mac,,,zz:zz,", // 5
      "192.168.9.9,,no-subnet,,,,", // 6
      "10.0.1.5,,twice,,,,", // 7 (duplicate of row 2)
      "10.0.1.50,,taken,,,,", // 8
      "10.0.1.0,,network,,,,", // 9
      "10.0.1.8,,bad\u0001host,,,,", // 10
      "10.0.1.9,,too,many,cells,,,,", // 11
      "10.0.1.10,,good-2,dhcp,,,", // 12
      "10.0.1.190,,in-child,,,,", // 13 fine: goes to the /26
      "10.0.1.191,,child-broadcast,,,,", // 14
      "10.0.1.11,nope!,bad-vrf,,,,", // 15
    ].join("\n");
    const r = await importCsv(t, who, "addresses", csv);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("import_failed");
    const rows = r.body.details.rows as { row: number; error: string }[];
    expect(rows.map((x) => x.row)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15]);
    const byRow = new Map(rows.map((x) => [x.row, x.error]));
    expect(byRow.get(3)).toContain('column "ip"');
    expect(byRow.get(4)).toContain('column "status"');
    expect(byRow.get(5)).toContain('column "mac"');
    expect(byRow.get(6)).toContain("no subnet");
    expect(byRow.get(7)).toContain("first on row 2");
    expect(byRow.get(8)).toContain("already in use by existing");
    expect(byRow.get(9)).toContain("network address of 10.0.1.0/24");
    expect(byRow.get(10)).toContain('column "hostname"');
    expect(byRow.get(11)).toContain("cells");
    expect(byRow.get(14)).toContain("broadcast address of 10.0.1.128/26");
    expect(byRow.get(15)).toContain('column "vrf"');
    expect(r.body.error).toContain("11 bad rows");

    // Nothing written, and memory rolled back too: the good rows' addresses are still free.
    expect(counts(t)).toEqual(before);
    expect(await exportText(t, who, "addresses.csv")).toBe(exportBefore);
    const free = await t.call("GET", `/api/v1/subnets/${net.body.id}/first-free`, { headers: who.bearer });
    expect(free.body).toEqual({ ip: "10.0.1.1" });
    const again = await t.call("POST", `/api/v1/subnets/${net.body.id}/addresses`, { headers: who.bearer, body: { ip: "10.0.1.5" } });
    expect(again.status).toBe(201);
  });

  test("every bad subnet row is listed; sections the file would create are not created", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.0.0.0/16" } });
    const before = counts(t);
    const csv = [
      "cidr,vrf,name,description,section,vlan",
      "10.1.0.0/16,,ok,,New section,", // 2
      "10.1.0.1/24,,host bits,,,", // 3
      "10.0.0.0/16,,exists,,,", // 4
      "10.1.0.0/16,,twice,,,", // 5
      "10.2.0.0/16,,vlan,,,5000", // 6
      "10.3.0.0,,no length,,,", // 7
      "010.4.0.0/16,,leading zero,,,", // 8
      "10.5.0.0/16,,fine,,,12", // 9
    ].join("\r\n");
    const r = await importCsv(t, who, "subnets", csv);
    expect(r.status).toBe(400);
    const rows = r.body.details.rows as { row: number; error: string }[];
    expect(rows.map((x) => x.row)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(rows[0]!.error).toContain("10.1.0.0/24");
    expect(rows[1]!.error).toContain("existing subnet 10.0.0.0/16");
    expect(rows[2]!.error).toContain("duplicate of row 2");
    expect(rows[3]!.error).toContain('column "vlan"');
    expect(counts(t)).toEqual(before);
    const sections = await t.call("GET", "/api/v1/sections", { headers: who.bearer });
    expect(sections.body.total).toBe(0);
  });

  test("a bad header is reported on row 1", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const unknown = await importCsv(t, who, "addresses", "ip,hostname,colour\n10.0.0.1,a,red\n");
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.rows).toEqual([{ row: 1, error: expect.stringContaining('unknown column "colour"') }]);
    const missing = await importCsv(t, who, "subnets", "name,vlan\nx,1\n");
    expect(missing.body.details.rows[0].error).toContain('no "cidr" column');
    const empty = await importCsv(t, who, "subnets", "");
    expect(empty.status).toBe(400);
    expect(empty.body.details.rows[0]).toEqual({ row: 1, error: expect.stringContaining("empty") });
  });

  test("columns may come in any order, and only the first is required", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    expect((await importCsv(t, who, "subnets", "NAME,Cidr\nlab,192.168.0.0/24\n")).status).toBe(200);
    const r = await importCsv(t, who, "addresses", "hostname,ip\nprinter,192.168.0.20\n");
    expect(r.body.created).toEqual({ addresses: 1 });
    const csv = await exportText(t, who, "addresses.csv");
    expect(csv).toBe("ip,vrf,hostname,status,owner,mac,description\r\n192.168.0.20,default,printer,assigned,,,\r\n");
  });
});

describe("importing beside existing data", () => {
  test("a new subnet takes its parent's records inside it, as POST /subnets does; a record on its boundary is a bad row", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const parent = await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.0.0.0/16" } });
    const record = await t.call("POST", `/api/v1/subnets/${parent.body.id}/addresses`, { headers: who.bearer, body: { ip: "10.0.1.5" } });
    await t.call("POST", `/api/v1/subnets/${parent.body.id}/addresses`, { headers: who.bearer, body: { ip: "10.0.2.0" } });
    const refused = await importCsv(t, who, "subnets", "cidr\n10.0.1.0/24\n10.0.2.0/24\n");
    expect(refused.body.details.rows).toEqual([{ row: 3, error: expect.stringContaining("10.0.2.0 would become the network") }]);
    const moved = await t.call("GET", `/api/v1/addresses/${record.body.id}`, { headers: who.bearer });
    expect(moved.body.subnet_id).toBe(parent.body.id);

    expect((await importCsv(t, who, "subnets", "cidr\n10.0.1.0/24\n")).status).toBe(200);
    const child = (await t.call("GET", "/api/v1/subnets?q=10.0.1.0/24", { headers: who.bearer })).body.items[0];
    expect(child.parent_id).toBe(parent.body.id);
    expect(child.utilization.used).toBe("1");
    expect((await t.call("GET", `/api/v1/addresses/${record.body.id}`, { headers: who.bearer })).body.subnet_id).toBe(child.id);
    // A container imported later adopts existing subnets.
    expect((await importCsv(t, who, "subnets", "cidr\n10.0.0.0/8\n")).status).toBe(200);
    const outer = (await t.call("GET", "/api/v1/subnets?q=10.0.0.0/8", { headers: who.bearer })).body.items[0];
    expect((await t.call("GET", `/api/v1/subnets/${parent.body.id}`, { headers: who.bearer })).body.parent_id).toBe(outer.id);
  });
});

describe("dry run", () => {
  test("reports what would happen and changes nothing", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const before = counts(t);
    const subnets = "cidr,section\n10.0.0.0/24,Lab\n10.0.0.0/25,Lab\n";
    // A flag given twice is refused, not read as its last value (this imported for real).
    const twice = await importCsv(t, who, "subnets", subnets, "?dry_run=true&dry_run=false");
    expect([twice.status, twice.body.code, twice.body.details]).toEqual([400, "invalid_request", { field: "dry_run" }]);
    expect(counts(t)).toEqual(before);
    const dry = await importCsv(t, who, "subnets", subnets, "?dry_run=true");
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dry_run: true, rows: 2, created: { subnets: 2, sections: 1 } });
    expect(counts(t)).toEqual(before);
    expect((await t.call("GET", "/api/v1/subnets", { headers: who.bearer })).body.total).toBe(0);

    expect((await importCsv(t, who, "subnets", subnets)).status).toBe(200);
    const afterSubnets = counts(t);
    const addresses = "ip\n10.0.0.200\n10.0.0.5\n";
    const dryAddresses = await importCsv(t, who, "addresses", addresses, "?dry_run=true");
    expect(dryAddresses.body).toEqual({ dry_run: true, rows: 2, created: { addresses: 2 } });
    expect(counts(t)).toEqual(afterSubnets);
    const list = await t.call("GET", "/api/v1/subnets?q=10.0.0.0/25", { headers: who.bearer });
    const free = await t.call("GET", `/api/v1/subnets/${list.body.items[0].id}/first-free`, { headers: who.bearer });
    expect(free.body).toEqual({ ip: "10.0.0.1" });
    // A dry run with bad rows answers the same 400 as the import would.
    const bad = await importCsv(t, who, "addresses", "ip\n10.0.9.9\n", "?dry_run=true");
    expect(bad.status).toBe(400);
    expect(bad.body.details.rows).toEqual([{ row: 2, error: expect.stringContaining("no subnet") }]);
  });
});

describe("rules around imports", () => {
  test("one activity entry per import, naming the actor, with counts", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    await importCsv(t, who, "subnets", "cidr,section\n10.0.0.0/24,A\n10.0.1.0/24,B\n");
    await importCsv(t, who, "addresses", "ip\n10.0.0.1\n10.0.0.2\n10.0.1.3\n");
    const log = await t.call("GET", "/api/v1/activity", { headers: who.bearer });
    // (Both may share one millisecond, so their order is not asserted.)
    expect(log.body.items.map((e: any) => e.action).sort()).toEqual(["address.import", "subnet.import"]);
    const addresses = log.body.items.find((e: any) => e.action === "address.import");
    const subnets = log.body.items.find((e: any) => e.action === "subnet.import");
    expect(addresses.changes).toEqual({ addresses_created: [0, 3] });
    expect(subnets.changes).toEqual({ subnets_created: [0, 2], sections_created: [0, 2] });
    expect(addresses.actor).toEqual({ type: "api_key", id: who.keyId, label: expect.stringContaining("Test key") });
    expect(JSON.stringify(log.body)).not.toContain(who.key);
  });

  test("plan limits apply to the whole file (402) and nothing is written", async () => {
    const t = testApp();
    const who = createTenant(t.database, { plan: "pro" }); // 500 subnets, 25 sections
    const before = counts(t);
    const lines = ["cidr"];
    for (let i = 0; i < 501; i++) lines.push(`10.${i >> 8}.${i & 255}.0/24`);
    const r = await importCsv(t, who, "subnets", lines.join("\n"));
    expect(r.status).toBe(402);
    expect(r.body.code).toBe("plan_limit");
    expect(counts(t)).toEqual(before);
    const sections = ["cidr,section"];
    for (let i = 0; i < 26; i++) sections.push(`10.200.${i}.0/24,S${i}`);
    expect((await importCsv(t, who, "subnets", sections.join("\n"))).status).toBe(402);
    expect(counts(t)).toEqual(before);
    expect((await importCsv(t, who, "subnets", lines.slice(0, 500).join("\n"))).status).toBe(200);
  });

  test("imports need write access; exports need only read; both need credentials", async () => {
    const t = testApp();
    const reader = createTenant(t.database, { scope: "read" });
    const viewer = createTenant(t.database, { role: "viewer" });
    for (const who of [reader, viewer]) {
      expect((await importCsv(t, who, "subnets", "cidr\n10.0.0.0/24\n")).status).toBe(403);
      expect((await t.call("GET", "/api/v1/export/subnets.csv", { headers: who.bearer })).status).toBe(200);
    }
    expect(counts(t).subnets).toBe(0);
    for (const path of ["/api/v1/export/subnets.csv", "/api/v1/export/addresses.csv", "/api/v1/export.json"]) {
      expect((await t.call("GET", path)).status).toBe(401);
    }
    expect((await t.call("POST", "/api/v1/import/subnets", { raw: "cidr\n10.0.0.0/24\n", headers: { "content-type": "text/csv" } })).status).toBe(401);
  });

  test("a cookie import needs the CSRF header like every other write", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const { "x-requested-with": _, ...noCsrf } = who.browser;
    const refused = await t.call("POST", "/api/v1/import/subnets", { raw: "cidr\n10.0.0.0/24\n", headers: { ...noCsrf, "content-type": "text/csv" } });
    expect(refused.status).toBe(403);
    const ok = await t.call("POST", "/api/v1/import/subnets", { raw: "cidr\n10.0.0.0/24\n", headers: { ...who.browser, "content-type": "text/csv" } });
    expect(ok.status).toBe(200);
  });

  test("the body must be CSV text", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const json = await t.call("POST", "/api/v1/import/subnets", { headers: who.bearer, body: { cidr: "10.0.0.0/24" } });
    expect(json.status).toBe(415);
    const plain = await t.call("POST", "/api/v1/import/subnets", { raw: "cidr\n10.0.0.0/24\n", headers: { ...who.bearer, "content-type": "text/plain" } });
    expect(plain.status).toBe(200);
    const binary = await t.app.handle(
      new Request("http://localhost/api/v1/import/subnets", {
        method: "POST",
        headers: { ...who.bearer, "content-type": "text/csv" },
        body: new Uint8Array([0x63, 0x69, 0x64, 0x72, 0x0a, 0xff, 0xfe]),
      }),
    );
    expect(binary.status).toBe(400);
  });

  test("imports take bodies beyond the 1 MB JSON limit; JSON routes keep it", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.0.0.0/16" } });
    const lines = ["ip,vrf,hostname,status,owner,mac,description"];
    for (let i = 1; i <= 30_000; i++) lines.push(`10.0.${i >> 8}.${i & 255},default,host-${i},assigned,platform-team,,rack 12 slot ${i}`);
    const csv = lines.join("\r\n");
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const r = await importCsv(t, who, "addresses", csv, "?dry_run=true");
    expect(r.status).toBe(200);
    expect(r.body.created).toEqual({ addresses: 30_000 });
    const big = await t.call("POST", "/api/v1/sections", {
      headers: { ...who.bearer, "content-type": "application/json" },
      raw: JSON.stringify({ name: "x", description: "y".repeat(1024 * 1024) }),
    });
    expect(big.status).toBe(413);
  });

  test("tenants stay apart: exports show only one's own data, imports place only into one's own subnets", async () => {
    const t = testApp();
    const a = createTenant(t.database);
    const b = createTenant(t.database);
    await importCsv(t, a, "subnets", "cidr,name\n10.0.0.0/24,alpha-secret-net\n");
    await importCsv(t, a, "addresses", "ip,hostname\n10.0.0.5,alpha-host\n");
    for (const path of ["subnets.csv", "addresses.csv"]) expect(await exportText(t, b, path)).not.toContain("alpha");
    const json = await t.call("GET", "/api/v1/export.json", { headers: b.bearer });
    expect(json.text).not.toContain("alpha");
    expect(json.body.subnets).toEqual([]);
    // b has no subnet containing 10.0.0.5: a's subnet is invisible to b's import.
    const r = await importCsv(t, b, "addresses", "ip\n10.0.0.6\n");
    expect(r.body.details.rows[0].error).toContain("no subnet");
    // And b may hold the very same subnet and address without touching a's.
    expect((await importCsv(t, b, "subnets", "cidr\n10.0.0.0/24\n")).status).toBe(200);
    expect((await importCsv(t, b, "addresses", "ip,hostname\n10.0.0.5,bravo-host\n")).status).toBe(200);
    expect(await exportText(t, a, "addresses.csv")).toContain("alpha-host");
    expect(await exportText(t, a, "addresses.csv")).not.toContain("bravo");
  });
});
