/**
 * SQLite ends of `ipcraft copy` (src/ops/copy.ts).
 *
 * Source: the file opened (and migrated to this build's schema) like any CLI command does,
 * read in one deferred transaction: a WAL reader sees one snapshot and neither blocks nor is
 * blocked by a server writing meanwhile.
 * Target: the server lock is taken for the whole copy (no server may serve a half-filled
 * file), the file is created and migrated, and everything is written in one BEGIN IMMEDIATE
 * with foreign keys on. A file the copy created is removed again when the copy fails.
 */
import { existsSync, rmSync } from "node:fs";
import { openDatabase } from "../../db/client";
import { acquireServerLock } from "../../db/server-lock";
import { type CopyTable, toSqliteValue } from "../../ops/copy-plan";
import type { CopySource, CopyTarget, Row } from "../../ops/copy-types";
import { OpsError } from "../../ops/backup";

const BATCH = 2_000;

const q = (name: string) => `"${name}"`;

export function sqliteCopySource(path: string): CopySource {
  if (!existsSync(path)) throw new OpsError(`no database at ${path}`);
  const database = openDatabase(path);
  const { sqlite } = database;
  return {
    async snapshot(fn) {
      sqlite.run("BEGIN");
      try {
        return await fn({
          async *rows(table: CopyTable) {
            const statement = sqlite.query<Row, []>(`SELECT ${table.columns.map((c) => q(c.name)).join(", ")} FROM ${q(table.name)} ORDER BY ${table.orderBy}`);
            let batch: Row[] = [];
            for (const row of statement.iterate()) {
              batch.push(row);
              if (batch.length === BATCH) {
                yield batch;
                batch = [];
              }
            }
            if (batch.length > 0) yield batch;
          },
        });
      } finally {
        if (sqlite.inTransaction) sqlite.run("ROLLBACK");
      }
    },
    async close() {
      database.close();
    },
  };
}

export function sqliteCopyTarget(path: string): CopyTarget {
  const existed = existsSync(path);
  const lock = acquireServerLock(path);
  let database;
  try {
    database = openDatabase(lock.path);
  } catch (error) {
    lock.release();
    throw error;
  }
  const { sqlite } = database;
  const inserts = new Map<string, ReturnType<typeof sqlite.query>>();
  return {
    async transaction(fn) {
      sqlite.run("BEGIN IMMEDIATE");
      try {
        const value = await fn({
          async count(table) {
            return (sqlite.query(`SELECT COUNT(*) AS n FROM ${q(table)}`).get() as { n: number }).n;
          },
          async insert(table, rows) {
            let insert = inserts.get(table.name);
            if (!insert) {
              const names = table.columns.map((c) => q(c.name));
              insert = sqlite.query(`INSERT INTO ${q(table.name)} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`);
              inserts.set(table.name, insert);
            }
            for (const row of rows) insert.run(...(table.columns.map((c) => toSqliteValue(row[c.name], c.sqliteType)) as never[]));
          },
        });
        sqlite.run("COMMIT");
        return value;
      } catch (error) {
        if (sqlite.inTransaction) sqlite.run("ROLLBACK");
        throw error;
      }
    },
    async close(failed) {
      database.close();
      if (failed && !existed) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${lock.path}${suffix}`, { force: true });
      lock.release();
    },
  };
}
