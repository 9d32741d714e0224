/**
 * What `ipcraft copy` moves, derived from the two drizzle schemas (src/db/schema.ts and
 * src/store/pg/schema.ts) rather than written out by hand, so that a table or column added
 * to both is copied without anyone remembering to list it here.
 *
 * - Tables come parents first (a topological order of their foreign keys), so every row's
 *   references already exist on the target when it is inserted: the target keeps checking
 *   foreign keys the whole time. A table that refers to itself (subnets.parent_id) is read
 *   in an order that puts a parent before its children (SELF_ORDER).
 * - Columns are the ones both schemas hold. What only PostgreSQL holds is allowed to stay
 *   behind only when it is derived state that a replica rebuilds (PG_DERIVED: the allocation
 *   version and change log of ../shared/SCALE.md, which start again from 0 / empty), and
 *   likewise what only SQLite holds (SQLITE_DERIVED: the replay log of other processes'
 *   IPAM writes). Any
 *   other difference between the schemas stops the copy before it starts: silently dropping
 *   a column would lose data.
 * - Values are converted by the target column's type: timestamps are ISO-8601 UTC text in
 *   SQLite and timestamptz(3) in PostgreSQL (millisecond precision both ways, so they round
 *   trip exactly); 16-byte IP keys are BLOB / bytea; int8 arrives from Bun.SQL as a string.
 */
import { is } from "drizzle-orm";
import { getTableConfig as pgConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as sqliteSchema from "../db/schema";
import * as pgSchema from "../store/pg/schema";
import { OpsError } from "./backup";

/** PostgreSQL-only state that replicas rebuild (or, for rate-limit windows, that expires in seconds); not carried to SQLite, started empty on PostgreSQL. */
export const PG_DERIVED = { tables: ["subnet_changes", "rate_limit_windows"], columns: { subnets: ["alloc_seq"] } as Record<string, string[]> };

/**
 * SQLite-only derived state, never copied and started empty: the log other processes' IPAM
 * writes leave for the server to replay (ipam/registry.ts). A server with no row rebuilds.
 */
export const SQLITE_DERIVED = { tables: ["ipam_changes"] };

/** The row order of a self-referencing table that puts every parent before its children. */
const SELF_ORDER: Record<string, string> = {
  // A parent strictly contains its child: its prefix is shorter.
  subnets: "prefix_length, id",
};

/** How a table's rows name their organization (PostgreSQL reads them one organization at a time). */
export type OrgLink = { column: string } | { viaUsers: string } | null;

export interface CopyColumn {
  name: string;
  sqliteType: string;
  pgType: string;
}

export interface CopyTable {
  name: string;
  columns: CopyColumn[];
  /** the primary-key column(s), comma-separated: the read order of a table without SELF_ORDER */
  key: string;
  /** ORDER BY for reading: parents first for a self-referencing table, else the key */
  orderBy: string;
  org: OrgLink;
}

interface Shape {
  columns: Map<string, string>;
  key: string[];
  references: Set<string>;
}

/** The primary key's columns: one column's own, or a table-level composite one (e.g. ipam_changes: org_id, version). */
function primaryKeyOf(columns: { name: string; primary: boolean }[], composite: { columns: { name: string }[] }[]): string[] {
  const own = columns.filter((col) => col.primary).map((col) => col.name);
  return own.length > 0 ? own : (composite[0]?.columns.map((col) => col.name) ?? []);
}

function sqliteShapes(): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const value of Object.values(sqliteSchema)) {
    if (!is(value, SQLiteTable)) continue;
    const c = sqliteConfig(value);
    shapes.set(c.name, {
      columns: new Map(c.columns.map((col) => [col.name, col.getSQLType()])),
      key: primaryKeyOf(c.columns, c.primaryKeys),
      references: new Set(c.foreignKeys.map((fk) => sqliteConfig(fk.reference().foreignTable as SQLiteTable).name)),
    });
  }
  return shapes;
}

function pgShapes(): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const value of Object.values(pgSchema)) {
    if (!is(value, PgTable)) continue;
    const c = pgConfig(value);
    shapes.set(c.name, {
      columns: new Map(c.columns.map((col) => [col.name, col.getSQLType()])),
      key: primaryKeyOf(c.columns, c.primaryKeys),
      references: new Set(c.foreignKeys.map((fk) => pgConfig(fk.reference().foreignTable as PgTable).name)),
    });
  }
  return shapes;
}

/** Every table to copy, parents first. Throws OpsError when the two schemas differ beyond PG_DERIVED. */
export function copyPlan(): CopyTable[] {
  const lite = sqliteShapes();
  const pg = pgShapes();
  const differences: string[] = [];
  for (const name of lite.keys()) if (!pg.has(name) && !SQLITE_DERIVED.tables.includes(name)) differences.push(`table ${name} exists only in the SQLite schema`);
  for (const name of pg.keys()) if (!lite.has(name) && !PG_DERIVED.tables.includes(name)) differences.push(`table ${name} exists only in the PostgreSQL schema`);
  const tables = new Map<string, CopyTable>();
  for (const [name, s] of lite) {
    const p = pg.get(name);
    if (!p) continue;
    for (const col of s.columns.keys()) if (!p.columns.has(col)) differences.push(`column ${name}.${col} exists only in the SQLite schema`);
    for (const col of p.columns.keys()) {
      if (!s.columns.has(col) && !(PG_DERIVED.columns[name] ?? []).includes(col)) differences.push(`column ${name}.${col} exists only in the PostgreSQL schema`);
    }
    if (s.key.length === 0) differences.push(`table ${name} has no primary key`);
    if (s.references.has(name) && !SELF_ORDER[name]) differences.push(`table ${name} refers to itself and has no parent-first order`);
    const columns = [...s.columns].filter(([col]) => p.columns.has(col)).map(([col, type]) => ({ name: col, sqliteType: type, pgType: p.columns.get(col)! }));
    const key = s.key.join(", ");
    const org: OrgLink = name === "organizations" ? { column: "id" } : s.columns.has("org_id") ? { column: "org_id" } : s.columns.has("user_id") ? { viaUsers: "user_id" } : null;
    tables.set(name, { name, columns, key, orderBy: SELF_ORDER[name] ?? key, org });
  }
  if (differences.length > 0) throw new OpsError(`this build's two schemas differ, so a copy would lose data: ${differences.join("; ")}`);
  // Parents first (Kahn's algorithm over the references; self-references are ordered by rows).
  const ordered: CopyTable[] = [];
  const placed = new Set<string>();
  while (placed.size < tables.size) {
    const ready = [...tables.values()].filter((t) => !placed.has(t.name) && [...lite.get(t.name)!.references].every((r) => r === t.name || placed.has(r)));
    if (ready.length === 0) throw new OpsError("the schema's foreign keys form a cycle; cannot order the copy");
    for (const t of ready.sort((a, b) => a.name.localeCompare(b.name))) {
      ordered.push(t);
      placed.add(t.name);
    }
  }
  return ordered;
}

/** A value read from SQLite, as the PostgreSQL column `pgType` takes it. */
export function toPgValue(value: unknown, pgType: string): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  if (pgType === "boolean" && typeof value === "number") return value !== 0;
  return value;
}

/** A value read from PostgreSQL (Bun.SQL), as the SQLite column `sqliteType` stores it. */
export function toSqliteValue(value: unknown, sqliteType: string): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (sqliteType === "integer" && typeof value === "string") return Number(value);
  if (typeof value === "bigint") return Number(value);
  return value;
}
