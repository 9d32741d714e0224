/**
 * Migrations run with foreign keys off, so a migration that leaves a dangling reference must
 * stop the open (PRAGMA foreign_key_check). That check reads every row of every table with a
 * foreign key, so it runs only when a migration did: a boot with nothing to migrate does not
 * pay a full scan of a million addresses.
 */
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { openDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase } from "../../src/db/migrate";
import { tempDir } from "../helpers/tmp";

const danglingRow = "INSERT INTO ipam_versions (org_id, version) VALUES ('no-such-organization', 1)";

describe("foreign keys after migrations", () => {
  test("a migration that leaves a dangling reference stops the open", () => {
    const path = `${tempDir("migrate-fk")}/db.sqlite`;
    const { sqlite } = openDatabase(path);
    const bad = { sql: [danglingRow], bps: true, folderMillis: Math.max(...EMBEDDED_MIGRATIONS.map((m) => m.folderMillis)) + 1, hash: "test-dangling" };
    expect(() => migrateDatabase(sqlite, drizzle({ client: sqlite }), [...EMBEDDED_MIGRATIONS, bad])).toThrow(/dangling foreign key/);
    sqlite.close();
  });

  test("with nothing to migrate, no scan: the open does not re-check rows it did not touch", () => {
    const path = `${tempDir("migrate-fk")}/db.sqlite`;
    openDatabase(path).close();
    const { sqlite } = openDatabase(path, { migrate: false });
    sqlite.run("PRAGMA foreign_keys = OFF");
    sqlite.run(danglingRow); // what only raw SQL with foreign keys off can leave behind
    sqlite.close();
    const again = openDatabase(path); // `ipcraft check` is what reports such a row
    expect(again.sqlite.query("PRAGMA foreign_key_check").all()).toHaveLength(1);
    again.close();
  });
});
