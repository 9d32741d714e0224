import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { openDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase, SchemaTooNewError } from "../../src/db/migrate";
import { tempDir } from "../helpers/tmp";

function tables(sqlite: Database): string[] {
  return (sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
}

describe("migrations", () => {
  test("the embedded list holds every file in drizzle/, in order", async () => {
    const journal = await Bun.file(`${import.meta.dir}/../../drizzle/meta/_journal.json`).json();
    expect(EMBEDDED_MIGRATIONS.length).toBe(journal.entries.length);
    const stamps = EMBEDDED_MIGRATIONS.map((m) => m.folderMillis);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  test("an empty database gets the whole schema, foreign keys on, WAL on disk", () => {
    const path = `${tempDir()}/fresh.db`;
    const { sqlite, close } = openDatabase(path);
    expect(tables(sqlite)).toEqual(
      expect.arrayContaining(["organizations", "users", "sessions", "api_keys", "login_tokens", "sections", "subnets", "addresses", "activity"]),
    );
    expect((sqlite.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
    expect((sqlite.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    expect((sqlite.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous).toBe(2); // FULL: durable on power loss
    expect((sqlite.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout).toBe(5000);
    close();
  });

  test("migrating twice is a no-op", () => {
    const path = `${tempDir()}/twice.db`;
    openDatabase(path).close();
    const again = openDatabase(path);
    const count = again.sqlite.query("SELECT COUNT(*) AS n FROM __drizzle_migrations").get() as { n: number };
    expect(count.n).toBe(EMBEDDED_MIGRATIONS.length);
    again.close();
  });

  test("upgrade: a database made by the first migration set keeps its data when migrated forward", () => {
    const path = `${tempDir()}/old.db`;
    const old = new Database(path, { create: true });
    migrateDatabase(old, drizzle({ client: old }), EMBEDDED_MIGRATIONS.slice(0, 1));
    expect(tables(old)).not.toContain("subnets");
    const now = "2026-01-02T03:04:05.000Z";
    old.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES ('o1', 'Homelab', 'pro', ?, ?)", [now, now]);
    old.run("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES ('u1', 'o1', 'a@example.org', 'Ann', 'owner', ?, ?)", [now, now]);
    old.run(
      "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES ('k1', 'o1', 'u1', 'CI/CD Pipeline', 'ipc_abcdefgh', 'h1', 'write', ?)",
      [now],
    );
    old.run("INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ('s1', 'sh', 'u1', ?, ?, ?)", [now, now, now]);
    old.close();

    const upgraded = openDatabase(path);
    expect(tables(upgraded.sqlite)).toContain("subnets");
    expect(upgraded.sqlite.query("SELECT id, name, plan FROM organizations").all()).toEqual([{ id: "o1", name: "Homelab", plan: "pro" }]);
    expect(upgraded.sqlite.query("SELECT email, role FROM users").all()).toEqual([{ email: "a@example.org", role: "owner" }]);
    expect(upgraded.sqlite.query("SELECT name, prefix, scope FROM api_keys").all()).toEqual([
      { name: "CI/CD Pipeline", prefix: "ipc_abcdefgh", scope: "write" },
    ]);
    expect(upgraded.sqlite.query("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 1 });
    upgraded.close();
  });

  test("a database migrated by a newer ipcraft is refused, untouched", () => {
    const path = `${tempDir()}/newer.db`;
    openDatabase(path).close();
    const raw = new Database(path);
    raw.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ?)", [Date.now() + 10 * 365 * 86400_000]);
    raw.close();
    expect(() => openDatabase(path)).toThrow(SchemaTooNewError);
    expect(() => openDatabase(path)).toThrow(/newer ipcraft/);
  });
});
