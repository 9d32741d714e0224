/**
 * Imports place subnets and addresses exactly as the API does (issue 11, items 1 and 2):
 * the same moves of a parent's records into a new child, the same network/broadcast refusal,
 * the same refusal of IPv4-mapped IPv6 space; and after any import `ipcraft check` is clean.
 */
import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { ipKey } from "../../src/ip";
import { checkDatabase } from "../../src/ops/check";
import { testApp, type TestApp } from "../helpers/app";
import { createTenant, type Tenant } from "../helpers/tenant";
import { counts, importCsv } from "./helpers";

function client(t: TestApp, who: Tenant) {
  return {
    get: (path: string) => t.call("GET", `/api/v1${path}`, { headers: who.bearer }),
    post: (path: string, body: unknown = {}) => t.call("POST", `/api/v1${path}`, { headers: who.bearer, body }),
    del: (path: string) => t.call("DELETE", `/api/v1${path}`, { headers: who.bearer }),
  };
}

async function subnetByCidr(api: ReturnType<typeof client>, cidr: string, vrf = "default") {
  const items = (await api.get(`/subnets?q=${encodeURIComponent(cidr)}&vrf=${vrf}`)).body.items as any[];
  const found = items.find((s) => s.cidr === cidr);
  if (!found) throw new Error(`no subnet ${cidr}`);
  return found;
}

function problems(t: TestApp): string[] {
  return checkDatabase(t.database.sqlite).problems.map((p) => `${p.kind}: ${p.message}`);
}

describe("nested subnets created by the same import file", () => {
  // A row whose parent was created earlier in the same file skipped the move of the records
  // it covers: 10.1.2.3 stayed outside the new /24, first-free on the /24 offered an address
  // every allocation refused, deleting the /16 was a 500, importing 10.1.2.3 a raw SQLite 500.
  test("records of an existing grandparent end in the most specific new subnet, and everything works on them", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const api = client(t, who);
    const root = (await api.post("/subnets", { cidr: "10.0.0.0/8" })).body;
    const record = (await api.post(`/subnets/${root.id}/addresses`, { ip: "10.1.2.3", hostname: "db-1" })).body;

    const imported = await importCsv(t, who, "subnets", "cidr\n10.1.0.0/16\n10.1.2.0/24\n");
    expect(imported.status).toBe(200);
    expect(problems(t)).toEqual([]);
    const mid = await subnetByCidr(api, "10.1.0.0/16");
    const leaf = await subnetByCidr(api, "10.1.2.0/24");
    expect((await api.get(`/addresses/${record.id}`)).body.subnet_id).toBe(leaf.id);
    expect(leaf.utilization.used).toBe("1");
    expect(mid.utilization).toMatchObject({ used: "1", in_children: "256" }); // the record lies in the child /24

    // first-free and allocation agree, and step over the imported record.
    expect((await api.get(`/subnets/${leaf.id}/first-free`)).body).toEqual({ ip: "10.1.2.1" });
    const got = await api.post(`/subnets/${leaf.id}/addresses`, { count: 3 });
    expect(got.status).toBe(201);
    expect(got.body.items.map((a: any) => a.ip)).toEqual(["10.1.2.1", "10.1.2.2", "10.1.2.4"]);
    expect((await api.post(`/subnets/${leaf.id}/addresses`, { ip: "10.1.2.3" })).status).toBe(409);

    // Importing the same address again is a bad row, not a 500.
    const again = await importCsv(t, who, "addresses", "ip\n10.1.2.3\n");
    expect(again.status).toBe(400);
    expect(again.body.details.rows).toEqual([{ row: 2, error: "10.1.2.3 is already in use by db-1" }]);

    // After a restart (memory rebuilt from the rows) the answers are the same.
    const restarted = createApp({ database: t.database, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    const free = await restarted.handle(new Request(`http://localhost/api/v1/subnets/${leaf.id}/first-free`, { headers: who.bearer }));
    expect(await free.json()).toEqual({ ip: "10.1.2.5" });

    // Deleting the /16 moves the /24 up to the /8; the record stays in the /24.
    expect((await api.del(`/subnets/${mid.id}?force=true`)).status).toBe(204);
    expect((await api.get(`/subnets/${leaf.id}`)).body.parent_id).toBe(root.id);
    expect((await api.get(`/addresses/${record.id}`)).body.subnet_id).toBe(leaf.id);
    expect(problems(t)).toEqual([]);
  });

  test("a record that would become the network or broadcast address of a nested row is a bad row", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const api = client(t, who);
    const root = (await api.post("/subnets", { cidr: "10.0.0.0/8" })).body;
    await api.post(`/subnets/${root.id}/addresses`, { ip: "10.1.2.255" });
    const before = counts(t);
    const refused = await importCsv(t, who, "subnets", "cidr\n10.1.0.0/16\n10.1.2.0/24\n");
    expect(refused.status).toBe(400);
    expect(refused.body.details.rows).toEqual([
      { row: 3, error: expect.stringContaining("10.1.2.255 would become the network or broadcast address of 10.1.2.0/24") },
    ]);
    expect(counts(t)).toEqual(before);
    expect(problems(t)).toEqual([]);
    // Memory was rolled back with the rows: the /8 still answers for the address.
    expect((await api.get(`/subnets?contains=10.1.2.255`)).body.items.map((s: any) => s.cidr)).toEqual(["10.0.0.0/8"]);
  });

  test("a file whose rows nest three deep around existing records and subnets leaves check clean (dry run too)", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const api = client(t, who);
    const root = (await api.post("/subnets", { cidr: "10.0.0.0/8" })).body;
    for (const ip of ["10.1.2.3", "10.1.2.200", "10.1.9.9", "10.2.0.1"]) await api.post(`/subnets/${root.id}/addresses`, { ip });
    const existing = (await api.post("/subnets", { cidr: "10.1.3.0/24" })).body; // adopted by the /16 below
    await api.post(`/subnets/${existing.id}/addresses`, { ip: "10.1.3.7" });
    // Rows out of order on purpose: the import sorts containers first.
    const file = "cidr\n10.1.2.128/25\n10.1.2.0/24\n10.1.0.0/16\n";
    const dry = await importCsv(t, who, "subnets", file, "?dry_run=true");
    expect(dry.body).toEqual({ dry_run: true, rows: 3, created: { subnets: 3, sections: 0 } });
    expect(problems(t)).toEqual([]);
    expect((await importCsv(t, who, "subnets", file)).status).toBe(200);
    expect(problems(t)).toEqual([]);
    const where = t.database.sqlite
      .query("SELECT a.ip, s.cidr FROM addresses a JOIN subnets s ON s.id = a.subnet_id ORDER BY a.ip_key")
      .all();
    expect(where).toEqual([
      { ip: "10.1.2.3", cidr: "10.1.2.0/24" },
      { ip: "10.1.2.200", cidr: "10.1.2.128/25" },
      { ip: "10.1.3.7", cidr: "10.1.3.0/24" },
      { ip: "10.1.9.9", cidr: "10.1.0.0/16" },
      { ip: "10.2.0.1", cidr: "10.0.0.0/8" },
    ]);
    expect((await subnetByCidr(api, "10.1.3.0/24")).parent_id).toBe((await subnetByCidr(api, "10.1.0.0/16")).id);
  });
});

describe("an address file over nested imported subnets", () => {
  test("each address lands in its most specific subnet; boundaries of inner subnets are bad rows; check stays clean", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const api = client(t, who);
    expect((await api.post("/vrfs", { name: "blue" })).status).toBe(201);
    const subnets = "cidr,vrf\n10.0.0.0/8,\n10.1.0.0/16,\n10.1.2.0/24,\n10.1.2.128/25,\n10.1.0.0/16,blue\n2001:db8::/32,\n2001:db8:1::/48,\n";
    expect((await importCsv(t, who, "subnets", subnets)).status).toBe(200);
    const bad = await importCsv(t, who, "addresses", "ip\n10.1.2.5\n10.1.2.128\n10.1.2.127\n");
    expect(bad.body.details.rows).toEqual([{ row: 3, error: "10.1.2.128 is the network address of 10.1.2.128/25 and cannot be recorded" }]);

    const file = "ip,vrf\n10.0.0.5,\n10.1.0.5,\n10.1.2.5,\n10.1.2.127,\n10.1.2.130,\n10.1.2.5,blue\n2001:db8::5,\n2001:db8:1::5,\n";
    expect((await importCsv(t, who, "addresses", file)).status).toBe(200);
    const where = t.database.sqlite
      .query("SELECT a.ip, a.vrf, s.cidr FROM addresses a JOIN subnets s ON s.id = a.subnet_id ORDER BY a.vrf, a.ip_key")
      .all();
    expect(where).toEqual([
      { ip: "10.1.2.5", vrf: "blue", cidr: "10.1.0.0/16" },
      { ip: "10.0.0.5", vrf: "default", cidr: "10.0.0.0/8" },
      { ip: "10.1.0.5", vrf: "default", cidr: "10.1.0.0/16" },
      { ip: "10.1.2.5", vrf: "default", cidr: "10.1.2.0/24" },
      { ip: "10.1.2.127", vrf: "default", cidr: "10.1.2.0/24" },
      { ip: "10.1.2.130", vrf: "default", cidr: "10.1.2.128/25" },
      { ip: "2001:db8::5", vrf: "default", cidr: "2001:db8::/32" },
      { ip: "2001:db8:1::5", vrf: "default", cidr: "2001:db8:1::/48" },
    ]);
    expect(problems(t)).toEqual([]);
    const inner = await subnetByCidr(api, "10.1.2.128/25");
    expect((await api.get(`/subnets/${inner.id}/first-free`)).body).toEqual({ ip: "10.1.2.129" });
    expect((await api.post(`/subnets/${inner.id}/addresses`, { count: 2 })).body.items.map((a: any) => a.ip)).toEqual(["10.1.2.129", "10.1.2.131"]);
  });

  // When memory and rows disagree anyway, the UNIQUE index answered the import with a raw
  // SQLite 500; like the address routes, it is a bad row now.
  test("an address the table holds but memory does not know is a bad row, not a 500", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const net = (await client(t, who).post("/subnets", { cidr: "10.5.0.0/24" })).body;
    const at = new Date().toISOString();
    // Same connection: the registry is not told (no data_version change), as after a bug.
    t.database.sqlite.run(
      `INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, description, created_at, updated_at)
       VALUES ('behind-memory', ?, ?, 'default', '10.5.0.7', ?, '', 'assigned', '', '', ?, ?)`,
      [who.orgId, net.id, ipKey({ family: 4, value: 0x0a050007n }), at, at],
    );
    const r = await importCsv(t, who, "addresses", "ip\n10.5.0.6\n10.5.0.7\n");
    expect(r.status).toBe(400);
    expect(r.body.details.rows).toEqual([{ row: 3, error: "10.5.0.7 is already in use" }]);
    expect(counts(t).addresses).toBe(1);
  });
});

describe("IPv4-mapped IPv6 space", () => {
  // The API refuses ::ffff:0:0/96 (it shares storage keys with IPv4), imports did not: an
  // imported ::ffff:10.9.0.5 then blocked allocation of the IPv4 address 10.9.0.5.
  test("an import refuses a mapped subnet and a mapped address as bad rows, as the API does", async () => {
    const t = testApp();
    const who = createTenant(t.database);
    const api = client(t, who);
    const viaApi = await api.post("/subnets", { cidr: "::ffff:10.9.0.0/120" });
    expect(viaApi.status).toBe(400);
    const subnets = await importCsv(t, who, "subnets", "cidr\n::ffff:10.9.0.0/120\n::ffff:0:0/96\n::/64\n");
    expect(subnets.status).toBe(400);
    expect(subnets.body.details.rows).toEqual([
      { row: 2, error: `column "cidr": ${viaApi.body.error.replace('field "cidr": ', "")}` },
      { row: 3, error: expect.stringContaining("::ffff:0.0.0.0/96 is IPv4-mapped IPv6 space") },
    ]);
    expect(counts(t).subnets).toBe(0);

    const wide = (await api.post("/subnets", { cidr: "::/64" })).body; // contains ::ffff:0:0/96
    const v4 = (await api.post("/subnets", { cidr: "10.9.0.0/24" })).body;
    const viaApiIp = await api.post(`/subnets/${wide.id}/addresses`, { ip: "::ffff:10.9.0.5" });
    expect(viaApiIp.status).toBe(400);
    const addresses = await importCsv(t, who, "addresses", "ip\n::ffff:10.9.0.5\n::ffff:10.9.0.6\n::5\n");
    expect(addresses.status).toBe(400);
    expect(addresses.body.details.rows).toEqual([
      { row: 2, error: `column "ip": ${viaApiIp.body.error}` },
      { row: 3, error: expect.stringContaining("::ffff:10.9.0.6 is an IPv4-mapped IPv6 address") },
    ]);
    // The IPv4 address stays free for the IPv4 subnet.
    expect((await api.post(`/subnets/${v4.id}/addresses`, { count: 5 })).status).toBe(201);
    expect((await importCsv(t, who, "addresses", "ip\n::5\n")).status).toBe(200);
    expect(problems(t)).toEqual([]);
  });
});

describe("oracle: an import equals POST /subnets row by row", () => {
  // Random files over random existing records and subnets, in two organizations of one
  // database: one imports the file, the other POSTs its rows one by one in nesting order. The
  // same rows must be refused, and otherwise every subnet and record ends in the same place.
  test("24 random files: same refusals, same tree, same record placement, check clean", async () => {
    const { Prng } = await import("../ip/prng");
    const outcomes = { accepted: 0, refused: 0 };
    for (let seed = 1; seed <= 24; seed++) {
      const rng = new Prng(seed);
      const t = testApp();
      const importer = createTenant(t.database);
      const poster = createTenant(t.database);
      const v4 = (offset: number) => `10.0.${offset >> 8}.${offset & 255}`;
      const randomCidr = (min: number, max: number) => {
        const length = min + rng.int(max - min + 1);
        const size = 2 ** (32 - length);
        return `${v4(rng.int(4096 / size) * size)}/${length}`; // inside 10.0.0.0/20
      };
      const records = Array.from({ length: 30 }, () => v4(rng.int(4096)));
      const existing = Array.from({ length: 3 }, () => randomCidr(21, 27));
      const file = Array.from({ length: 8 }, () => randomCidr(18, 29));
      for (const who of [importer, poster]) {
        const api = client(t, who);
        const root = (await api.post("/subnets", { cidr: "10.0.0.0/8" })).body;
        for (const ip of records) await api.post(`/subnets/${root.id}/addresses`, { ip });
        for (const cidr of existing) await api.post("/subnets", { cidr });
      }

      const order = file.map((cidr, i) => ({ cidr, row: i + 2 })).sort((a, b) => compareCidr(a.cidr, b.cidr));
      const refusedByApi: number[] = [];
      for (const { cidr, row } of order) {
        if ((await client(t, poster).post("/subnets", { cidr })).status !== 201) refusedByApi.push(row);
      }
      const before = snapshot(t, importer);
      const imported = await importCsv(t, importer, "subnets", `cidr\n${file.join("\n")}\n`);
      const context = `seed ${seed}: file ${file.join(" ")}`;
      if (refusedByApi.length > 0) {
        expect(imported.status, context).toBe(400);
        expect(imported.body.details.rows.map((r: any) => r.row).sort(), context).toEqual(refusedByApi.sort());
        expect(snapshot(t, importer), context).toEqual(before);
        outcomes.refused++;
      } else {
        expect(imported.status, context).toBe(200);
        expect(snapshot(t, importer), context).toEqual(snapshot(t, poster));
        outcomes.accepted++;
      }
      expect(problems(t), context).toEqual([]);
    }
    // Both branches must be exercised, or the test proves little.
    expect(outcomes.accepted).toBeGreaterThanOrEqual(4);
    expect(outcomes.refused).toBeGreaterThanOrEqual(4);
  });
});

function compareCidr(a: string, b: string): number {
  const [ip1, l1] = a.split("/");
  const [ip2, l2] = b.split("/");
  const n = (ip: string) => ip.split(".").reduce((v, part) => v * 256 + Number(part), 0);
  return n(ip1!) - n(ip2!) || Number(l1) - Number(l2);
}

/** Where everything of one organization is: each subnet with its parent, each record with its subnet. */
function snapshot(t: TestApp, who: Tenant) {
  const subnets = t.database.sqlite
    .query("SELECT s.cidr, p.cidr AS parent FROM subnets s LEFT JOIN subnets p ON p.id = s.parent_id WHERE s.org_id = ? ORDER BY s.network_key, s.prefix_length")
    .all(who.orgId);
  const addresses = t.database.sqlite
    .query("SELECT a.ip, s.cidr FROM addresses a JOIN subnets s ON s.id = a.subnet_id WHERE a.org_id = ? ORDER BY a.ip_key")
    .all(who.orgId);
  return { subnets, addresses };
}
