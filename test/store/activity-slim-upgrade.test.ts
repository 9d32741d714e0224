/**
 * The activity table was rebuilt slimmer (issue 16: one key, (org_id, at, id), instead of a
 * key on id plus an index on the same three columns). A rebuild that dropped rows, or a
 * feed that came back in another order, would lose history silently: an upgrade from the
 * previous schema, on both dialects, keeps every row and answers the same feed.
 */
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { OpenDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase } from "../../src/db/migrate";
import { StorageHealth } from "../../src/db/storage-health";
import { EMBEDDED_PG_MIGRATIONS, migratePostgres } from "../../src/store/pg/migrate";
import { sqliteActivity } from "../../src/store/sqlite/activity";
import { freshPgDatabase, usePgCluster } from "../helpers/pg";

usePgCluster();

const ORG = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const NOW = "2026-03-04T05:06:07.089Z";
/** Two rows share a timestamp (the id breaks the tie), one has no target, one is another org's. */
const ROWS = [
  ["0190a000-0000-7000-8000-000000000001", ORG, "2026-03-01T00:00:00.000Z", "user", "u1", "ann@example.org", "subnet.create", "subnet", "s1", "10.0.0.0/24", '{"cidr":[null,"10.0.0.0/24"]}'],
  ["0190a000-0000-7000-8000-000000000002", ORG, "2026-03-02T00:00:00.000Z", "api_key", "k1", "ci", "address.create", "address", "a1", "10.0.0.5", "{}"],
  ["0190a000-0000-7000-8000-000000000003", ORG, "2026-03-02T00:00:00.000Z", "api_key", "k1", "ci", "address.create", "address", "a2", "10.0.0.6", "{}"],
  ["0190a000-0000-7000-8000-000000000004", ORG, "2026-03-03T00:00:00.000Z", "system", null, "ipcraft", "organization.update", "organization", null, "", '{"plan":["free","pro"]}'],
  ["0190a000-0000-7000-8000-000000000005", OTHER, "2026-03-03T00:00:00.000Z", "user", "u2", "bob@example.org", "section.create", "section", "x1", "Lab", "{}"],
] as const;

/** The migrations before the slim one (its file rebuilds `activity`), wherever it ends up numbered. */
function before<T extends { sql: string[] }>(all: T[], marker: string): T[] {
  const at = all.findIndex((m) => m.sql.some((statement) => statement.includes(marker)));
  expect(at).toBeGreaterThan(0);
  return all.slice(0, at);
}

describe("slim activity: upgrade from the previous schema", () => {
  test("SQLite: every row kept, the same feed pages, one key and the target index left (besides the later seq index)", async () => {
    const sqlite = new Database(":memory:", { strict: true });
    const db = drizzle({ client: sqlite });
    migrateDatabase(sqlite, db, before(EMBEDDED_MIGRATIONS, "__new_activity"));
    for (const org of [ORG, OTHER]) {
      sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Org', 'unlimited', ?, ?)", [org, NOW, NOW]);
    }
    const insert = sqlite.query(
      "INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    for (const row of ROWS) insert.run(...row);
    const database = { sqlite, db, storage: new StorageHealth(":memory:"), close: () => sqlite.close() } as unknown as OpenDatabase;
    const feed = async () => {
      const activity = sqliteActivity(database);
      const all = await activity.list(ORG, {}, { limit: 10 });
      const page1 = await activity.list(ORG, {}, { limit: 2 });
      const last = page1.rows.at(-1)!;
      const page2 = await activity.list(ORG, {}, { limit: 2, after: [last.at, last.id] });
      const byTarget = await activity.list(ORG, { targetId: "a2" }, { limit: 10 });
      return { all, page1, page2, byTarget };
    };
    const old = await feed();
    expect(old.all.rows.map((r) => r.id.slice(-1))).toEqual(["4", "3", "2", "1"]);

    migrateDatabase(sqlite, db);
    expect(await feed()).toEqual(old);
    expect((sqlite.query("SELECT COUNT(*) AS n FROM activity").get() as { n: number }).n).toBe(ROWS.length);
    const indexes = (sqlite.query("PRAGMA index_list(activity)").all() as { name: string; origin: string }[]).map((i) => `${i.name}:${i.origin}`).sort();
    // The feed's seq index came later (0012, feed-upgrade.test.ts).
    expect(indexes).toEqual(["activity_seq_idx:c", "activity_target_idx:c", "sqlite_autoindex_activity_1:pk"]);
    // The feed reads the key in order: no sort step.
    const plan = (sqlite.query("EXPLAIN QUERY PLAN SELECT id FROM activity WHERE org_id = ? ORDER BY at DESC, id DESC LIMIT 5").all(ORG) as { detail: string }[])
      .map((r) => r.detail)
      .join(" | ");
    expect(plan).not.toContain("TEMP B-TREE");
    expect(sqlite.query("PRAGMA foreign_key_check").all()).toEqual([]);
    sqlite.close();
  });

  test("PostgreSQL: every row kept in the same order, the key is (org_id, at, id), the duplicate index gone", async () => {
    const pg = await freshPgDatabase();
    try {
      await migratePostgres(pg.sql, before(EMBEDDED_PG_MIGRATIONS, `"activity_pk"`));
      for (const org of [ORG, OTHER]) {
        await pg.sql`INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (${org}, 'Org', 'unlimited', ${NOW}, ${NOW})`;
      }
      for (const [id, org, at, actorType, actorId, actorLabel, action, targetType, targetId, targetLabel, changes] of ROWS) {
        await pg.sql`INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes)
                     VALUES (${id}, ${org}, ${at}, ${actorType}, ${actorId}, ${actorLabel}, ${action}, ${targetType}, ${targetId}, ${targetLabel}, ${changes})`;
      }
      // The test connects as the superuser, which row-level security never filters.
      const read = () => pg.sql`SELECT id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes
                                  FROM activity WHERE org_id = ${ORG} ORDER BY at DESC, id DESC`;
      const old = await read();
      expect(old.length).toBe(4);
      await migratePostgres(pg.sql);
      expect(await read()).toEqual(old);
      const [{ n }] = await pg.sql`SELECT count(*)::int AS n FROM activity`;
      expect(n).toBe(ROWS.length);
      const indexes = await pg.sql`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'activity' ORDER BY indexname`;
      // The feed's seq index came later (0019, feed-upgrade.test.ts).
      expect(indexes.map((i: { indexname: string }) => i.indexname)).toEqual(["activity_pk", "activity_seq_idx", "activity_target_idx"]);
      expect(indexes[0].indexdef).toContain("(org_id, at, id)");
    } finally {
      await pg.drop();
    }
  }, 120_000);
});
