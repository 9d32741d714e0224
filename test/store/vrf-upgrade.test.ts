/**
 * Upgrading to VRF objects (issue 15): a database made before `vrfs` existed holds subnets that
 * name VRFs as bare text, typos included ("Blue" beside "blue"). After the migration every
 * organization has `default` plus one VRF per distinct name its subnets use, so that every
 * existing subnet still names an existing VRF and nothing else changed. On PostgreSQL the
 * migration runs as a non-superuser owner, which forced row-level security would otherwise
 * show no rows at all.
 */
import type { SQL } from "bun";
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { openDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase } from "../../src/db/migrate";
import { EMBEDDED_PG_MIGRATIONS, migratePostgres } from "../../src/store/pg/migrate";
import { freshPgDatabase, ownerConnection, usePgCluster } from "../helpers/pg";

usePgCluster();

const NOW = "2026-01-02T03:04:05.123Z";
const key = (octet: number) => Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, octet, 0]);
/** org → the VRF names its subnets use (o3 has none). */
const SUBNET_VRFS: Record<string, string[]> = { o1: ["default", "blue", "Blue", "blue"], o2: ["lab"], o3: [] };
const EXPECTED = [
  ["o1", "Blue"],
  ["o1", "blue"],
  ["o1", "default"],
  ["o2", "default"],
  ["o2", "lab"],
  ["o3", "default"],
];

describe("upgrade to VRF objects", () => {
  test("SQLite: default plus every VRF name in use, per organization; ids are UUIDs", () => {
    const d = openDatabase(":memory:", { migrate: false });
    const before = EMBEDDED_MIGRATIONS.findIndex((m) => m.sql.some((s) => s.includes("CREATE TABLE `vrfs`")));
    expect(before).toBeGreaterThan(0);
    migrateDatabase(d.sqlite, drizzle({ client: d.sqlite }), EMBEDDED_MIGRATIONS.slice(0, before));
    for (const [org, vrfs] of Object.entries(SUBNET_VRFS)) {
      d.sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, ?, 'unlimited', ?, ?)", [org, org, NOW, NOW]);
      vrfs.forEach((vrf, i) =>
        d.sqlite.run(
          "INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, ?, 4, ?, 24, ?, ?, ?)",
          [`${org}-${i}`, org, vrf, key(i), `10.0.${i}.0/24`, NOW, NOW],
        ),
      );
    }
    migrateDatabase(d.sqlite, d.db);
    const rows = d.sqlite.query("SELECT id, org_id, name, description FROM vrfs ORDER BY org_id, name").all() as { id: string; org_id: string; name: string }[];
    expect(rows.map((r) => [r.org_id, r.name])).toEqual(EXPECTED);
    for (const r of rows) expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    // Every subnet names an existing VRF.
    expect(d.sqlite.query("SELECT count(*) AS n FROM subnets s WHERE NOT EXISTS (SELECT 1 FROM vrfs v WHERE v.org_id = s.org_id AND v.name = s.vrf)").get()).toEqual({ n: 0 });
    d.close();
  });

  test("PostgreSQL, migrated by a non-superuser owner under forced row-level security: the same rows", async () => {
    const db = await freshPgDatabase();
    const role = `vrf_owner_${process.pid}`;
    let owner: SQL | undefined;
    try {
      owner = await ownerConnection(db, role);
      const before = EMBEDDED_PG_MIGRATIONS.findIndex((m) => m.sql.some((s) => s.includes('CREATE TABLE "vrfs"')));
      expect(before).toBeGreaterThan(0);
      await migratePostgres(owner, EMBEDDED_PG_MIGRATIONS.slice(0, before));
      for (const [org, vrfs] of Object.entries(SUBNET_VRFS)) {
        // The owner writes under FORCE too: one organization declared per transaction.
        await owner.begin(async (tx) => {
          await tx`SELECT set_config('app.org_id', ${org}, true)`;
          await tx`INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (${org}, ${org}, 'unlimited', ${NOW}, ${NOW})`;
          for (const [i, vrf] of vrfs.entries()) {
            await tx`INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at)
                     VALUES (${`${org}-${i}`}, ${org}, ${vrf}, 4, ${key(i)}, 24, ${`10.0.${i}.0/24`}, ${NOW}, ${NOW})`;
          }
        });
      }
      await migratePostgres(owner);
      // Read as the superuser, whom row-level security never filters.
      const rows = await db.sql`SELECT org_id, name FROM vrfs ORDER BY org_id, name COLLATE "C"`;
      expect(rows.map((r: { org_id: string; name: string }) => [r.org_id, r.name])).toEqual(EXPECTED);
      const [forced] = await db.sql`SELECT bool_and(relforcerowsecurity) AS all_forced FROM pg_class WHERE relname IN ('organizations', 'subnets', 'vrfs') AND relkind = 'r'`;
      expect(forced.all_forced).toBe(true);
    } finally {
      await owner?.close();
      await db.drop();
    }
  }, 60_000);
});
