/**
 * `ipcraft copy --from <db> --to <db>`: moves a whole deployment between SQLite and
 * PostgreSQL (either way; also SQLite → SQLite), every table, every row.
 *
 *   source: one read snapshot ─┐
 *                              │ per table, parents first (copy-plan.ts):
 *   target: one transaction ───┤   rows in batches, converted to the target's types
 *     refuse unless empty      │
 *     insert …                 │ then per table: rows on the target = rows read, else ROLLBACK
 *   COMMIT ◀───────────────────┘
 *   `ipcraft check` on the target (its own connection, after the commit)
 *
 * Nothing is half-copied: the target commits everything or nothing. The source may keep
 * serving meanwhile (what it writes after the snapshot is not copied: stop writers first
 * for a move). The copied deployment starts with fresh derived state: PostgreSQL's
 * allocation versions and change log (copy-plan.ts PG_DERIVED) are rebuilt by replicas.
 */
import { databaseKind } from "../config";
import { sqliteCopySource, sqliteCopyTarget } from "../store/sqlite/copy";
import { pgCopySource, pgCopyTarget } from "../store/pg/copy";
import { redactedUrl } from "../store/pg/store";
import { OpsError } from "./backup";
import { checkAny, type CheckReport } from "./check-any";
import { copyPlan } from "./copy-plan";
import type { CopySource, CopyTarget } from "./copy-types";

export interface CopyResult {
  /** rows copied, per table, in copy order */
  tables: { name: string; rows: number }[];
  check: CheckReport;
}

/** A database setting fit to print: a URL's password is never shown. */
export function describeDb(db: string): string {
  return databaseKind(db) === "postgres" ? redactedUrl(db) : db;
}

export async function copyDeployment(from: string, to: string, progress: (line: string) => void = () => {}): Promise<CopyResult> {
  const fromKind = databaseKind(from);
  const toKind = databaseKind(to);
  if (from === to) throw new OpsError("--from and --to name the same database");
  const plan = copyPlan();
  let source: CopySource | undefined;
  let target: CopyTarget | undefined;
  let committed = false;
  const tables: CopyResult["tables"] = [];
  try {
    source = fromKind === "postgres" ? await pgCopySource(from) : sqliteCopySource(from);
    target = toKind === "postgres" ? await pgCopyTarget(to, plan) : sqliteCopyTarget(to);
    await source.snapshot((read) =>
      target!.transaction(async (write) => {
        const held: string[] = [];
        for (const table of plan) {
          const n = await write.count(table.name);
          if (n > 0) held.push(`${table.name}: ${n}`);
        }
        if (held.length > 0) {
          throw new OpsError(`the target ${describeDb(to)} already holds data (${held.join(", ")}); copy only into an empty database`);
        }
        for (const table of plan) {
          let rows = 0;
          for await (const batch of read.rows(table)) {
            await write.insert(table, batch).catch((error) => {
              throw new OpsError(`copying ${table.name} failed, nothing was written: ${error instanceof Error ? error.message : String(error)}`);
            });
            rows += batch.length;
          }
          const landed = await write.count(table.name);
          if (landed !== rows) throw new OpsError(`${table.name}: read ${rows} rows but the target holds ${landed}; nothing was written`);
          tables.push({ name: table.name, rows });
          progress(`${table.name}: ${rows} rows`);
        }
      }),
    );
    committed = true;
  } finally {
    await target?.close(!committed).catch(() => undefined);
    await source?.close().catch(() => undefined);
  }
  const check = await checkAny(to);
  return { tables, check };
}
