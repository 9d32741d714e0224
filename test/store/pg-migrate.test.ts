/**
 * PostgreSQL migrations: embedded in the build, applied on an empty database, and applied
 * exactly once when several replicas boot together (drizzle's own migrator takes no lock:
 * with 4 replicas starting at once, 3 failed on "relation already exists").
 */
import { SQL } from "bun";
import { describe, expect, test } from "bun:test";
import { SchemaTooNewError } from "../../src/db/migrate";
import { EMBEDDED_PG_MIGRATIONS, migratePostgres } from "../../src/store/pg/migrate";
import { freshPgDatabase, usePgCluster } from "../helpers/pg";

usePgCluster();

const EXPECTED_TABLES = [
  "activity",
  "addresses",
  "api_keys",
  "event_counters",
  "idempotency_keys",
  "invitations",
  "ipam_versions",
  "login_tokens",
  "number_counters",
  "organizations",
  "rate_limit_windows",
  "sections",
  "sessions",
  "subnet_changes",
  "subnets",
  "users",
  "vrfs",
  "webhook_deliveries",
  "webhooks",
];

async function publicTables(sql: SQL): Promise<string[]> {
  const rows = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
  return rows.map((r: { table_name: string }) => r.table_name);
}

async function recorded(sql: SQL): Promise<number> {
  const [row] = await sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
  return row.n;
}

describe("PostgreSQL migrations", () => {
  test("the embedded list holds every file in drizzle/pg/, in order", async () => {
    const journal = await Bun.file(`${import.meta.dir}/../../drizzle/pg/meta/_journal.json`).json();
    expect(journal.dialect).toBe("postgresql");
    expect(EMBEDDED_PG_MIGRATIONS.length).toBe(journal.entries.length);
    const stamps = EMBEDDED_PG_MIGRATIONS.map((m) => m.folderMillis);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  test("a bundle carries the migrations themselves, not a path to read them from", async () => {
    const built = await Bun.build({ entrypoints: [`${import.meta.dir}/../../src/store/pg/migrate.ts`], target: "bun" });
    expect(built.success).toBe(true);
    const code = await built.outputs[0]!.text();
    // Booleans, not toContain: a failure would print the whole bundle.
    expect(/CREATE TABLE \\?"subnets\\?"/.test(code)).toBe(true);
    expect(code.includes('FORCE ROW LEVEL SECURITY')).toBe(true);
    expect(code.includes("_journal.json")).toBe(false);
  });

  test("an empty database gets the whole schema; migrating again applies nothing", async () => {
    const db = await freshPgDatabase();
    try {
      const started = performance.now();
      expect(await migratePostgres(db.sql)).toBe(EMBEDDED_PG_MIGRATIONS.length);
      console.log(`pg migration of an empty database: ${(performance.now() - started).toFixed(0)} ms`);
      expect(await publicTables(db.sql)).toEqual(EXPECTED_TABLES);
      expect(await recorded(db.sql)).toBe(EMBEDDED_PG_MIGRATIONS.length);

      expect(await migratePostgres(db.sql)).toBe(0);
      expect(await recorded(db.sql)).toBe(EMBEDDED_PG_MIGRATIONS.length);
      // The lock is released: nobody is left holding it.
      const [held] = await db.sql`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`;
      expect(held.n).toBe(0);
    } finally {
      await db.drop();
    }
  });

  test("4 replicas migrating at once on their own connections: all succeed, exactly one applies", async () => {
    const db = await freshPgDatabase();
    const replicas = Array.from({ length: 4 }, () => new SQL(db.url, { max: 2 }));
    try {
      const applied = await Promise.all(replicas.map((sql) => migratePostgres(sql)));
      expect(applied.filter((n) => n > 0)).toEqual([EMBEDDED_PG_MIGRATIONS.length]);
      expect(applied.filter((n) => n === 0).length).toBe(3);
      expect(await recorded(db.sql)).toBe(EMBEDDED_PG_MIGRATIONS.length);
      expect(await publicTables(db.sql)).toEqual(EXPECTED_TABLES);
    } finally {
      await Promise.all(replicas.map((sql) => sql.close()));
      await db.drop();
    }
  });

  test("4 replica processes migrating at once: all exit 0, exactly one applies", async () => {
    const db = await freshPgDatabase();
    try {
      const script = `
        import { SQL } from "bun";
        import { migratePostgres } from "${import.meta.dir}/../../src/store/pg/migrate";
        const sql = new SQL(process.env.URL);
        console.log(await migratePostgres(sql));
        await sql.close();`;
      const procs = Array.from({ length: 4 }, () =>
        Bun.spawn([process.execPath, "-e", script], { env: { ...process.env, URL: db.url }, stdout: "pipe", stderr: "pipe" }),
      );
      const results = await Promise.all(
        procs.map(async (p) => ({ code: await p.exited, out: (await new Response(p.stdout).text()).trim(), err: await new Response(p.stderr).text() })),
      );
      for (const r of results) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
      expect(results.map((r) => Number(r.out)).sort()).toEqual([0, 0, 0, EMBEDDED_PG_MIGRATIONS.length]);
      expect(await recorded(db.sql)).toBe(EMBEDDED_PG_MIGRATIONS.length);
    } finally {
      await db.drop();
    }
    // Four Bun processes starting on a busy 2-core machine take seconds, not milliseconds.
  }, 60_000);

  test("upgrade: a database at the first migration keeps its rows when migrated forward", async () => {
    const db = await freshPgDatabase();
    try {
      expect(await migratePostgres(db.sql, EMBEDDED_PG_MIGRATIONS.slice(0, 1))).toBe(1);
      const now = "2026-01-02T03:04:05.123Z";
      await db.sql`INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES ('o1', 'Homelab', 'pro', ${now}, ${now})`;
      expect(await migratePostgres(db.sql)).toBe(EMBEDDED_PG_MIGRATIONS.length - 1);
      // The test connects as the superuser, which row-level security never filters.
      const [org] = await db.sql`SELECT name, plan, created_at FROM organizations WHERE id = 'o1'`;
      expect(org.name).toBe("Homelab");
      expect((org.created_at as Date).toISOString()).toBe(now);
    } finally {
      await db.drop();
    }
  });

  test("a database migrated by a newer ipcraft is refused, not misread", async () => {
    const db = await freshPgDatabase({ migrated: true });
    try {
      const future = Math.max(...EMBEDDED_PG_MIGRATIONS.map((m) => m.folderMillis)) + 1000;
      await db.sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('future', ${future})`;
      await expect(migratePostgres(db.sql)).rejects.toBeInstanceOf(SchemaTooNewError);
    } finally {
      await db.drop();
    }
  });
});
