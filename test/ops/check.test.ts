/**
 * `ipcraft check`: a database built through the API passes; each kind of damage, made by raw
 * SQL the way a bad restore, a manual edit or a bug would leave it, is reported by kind and
 * names the row. The CLI exits 1 with one line per problem (capped) and a total.
 */
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { closeSync, openSync, writeSync } from "node:fs";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { ipKey } from "../../src/ip";
import { createMemoryLogger } from "../../src/logger";
import { checkDatabase, countUsed, type ProblemKind } from "../../src/ops/check";
import { ipamFixture } from "../ipam/fixture";
import { runCliCaptured } from "../helpers/cli";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

/** A tenant's realistic data: a section, nesting in two VRFs and both families, a split, addresses, a gateway. */
async function seeded() {
  const f = ipamFixture();
  const section = (await f.api.post("/sections", { name: "Lab" })).body;
  const root = await f.subnet("10.0.0.0/16", { section_id: section.id });
  const child = await f.subnet("10.0.1.0/24", { gateway: "10.0.1.1" });
  const split = await f.subnet("10.0.2.0/24");
  const parts = (await f.api.post(`/subnets/${split.id}/split`, { parts: 4 })).body.items;
  await f.api.post(`/subnets/${child.id}/addresses`, { count: 10 });
  await f.api.post(`/subnets/${root.id}/addresses`, { count: 5 });
  await f.api.post(`/subnets/${parts[1].id}/addresses`, { count: 3 });
  const v6 = await f.subnet("2001:db8::/48");
  const v6child = await f.subnet("2001:db8:0:1::/64");
  await f.api.post(`/subnets/${v6child.id}/addresses`, { count: 4 });
  const other = await f.subnet("10.0.0.0/16", { vrf: "lab" });
  await f.address(other.id, { ip: "10.0.1.7" });
  // IPv4-mapped space (::ffff:0:0/96) would share keys with IPv4; the API refuses it.
  expect((await f.api.post("/subnets", { cidr: "::ffff:0:0/96" })).status).toBe(400);
  const second = f.createTenant();
  const foreign = (await f.as(second).post("/subnets", { cidr: "10.0.0.0/16" })).body;
  await f.as(second).post(`/subnets/${foreign.id}/addresses`, { count: 2 });
  const addressIn = async (subnetId: string) => (await f.api.get(`/subnets/${subnetId}/addresses?limit=1`)).body.items[0];
  return { ...f, section, root, child, split, parts, v6, v6child, other, second, foreign, addressIn };
}

function kinds(sqlite: Database): ProblemKind[] {
  return [...new Set(checkDatabase(sqlite).problems.map((p) => p.kind))].sort();
}

function messages(sqlite: Database): string {
  return checkDatabase(sqlite).problems.map((p) => `${p.kind}: ${p.message}`).join("\n");
}

describe("ipcraft check", () => {
  test("a database built through the API passes, with its counts", async () => {
    const f = await seeded();
    const report = checkDatabase(f.database.sqlite);
    expect(report.problems).toEqual([]);
    const rows = (sql: string) => (f.database.sqlite.query(sql).get() as { n: number }).n;
    expect(report.counts).toEqual({
      organizations: 2,
      subnets: rows("SELECT COUNT(*) AS n FROM subnets"),
      addresses: rows("SELECT COUNT(*) AS n FROM addresses"),
    });
    expect(report.counts.subnets).toBeGreaterThanOrEqual(11);
    expect(report.counts.addresses).toBeGreaterThanOrEqual(26);
  });

  test("a wrong parent is reported, naming the right one", async () => {
    const f = await seeded();
    f.database.sqlite.run("UPDATE subnets SET parent_id = NULL WHERE id = ?", [f.child.id]);
    f.database.sqlite.run("UPDATE subnets SET parent_id = ? WHERE id = ?", [f.root.id, f.parts[0].id]);
    expect(kinds(f.database.sqlite)).toEqual(["hierarchy"]);
    const text = messages(f.database.sqlite);
    expect(text).toContain(`subnet ${f.child.id} (10.0.1.0/24): parent_id is null, but its smallest container is ${f.root.id} (10.0.0.0/16)`);
    expect(text).toContain(`(10.0.2.0/26): parent_id is ${f.root.id}, but its smallest container is ${f.split.id} (10.0.2.0/24)`);
  });

  test("a parent across organizations or VRFs is wrong too", async () => {
    const f = await seeded();
    f.database.sqlite.run("UPDATE subnets SET parent_id = ? WHERE id = ?", [f.foreign.id, f.child.id]);
    f.database.sqlite.run("UPDATE subnets SET parent_id = ? WHERE id = ?", [f.other.id, f.v6child.id]);
    expect(checkDatabase(f.database.sqlite).problems.filter((p) => p.kind === "hierarchy")).toHaveLength(2);
  });

  test("an address left in a parent although a child contains it", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    f.database.sqlite.run("UPDATE addresses SET subnet_id = ? WHERE id = ?", [f.root.id, a.id]);
    expect(kinds(f.database.sqlite)).toEqual(["address"]);
    expect(messages(f.database.sqlite)).toContain(`address ${a.id} (${a.ip}): stored in 10.0.0.0/16, but its most specific subnet is 10.0.1.0/24`);
  });

  test("an address on a network or broadcast address is unusable, and the server could not boot on it", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    f.database.sqlite.run("UPDATE addresses SET ip = '10.0.1.255', ip_key = ? WHERE id = ?", [ipKey({ family: 4, value: 0x0a0001ffn }), a.id]);
    expect(kinds(f.database.sqlite)).toEqual(["address", "utilization"]);
    const text = messages(f.database.sqlite);
    expect(text).toContain("10.0.1.255 is the network or broadcast address of 10.0.1.0/24, not usable");
    expect(text).toContain("the server cannot rebuild its allocators");
  });

  test("an address outside its subnet, or whose key is not of its family", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    const b = await f.addressIn(f.v6child.id);
    f.database.sqlite.run("UPDATE addresses SET ip = '10.0.7.9', ip_key = ? WHERE id = ?", [ipKey({ family: 4, value: 0x0a000709n }), a.id]);
    f.database.sqlite.run("UPDATE addresses SET ip_key = ? WHERE id = ?", [ipKey({ family: 4, value: 1n }), b.id]);
    const text = messages(f.database.sqlite);
    expect(text).toContain(`address ${a.id} (10.0.7.9): 10.0.7.9 lies outside its subnet 10.0.1.0/24`);
    expect(text).toContain(`address ${b.id} (${b.ip}): stored ip text is not the canonical ::ffff:0.0.0.1`);
  });

  test("stored ip text that is not the canonical form of its key", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    const b = await f.addressIn(f.v6child.id);
    f.database.sqlite.run("UPDATE addresses SET ip = ? WHERE id = ?", [a.ip.replace(/\.(\d+)$/, ".0$1"), a.id]);
    f.database.sqlite.run("UPDATE addresses SET ip = upper(replace(ip, '::', ':0:')) WHERE id = ?", [b.id]);
    expect(kinds(f.database.sqlite)).toEqual(["address"]);
    const text = messages(f.database.sqlite);
    expect(text).toContain(`stored ip text is not the canonical ${a.ip} of its key`);
    expect(text).toContain(`stored ip text is not the canonical ${b.ip} of its key`);
  });

  test("an address of another organization or VRF than its subnet", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    const b = await f.addressIn(f.parts[1].id);
    // Its number moves out of the way too: numbers are unique per organization (the damage is the org).
    f.database.sqlite.run("UPDATE addresses SET org_id = ?, number = NULL WHERE id = ?", [f.second.orgId, a.id]);
    f.database.sqlite.run("UPDATE addresses SET vrf = 'elsewhere' WHERE id = ?", [b.id]);
    const text = messages(f.database.sqlite);
    expect(text).toContain(`address ${a.id} (${a.ip}): belongs to another organization than its subnet 10.0.1.0/24`);
    expect(text).toContain(`address ${b.id} (${b.ip}): VRF "elsewhere" differs from its subnet's "default"`);
  });

  test("a duplicate address (once the UNIQUE index is gone) and a duplicate subnet", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    const { sqlite } = f.database;
    sqlite.run("DROP INDEX addresses_org_vrf_ip_unique");
    sqlite.run(
      `INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, description, created_at, updated_at)
       SELECT 'twin-address', org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, description, created_at, updated_at FROM addresses WHERE id = ?`,
      [a.id],
    );
    sqlite.run("DROP INDEX subnets_org_vrf_net_unique");
    sqlite.run(
      `INSERT INTO subnets (id, org_id, parent_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at)
       SELECT 'twin-subnet', org_id, parent_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at FROM subnets WHERE id = ?`,
      [f.v6.id],
    );
    expect(kinds(sqlite)).toContain("duplicate");
    const text = messages(sqlite);
    expect(text).toContain(`address twin-address (${a.ip}): ${a.ip} is recorded twice in VRF "default"`);
    expect(text).toMatch(/subnet (twin-subnet|\S+) \(2001:db8::\/48\): duplicates subnet/);
  });

  test("a subnet whose stored cidr text or key is not canonical", async () => {
    const f = await seeded();
    f.database.sqlite.run("UPDATE subnets SET cidr = '10.0.01.0/24' WHERE id = ?", [f.child.id]);
    f.database.sqlite.run("UPDATE subnets SET network_key = ? WHERE id = ?", [ipKey({ family: 6, value: (0x20010db8n << 96n) | 5n }), f.v6.id]);
    const text = messages(f.database.sqlite);
    expect(text).toContain(`subnet ${f.child.id} (10.0.01.0/24): stored cidr text is not the canonical 10.0.1.0/24`);
    expect(text).toContain(`subnet ${f.v6.id} (2001:db8::/48): network_key has host bits set (should be 2001:db8::/48)`);
  });

  // Imports used to let IPv4-mapped IPv6 space in (the API refuses it); such rows, already in
  // a database, share keys with IPv4 and block the IPv4 addresses they map.
  test("an IPv4-mapped subnet and an IPv4-mapped address, as an old import left them", async () => {
    const f = await seeded();
    const wide = await f.subnet("::/64"); // contains ::ffff:0:0/96, which the API allows
    const { sqlite } = f.database;
    const at = new Date().toISOString();
    sqlite.run(
      `INSERT INTO subnets (id, org_id, parent_id, vrf, family, network_key, prefix_length, cidr, number, created_at, updated_at)
       VALUES ('mapped-subnet', ?, ?, 'default', 6, ?, 120, '::ffff:10.9.0.0/120', 900, ?, ?)`,
      [f.tenant.orgId, wide.id, ipKey({ family: 6, value: 0xffff_0a09_0000n }), at, at],
    );
    sqlite.run(
      `INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, description, number, created_at, updated_at)
       VALUES ('mapped-address', ?, 'mapped-subnet', 'default', '::ffff:10.9.0.5', ?, '', 'assigned', '', '', 900, ?, ?)`,
      [f.tenant.orgId, ipKey({ family: 6, value: 0xffff_0a09_0005n }), at, at],
    );
    // Numbered as the upgrade numbered old rows, so that only the mapped space is a finding.
    for (const kind of ["subnet", "address"]) sqlite.run("INSERT OR REPLACE INTO number_counters (org_id, kind, next) VALUES (?, ?, 901)", [f.tenant.orgId, kind]);
    expect(kinds(sqlite)).toEqual(["address", "subnet"]);
    const text = messages(sqlite);
    expect(text).toContain("subnet mapped-subnet (::ffff:10.9.0.0/120): ::ffff:10.9.0.0/120 is IPv4-mapped IPv6 space (::ffff:0:0/96)");
    expect(text).toContain("address mapped-address (::ffff:10.9.0.5): ::ffff:10.9.0.5 is an IPv4-mapped IPv6 address");
  });

  test("foreign keys: an address whose subnet is gone, a subnet filed in another organization's section", async () => {
    const f = await seeded();
    const a = await f.addressIn(f.child.id);
    const { sqlite } = f.database;
    sqlite.run("PRAGMA foreign_keys = OFF");
    sqlite.run("UPDATE addresses SET subnet_id = 'no-such-subnet' WHERE id = ?", [a.id]);
    const foreignSection = (await f.as(f.second).post("/sections", { name: "Theirs" })).body;
    sqlite.run("UPDATE subnets SET section_id = ? WHERE id = ?", [foreignSection.id, f.child.id]);
    const text = messages(sqlite);
    expect(text).toContain(`foreign_key: addresses ${a.id} refers to a missing row of subnets`);
    expect(text).toContain(`address: address ${a.id} (${a.ip}): its subnet no-such-subnet is missing`);
    expect(text).toContain(`subnet ${f.child.id} (10.0.1.0/24): filed in section ${foreignSection.id} of another organization`);
  });

  test("plain utilization counting: records once, children clipped to the usable range", () => {
    const p = { family: 4 as const, network: 0x0a000000n, length: 24 };
    const child = { family: 4 as const, network: 0x0a000080n, length: 25 }; // .128/25: 127 usable in the parent (.255 is not)
    expect(countUsed(p, [], [])).toBe(0n);
    expect(countUsed(p, [0x0a000001n, 0x0a000002n], [child])).toBe(2n + 127n);
    expect(countUsed(p, [0x0a000081n, 0x0a000005n], [child])).toBe(1n + 127n); // .129 lies inside the child
    const first = { family: 4 as const, network: 0x0a000000n, length: 26 };
    expect(countUsed(p, [0x0a000050n], [child, first])).toBe(1n + 127n + 63n);
  });
});

describe("the CLI: ipcraft check --db", () => {
  /** A file database with one tenant's subnets, made through the app. */
  async function fileDatabase() {
    const path = `${tempDir("check")}/ipcraft.db`;
    const database = openDatabase(path);
    const tenant = createTenant(database);
    const app = createApp({ database, config: defaultServerConfig(), logger: createMemoryLogger() });
    const post = async (url: string, body: unknown) =>
      (await app.handle(new Request(`http://localhost/api/v1${url}`, { method: "POST", headers: { ...tenant.bearer, "content-type": "application/json" }, body: JSON.stringify(body) }))).json() as Promise<any>;
    const subnets = [];
    for (let i = 0; i < 60; i++) subnets.push(await post("/subnets", { cidr: `10.${i}.0.0/24` }));
    for (const s of subnets) await post(`/subnets/${s.id}/addresses`, { count: 2 });
    return { path, database, subnets };
  }

  const cli = runCliCaptured;

  test("ok beside an open writer; then one line per problem, capped, with a total, exit 1", async () => {
    const { path, database, subnets } = await fileDatabase();
    // The writer connection stays open, as a running server's would.
    const ok = await cli(["check", "--db", path]);
    expect(ok.code).toBe(0);
    expect(ok.out.join("\n")).toMatch(/^ipcraft check: ok: 1 organization, 60 subnets, 120 addresses/);

    database.sqlite.run("UPDATE addresses SET ip = ip || ' '");
    const bad = await cli(["check", "--db", path, "--max-problems", "5"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toHaveLength(7);
    expect(bad.out[0]).toMatch(/^address: address \S+ \(10\.\d+\.0\.\d \): stored ip text is not the canonical 10\.\d+\.0\.\d of its key$/);
    expect(bad.out[5]).toBe("... and 115 more");
    expect(bad.out[6]).toBe("120 problems found (1 organization, 60 subnets, 120 addresses)");
    expect(subnets).toHaveLength(60);
    database.close();
  });

  test("SQLite-level damage in the file is reported, not a crash", async () => {
    const { path, database } = await fileDatabase();
    const { rootpage } = database.sqlite.query("SELECT rootpage FROM sqlite_master WHERE name = 'addresses_subnet_ip_idx'").get() as { rootpage: number };
    const { page_size } = database.sqlite.query("PRAGMA page_size").get() as { page_size: number };
    database.close(); // checkpoints: the index page is in the main file now
    // Flip the rowid of the first index entry (the last byte of its page): an index that lies.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from([0x7f]), 0, 1, rootpage * page_size - 1);
    closeSync(fd);
    const r = await cli(["check", "--db", path]);
    expect(r.code, r.err.join("\n")).toBe(1);
    expect(r.out.join("\n") + r.err.join("\n")).toMatch(/^sqlite: SQLite integrity: .*addresses_subnet_ip_idx/m);
  });

  test("a missing file or a non-ipcraft file: exit 1 with a sentence", async () => {
    const dir = tempDir("check");
    const missing = await cli(["check", "--db", `${dir}/nope.db`]);
    expect(missing.code).toBe(1);
    expect(missing.err.join("\n")).toContain(`no database at ${dir}/nope.db`);
    const other = new Database(`${dir}/other.db`, { create: true });
    other.run("CREATE TABLE notes (t TEXT)");
    other.close();
    const notOurs = await cli(["check", "--db", `${dir}/other.db`]);
    expect(notOurs.code).toBe(1);
    expect(notOurs.err.join("\n")).toContain("is not an ipcraft database");
  });
});
