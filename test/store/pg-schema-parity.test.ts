/**
 * The two dialects define one schema: the same tables, columns (name, NOT NULL, primary key,
 * default), indexes and foreign keys, read from a migrated SQLite database and a migrated
 * PostgreSQL one (not from the TypeScript schema files, so a hand-edited migration that drifts
 * is caught too). What PostgreSQL alone has is listed here, explicitly.
 */
import type { SQL } from "bun";
import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/db/client";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";

usePgCluster();

/** PostgreSQL-only, for allocation across replicas (SCALE.md); SQLite gains them with the store split. */
const PG_ONLY_TABLES = ["rate_limit_windows", "subnet_changes"];
const PG_ONLY_COLUMNS: Record<string, string[]> = { subnets: ["alloc_seq"] };
const PG_ONLY_INDEXES = ["subnet_changes_at_idx", "subnet_changes_subnet_seq_idx"];
/**
 * PostgreSQL's index expressions and the SQLite index column each stands for: lower() under the
 * C collation folds A-Z only, as NOCASE does (hostnames compare as DNS compares them, 0013/0020).
 */
const PG_EXPRESSION_COLUMNS: Record<string, string> = { 'lower(hostname COLLATE "C")': "hostname COLLATE NOCASE" };
/** SQLite-only derived state: the replay log of other processes' IPAM writes (ipam/registry.ts; PostgreSQL has subnet_changes). */
const SQLITE_ONLY_TABLES = ["ipam_changes"];

interface Column {
  name: string;
  notNull: boolean;
  primaryKey: boolean;
  default: string | null;
  /** text | integer | blob, in SQLite's words */
  kind: string;
}
interface Index {
  table: string;
  name: string;
  unique: boolean;
  columns: string;
}
interface ForeignKey {
  table: string;
  column: string;
  references: string;
  onDelete: string;
}

type Shape = { columns: Record<string, Column[]>; indexes: Index[]; foreignKeys: ForeignKey[] };

function sqliteShape(sqlite: Database): Shape {
  const tables = (
    sqlite
      .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'")
      .all() as { name: string }[]
  ).map((r) => r.name);
  const columns: Record<string, Column[]> = {};
  const indexes: Index[] = [];
  const foreignKeys: ForeignKey[] = [];
  for (const table of tables) {
    const info = sqlite.query(`PRAGMA table_info("${table}")`).all() as {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }[];
    columns[table] = info.map((c) => ({
      name: c.name,
      // SQLite does not enforce NOT NULL on a non-integer PRIMARY KEY; drizzle declares it anyway.
      notNull: c.notnull === 1 || c.pk > 0,
      primaryKey: c.pk > 0,
      default: c.dflt_value,
      kind: c.type.toLowerCase(),
    }));
    for (const ix of sqlite.query(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string }[]) {
      if (ix.origin !== "c") continue; // primary-key autoindexes
      // A key column with a collation other than BINARY is named with it ("hostname COLLATE NOCASE").
      const cols = (sqlite.query(`PRAGMA index_xinfo("${ix.name}")`).all() as { name: string | null; coll: string; key: number }[])
        .filter((c) => c.key === 1)
        .map((c) => (c.coll === "BINARY" ? c.name! : `${c.name} COLLATE ${c.coll}`));
      indexes.push({ table, name: ix.name, unique: ix.unique === 1, columns: cols.join(",") });
    }
    for (const fk of sqlite.query(`PRAGMA foreign_key_list("${table}")`).all() as { table: string; from: string; to: string; on_delete: string }[]) {
      foreignKeys.push({ table, column: fk.from, references: `${fk.table}.${fk.to}`, onDelete: fk.on_delete.toLowerCase() });
    }
  }
  return { columns, indexes, foreignKeys };
}

async function pgShape(sql: SQL): Promise<Shape> {
  const cols = await sql`
    SELECT c.table_name, c.column_name, c.is_nullable, c.column_default, c.data_type,
           EXISTS (SELECT 1 FROM information_schema.key_column_usage k
                   JOIN information_schema.table_constraints tc ON tc.constraint_name = k.constraint_name AND tc.table_name = k.table_name
                   WHERE tc.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name AND k.column_name = c.column_name) AS pk
    FROM information_schema.columns c WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position`;
  const columns: Record<string, Column[]> = {};
  for (const c of cols) {
    const kind = c.data_type === "bytea" ? "blob" : c.data_type === "integer" || c.data_type === "bigint" ? "integer" : "text";
    (columns[c.table_name] ??= []).push({
      name: c.column_name,
      notNull: c.is_nullable === "NO",
      primaryKey: c.pk,
      default: c.column_default === null ? null : String(c.column_default).replace(/::text$/, ""),
      kind,
      pgType: c.data_type,
    } as Column);
  }
  // Each key column as PostgreSQL writes it back: a column's name, or an expression's text.
  const indexes = (
    (await sql`
    SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique,
           string_agg(pg_get_indexdef(ix.indexrelid, k.ord::int, true), ',' ORDER BY k.ord) AS columns
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
    WHERE n.nspname = 'public' AND NOT ix.indisprimary
    GROUP BY t.relname, i.relname, ix.indisunique`) as Index[]
  ).map((ix) => ({ ...ix, columns: ix.columns.split(",").map((c) => PG_EXPRESSION_COLUMNS[c] ?? c).join(",") }));
  const foreignKeys = (await sql`
    SELECT t.relname AS table, a.attname::text AS column, rt.relname || '.' || ra.attname AS references,
           CASE con.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade'
                                WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' END AS "onDelete"
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_class rt ON rt.oid = con.confrelid
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
    JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
    WHERE con.contype = 'f' AND n.nspname = 'public'`) as ForeignKey[];
  return { columns, indexes: [...indexes], foreignKeys: [...foreignKeys] };
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));

describe("schema parity: SQLite and PostgreSQL", () => {
  let pg: TestPgDatabase;
  let lite: Shape;
  let post: Shape;

  beforeAll(async () => {
    const sqlite = openDatabase(":memory:");
    lite = sqliteShape(sqlite.sqlite);
    sqlite.close();
    for (const t of SQLITE_ONLY_TABLES) expect(lite.columns[t]).toBeDefined();
    lite = {
      ...lite,
      columns: Object.fromEntries(Object.entries(lite.columns).filter(([t]) => !SQLITE_ONLY_TABLES.includes(t))),
      foreignKeys: lite.foreignKeys.filter((k) => !SQLITE_ONLY_TABLES.includes(k.table)),
    };
    pg = await freshPgDatabase({ migrated: true });
    post = await pgShape(pg.sql);
  });
  afterAll(() => pg?.drop());

  test("the same tables, PostgreSQL's additions named", () => {
    const pgTables = Object.keys(post.columns).sort();
    expect(pgTables.filter((t) => !PG_ONLY_TABLES.includes(t))).toEqual(Object.keys(lite.columns).sort());
    for (const t of PG_ONLY_TABLES) expect(pgTables).toContain(t);
  });

  test("the same columns in every table: name, kind, NOT NULL, primary key, default", () => {
    for (const [table, liteColumns] of Object.entries(lite.columns)) {
      const extra = PG_ONLY_COLUMNS[table] ?? [];
      const pgColumns = post.columns[table]!.filter((c) => !extra.includes(c.name)).map(({ pgType: _, ...c }: any) => c);
      expect({ table, columns: pgColumns.sort(byKey((c: Column) => c.name)) }).toEqual({
        table,
        columns: [...liteColumns].sort(byKey((c) => c.name)),
      });
      for (const name of extra) expect(post.columns[table]!.map((c) => c.name)).toContain(name);
    }
  });

  test("timestamps are real timestamps in PostgreSQL, and only they are", () => {
    for (const [table, columns] of Object.entries(post.columns)) {
      for (const c of columns as (Column & { pgType: string })[]) {
        const isTimestamp = c.name === "at" || c.name.endsWith("_at");
        expect({ table, column: c.name, type: c.pgType }).toEqual({
          table,
          column: c.name,
          type: isTimestamp ? "timestamp with time zone" : c.pgType === "timestamp with time zone" ? "(not a timestamp name)" : c.pgType,
        });
      }
    }
    expect((post.columns.addresses as (Column & { pgType: string })[]).find((c) => c.name === "ip_key")!.pgType).toBe("bytea");
  });

  test("the same indexes (name, columns, UNIQUE) and foreign keys (column, target, ON DELETE)", () => {
    const pgIndexes = post.indexes.filter((i) => !PG_ONLY_INDEXES.includes(i.name));
    expect(pgIndexes.sort(byKey((i) => i.name))).toEqual([...lite.indexes].sort(byKey((i) => i.name)));
    const pgKeys = post.foreignKeys.filter((k) => !PG_ONLY_TABLES.includes(k.table));
    const key = (k: ForeignKey) => `${k.table}.${k.column}`;
    expect(pgKeys.sort(byKey(key))).toEqual([...lite.foreignKeys].sort(byKey(key)));
  });
});
