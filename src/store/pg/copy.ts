/**
 * PostgreSQL ends of `ipcraft copy` (src/ops/copy.ts). Both connect with the URL given, as the
 * role that owns ipcraft's tables (the one `serve` connects and migrates with), and migrate
 * first (once across replicas, migrate.ts), so both ends hold this build's schema.
 *
 * Source: one REPEATABLE READ READ ONLY transaction (one snapshot, safe beside running
 * replicas, no locks taken). Row-level security is forced even for the owner, so the source
 * reads the way pruning does: the organizations through the maintenance listing
 * (drizzle/pg/0005), then each organization's rows under its own `app.org_id`; login_tokens
 * holds nothing of an organization and sits outside row-level security.
 *
 * Target: one transaction that must find the database empty. It lifts FORCE ROW LEVEL
 * SECURITY on the tables for its own duration (the owner then writes and counts every
 * organization's rows; ALTER TABLE also locks each table against anyone else), inserts,
 * counts, and puts FORCE back before COMMIT: the DDL is transactional, so a failure at any
 * point leaves the tables exactly as they were, forced.
 */
import { SQL } from "bun";
import { type CopyTable, PG_DERIVED, toPgValue } from "../../ops/copy-plan";
import type { CopySource, CopyTarget, Row } from "../../ops/copy-types";
import { OpsError } from "../../ops/backup";
import { migratePostgres } from "./migrate";
import { listOrganizationIds } from "./ops";

const PAGE = 5_000;
/** Bind parameters per INSERT (PostgreSQL allows 65,535). */
const MAX_PARAMS = 30_000;

const q = (name: string) => `"${name}"`;

async function connect(url: string): Promise<SQL> {
  const sql = new SQL(url, { max: 2 });
  try {
    await migratePostgres(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return sql;
}

export async function pgCopySource(url: string): Promise<CopySource> {
  const sql = await connect(url);
  return {
    snapshot(fn) {
      return sql.begin(async (tx) => {
        await tx`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`;
        const orgs = await listOrganizationIds(tx);
        return fn({
          async *rows(table: CopyTable) {
            const columns = table.columns.map((c) => q(c.name)).join(", ");
            if (table.org === null) {
              yield* pages(tx, table, columns, "TRUE", []);
              return;
            }
            for (const org of orgs) {
              await tx`SELECT set_config('app.org_id', ${org}, true)`;
              const where = "column" in table.org ? `${q(table.org.column)} = $1` : `${q(table.org.viaUsers)} IN (SELECT id FROM users WHERE org_id = $1)`;
              yield* pages(tx, table, columns, where, [org]);
            }
            await tx`SELECT set_config('app.org_id', '', true)`;
          },
        });
      }) as Promise<Awaited<ReturnType<typeof fn>>>;
    },
    close: () => sql.close(),
  };
}

/** The rows through a cursor (one sort, fetched a page at a time), in the plan's order. */
async function* pages(tx: SQL, table: CopyTable, columns: string, where: string, params: unknown[]): AsyncIterable<Row[]> {
  await tx.unsafe(`DECLARE copy_rows NO SCROLL CURSOR FOR SELECT ${columns} FROM ${q(table.name)} WHERE ${where} ORDER BY ${table.orderBy}`, params);
  try {
    for (;;) {
      const rows = (await tx.unsafe(`FETCH ${PAGE} FROM copy_rows`)) as Row[];
      if (rows.length > 0) yield [...rows];
      if (rows.length < PAGE) return;
    }
  } finally {
    await tx.unsafe("CLOSE copy_rows");
  }
}

export async function pgCopyTarget(url: string, plan: CopyTable[]): Promise<CopyTarget> {
  const sql = await connect(url);
  const tables = [...plan.map((t) => t.name), ...PG_DERIVED.tables];
  return {
    transaction(fn) {
      return sql.begin(async (tx) => {
        const forced = (
          (await tx`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relforcerowsecurity`) as { relname: string }[]
        ).map((r) => r.relname);
        try {
          for (const table of forced) await tx.unsafe(`ALTER TABLE ${q(table)} NO FORCE ROW LEVEL SECURITY`);
        } catch (error) {
          throw new OpsError(
            `cannot write every organization's rows as this role (${error instanceof Error ? error.message : String(error)}); connect as the role that owns ipcraft's tables, the one \`ipcraft serve\` connects with`,
          );
        }
        const value = await fn({
          async count(table) {
            if (!tables.includes(table)) throw new Error(`unknown table ${table}`);
            const [row] = await tx.unsafe(`SELECT count(*)::int AS n FROM ${q(table)}`);
            return row.n as number;
          },
          async insert(table, rows) {
            const per = Math.max(1, Math.floor(MAX_PARAMS / table.columns.length));
            const names = table.columns.map((c) => q(c.name)).join(", ");
            for (let start = 0; start < rows.length; start += per) {
              const chunk = rows.slice(start, start + per);
              const params: unknown[] = [];
              const tuples = chunk.map((row) => `(${table.columns.map((c) => (params.push(toPgValue(row[c.name], c.pgType)), `$${params.length}`)).join(", ")})`);
              await tx.unsafe(`INSERT INTO ${q(table.name)} (${names}) VALUES ${tuples.join(", ")}`, params);
            }
          },
        });
        for (const table of forced) await tx.unsafe(`ALTER TABLE ${q(table)} FORCE ROW LEVEL SECURITY`);
        return value;
      }) as Promise<Awaited<ReturnType<typeof fn>>>;
    },
    close: () => sql.close(),
  };
}
