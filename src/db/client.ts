/**
 * Opening the database: the only place that sets SQLite PRAGMAs.
 *
 * bun:sqlite's defaults are wrong for a server (rollback journal, synchronous=FULL,
 * busy_timeout=0, foreign keys off). What we set and why:
 * - journal_mode=WAL: readers never block the writer and the writer never blocks readers,
 *   so the CLI (keys, backup, check) works beside a running server.
 * - synchronous=NORMAL: with WAL this cannot corrupt the database; a power cut may lose the
 *   last transactions, never a process crash. 2.5× write throughput over FULL.
 * - busy_timeout=5000: a second process writing (the CLI) waits instead of failing at once.
 * - foreign_keys=ON: turned on by migrateDatabase() after migrations (see migrate.ts).
 * - strict, safe integers: bun:sqlite returns INTEGER as number (our integers are small).
 * Not for network filesystems (NFS/SMB): WAL needs shared memory on one host.
 */
import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { migrateDatabase } from "./migrate";
import * as schema from "./schema";

export type Db = BunSQLiteDatabase<typeof schema>;

export interface OpenDatabase {
  sqlite: Database;
  db: Db;
  /** Flushes the WAL into the main file and closes. Idempotent. */
  close(): void;
}

/** Opens (creating if needed) and migrates the database at `path`; ":memory:" for tests. */
export function openDatabase(path: string, options: { migrate?: boolean } = {}): OpenDatabase {
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.run("PRAGMA busy_timeout = 5000");
  if (path !== ":memory:") sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA synchronous = NORMAL");
  const db = drizzle({ client: sqlite, schema });
  if (options.migrate !== false) migrateDatabase(sqlite, db);
  else sqlite.run("PRAGMA foreign_keys = ON");
  let closed = false;
  return {
    sqlite,
    db,
    close() {
      if (closed) return;
      closed = true;
      if (path !== ":memory:") sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
