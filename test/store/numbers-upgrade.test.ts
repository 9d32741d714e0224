/**
 * Upgrading to integer ids (issue 14, `number`): a database made before number_counters existed
 * holds sections, subnets and addresses without numbers. After the migration each organization's
 * rows are numbered 1..n in creation order, per kind, and the next insert of each kind (by plain
 * SQL for sections, through the store's insert path for subnets and addresses) takes n+1.
 * On PostgreSQL the migration runs as a non-superuser owner under forced row-level security.
 */
import type { SQL, TransactionSQL } from "bun";
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { openDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase } from "../../src/db/migrate";
import { sqliteQueries } from "../../src/store/sqlite/store";
import { EMBEDDED_PG_MIGRATIONS, migratePostgres } from "../../src/store/pg/migrate";
import { pgAddresses } from "../../src/store/pg/addresses";
import { pgSubnets } from "../../src/store/pg/subnets";
import { freshPgDatabase, ownerConnection, usePgCluster } from "../helpers/pg";

usePgCluster();

const key = (octet: number, host = 0) => Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, octet, host]);
const at = (i: number) => `2026-01-02T03:04:${String(10 + i).padStart(2, "0")}.000Z`;
/** Rows per organization, inserted in an order unlike their creation times (numbers follow created_at). */
const ORGS = { o1: 3, o2: 2, o3: 0 } as const;

type Exec = (sql: string, params: unknown[]) => Promise<unknown> | unknown;

async function fill(org: string, n: number, run: Exec) {
  await run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES ($1, $2, 'unlimited', $3, $4)", [org, org, at(0), at(0)]);
  for (let i = n - 1; i >= 0; i--) {
    await run("INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)", [`${org}-sec${i}`, org, `S${i}`, `s${i}`, at(i), at(i)]);
    await run(
      "INSERT INTO subnets (id, org_id, section_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES ($1, $2, $3, 'default', 4, $4, 24, $5, $6, $7)",
      [`${org}-net${i}`, org, `${org}-sec${i}`, key(i), `10.0.${i}.0/24`, at(i), at(i)],
    );
    await run(
      "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES ($1, $2, $3, 'default', $4, $5, $6, $7)",
      [`${org}-adr${i}`, org, `${org}-net${i}`, `10.0.${i}.5`, key(i, 5), at(i), at(i)],
    );
  }
}

/** org → kind → [id, number] in id order. */
const EXPECTED_AFTER = [
  ["o1-adr0", 1], ["o1-adr1", 2], ["o1-adr2", 3], ["o1-adrX", 4],
  ["o2-adr0", 1], ["o2-adr1", 2], ["o2-adr9", 3],
  ["o3-adr0", 1],
];

describe("upgrade to integer ids (number)", () => {
  test("SQLite: existing rows numbered 1..n per organization in creation order; new rows continue", async () => {
    const d = openDatabase(":memory:", { migrate: false });
    const before = EMBEDDED_MIGRATIONS.findIndex((m) => m.sql.some((s) => s.includes("CREATE TABLE `number_counters`")));
    expect(before).toBeGreaterThan(0);
    migrateDatabase(d.sqlite, drizzle({ client: d.sqlite }), EMBEDDED_MIGRATIONS.slice(0, before));
    const run: Exec = (sql, params) => d.sqlite.run(sql.replace(/\$\d+/g, "?"), params as never);
    for (const [org, n] of Object.entries(ORGS)) await fill(org, n, run);
    migrateDatabase(d.sqlite, d.db);
    for (const table of ["sections", "subnets", "addresses"]) {
      const rows = d.sqlite.query(`SELECT org_id, number, created_at FROM ${table} ORDER BY org_id, created_at`).all() as { org_id: string; number: number }[];
      expect(rows.map((r) => [r.org_id, r.number])).toEqual([["o1", 1], ["o1", 2], ["o1", 3], ["o2", 1], ["o2", 2]]);
    }
    // The next inserts: a section by plain SQL (its trigger numbers it); subnets and addresses
    // through the store's insert path, which numbers them (store/sqlite/numbers.ts); per
    // organization and kind, after the upgrade's numbers.
    const q = sqliteQueries(d);
    const address = (id: string, subnetId: string) => ({
      id, subnetId, vrf: "default", ip: "10.0.0.9", ipKey: key(0, 9), hostname: "", status: "assigned", owner: "", mac: null, description: "", at: at(9),
    });
    await q.addresses.insertMany("o1", [address("o1-adrX", "o1-net0")]);
    await q.addresses.insertMany("o2", [address("o2-adr9", "o2-net0")]);
    run("INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES (?, ?, 'New', 'new', ?, ?)", ["o3-sec0", "o3", at(9), at(9)]);
    await q.subnets.insertMany("o3", [
      { id: "o3-net0", sectionId: null, parentId: null, vrf: "default", family: 4, networkKey: key(0), prefixLength: 24, cidr: "10.0.0.0/24", name: "", description: "", vlan: null, at: at(9) },
    ]);
    await q.addresses.insertMany("o3", [address("o3-adr0", "o3-net0")]);
    expect(d.sqlite.query("SELECT id, number FROM addresses ORDER BY id").values()).toEqual(EXPECTED_AFTER);
    expect(d.sqlite.query("SELECT number FROM sections WHERE id = 'o3-sec0'").get()).toEqual({ number: 1 });
    expect(d.sqlite.query("SELECT number FROM subnets WHERE id = 'o3-net0'").get()).toEqual({ number: 1 });
    // A row that arrives with its number (ipcraft copy) keeps it; numbers are unique per organization.
    expect(() =>
      run("INSERT INTO sections (id, org_id, name, name_key, number, created_at, updated_at) VALUES (?, ?, 'Dup', 'dup', 1, ?, ?)", ["o1-dup", "o1", at(9), at(9)]),
    ).toThrow(/UNIQUE/);
    d.close();
  });

  test("PostgreSQL, migrated by a non-superuser owner under forced row-level security: the same numbers", async () => {
    const db = await freshPgDatabase();
    const role = `numbers_owner_${process.pid}`;
    let owner: SQL | undefined;
    try {
      owner = await ownerConnection(db, role);
      const before = EMBEDDED_PG_MIGRATIONS.findIndex((m) => m.sql.some((s) => s.includes('CREATE TABLE "number_counters"')));
      expect(before).toBeGreaterThan(0);
      await migratePostgres(owner, EMBEDDED_PG_MIGRATIONS.slice(0, before));
      const inOrg = async (org: string, fn: (run: Exec, tx: TransactionSQL) => Promise<void>) =>
        owner!.begin(async (tx) => {
          await tx`SELECT set_config('app.org_id', ${org}, true)`;
          await fn((sql, params) => tx.unsafe(sql, params as never[]), tx);
        });
      for (const [org, n] of Object.entries(ORGS)) await inOrg(org, (run) => fill(org, n, run));
      await migratePostgres(owner);
      for (const table of ["sections", "subnets", "addresses"]) {
        const rows = await db.sql.unsafe(`SELECT org_id, number FROM ${table} ORDER BY org_id, created_at`);
        expect(rows.map((r: { org_id: string; number: number }) => [r.org_id, r.number])).toEqual([["o1", 1], ["o1", 2], ["o1", 3], ["o2", 1], ["o2", 2]]);
      }
      // The next inserts: a section by plain SQL (its trigger), subnets and addresses through the store's insert path.
      const address = (id: string, subnetId: string) => ({
        id, subnetId, vrf: "default", ip: "10.0.0.9", ipKey: key(0, 9), hostname: "", status: "assigned", owner: "", mac: null, description: "", at: at(9),
      });
      await inOrg("o1", async (_, tx) => void (await pgAddresses(tx).insertMany("o1", [address("o1-adrX", "o1-net0")])));
      await inOrg("o2", async (_, tx) => void (await pgAddresses(tx).insertMany("o2", [address("o2-adr9", "o2-net0")])));
      await inOrg("o3", async (run, tx) => {
        await run("INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES ('o3-sec0', 'o3', 'New', 'new', $1, $2)", [at(9), at(9)]);
        await pgSubnets(tx).insertMany("o3", [
          { id: "o3-net0", sectionId: null, parentId: null, vrf: "default", family: 4, networkKey: key(0), prefixLength: 24, cidr: "10.0.0.0/24", name: "", description: "", vlan: null, at: at(9) },
        ]);
        await pgAddresses(tx).insertMany("o3", [address("o3-adr0", "o3-net0")]);
      });
      const rows = await db.sql`SELECT id, number FROM addresses ORDER BY id COLLATE "C"`;
      expect(rows.map((r: { id: string; number: number }) => [r.id, r.number])).toEqual(EXPECTED_AFTER);
      const [forced] = await db.sql`SELECT bool_and(relforcerowsecurity) AS all_forced FROM pg_class WHERE relname IN ('sections', 'subnets', 'addresses', 'number_counters') AND relkind = 'r'`;
      expect(forced.all_forced).toBe(true);
      // The counter table is a tenant table: another organization's counters are invisible.
      const seen = await owner.begin(async (tx) => {
        await tx`SELECT set_config('app.org_id', 'o1', true)`;
        return tx`SELECT DISTINCT org_id FROM number_counters`;
      });
      expect(seen.map((r: { org_id: string }) => r.org_id)).toEqual(["o1"]);
    } finally {
      await owner?.close();
      await db.drop();
    }
  }, 60_000);
});
