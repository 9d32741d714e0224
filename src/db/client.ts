/**
 * Opening the database: the only place that sets SQLite PRAGMAs.
 *
 * bun:sqlite's defaults are wrong for a server (rollback journal, busy_timeout=0, foreign
 * keys off). What we set and why:
 * - journal_mode=WAL: readers never block the writer and the writer never blocks readers,
 *   so the CLI (keys, backup, check) works beside a running server.
 * - synchronous=FULL (default): every COMMIT is fsynced before it returns, so a 201 survives
 *   a power cut — with NORMAL the last transactions may vanish and the next caller could get
 *   an address already handed out. Group commit (ipam/group-commit.ts) shares one fsync among
 *   concurrent allocations. `--synchronous normal` is the opt-in for speed over durability
 *   (WAL still never corrupts; only a power cut, not a crash, can lose the last commits).
 * - busy_timeout: how long a statement blocks *inside SQLite* for another process's lock.
 *   The server sets 0 — blocking there would freeze its event loop — and waits for the write
 *   lock asynchronously instead (tx.ts). CLI commands are their own process with nothing
 *   else to serve: they keep 5000 ms.
 * - foreign_keys=ON: turned on by migrateDatabase() after migrations (see migrate.ts).
 * - wal_autocheckpoint=0 on the server's connection (`backgroundCheckpoints`): its commits
 *   never copy the WAL into the database file; a worker does, gated so that the WAL stays
 *   bounded under any load (checkpointer.ts). CLI connections keep SQLite's inline ones.
 * - strict, safe integers: bun:sqlite returns INTEGER as number (our integers are small).
 * Not for network filesystems (NFS/SMB): WAL needs shared memory on one host.
 */
import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { type Checkpointer, type CheckpointerOptions, startCheckpointer } from "./checkpointer";
import { migrateDatabase } from "./migrate";
import * as schema from "./schema";
import { StorageHealth } from "./storage-health";

export type Db = BunSQLiteDatabase<typeof schema>;

export interface OpenDatabase {
  sqlite: Database;
  db: Db;
  /** Whether the disk had room at the last write (disk-full reporting). */
  storage: StorageHealth;
  /** The background checkpointer, when this is the server's connection. */
  checkpointer?: Checkpointer;
  /** Flushes the WAL into the main file and closes. Idempotent. */
  close(): void;
}

export type SynchronousMode = "full" | "normal";

export interface OpenOptions {
  migrate?: boolean;
  /** "full" (default): durable on power loss; "normal": faster, may lose the last commits. */
  synchronous?: SynchronousMode;
  /** ms a statement may block waiting for another process's lock: 0 in the server. */
  busyTimeoutMs?: number;
  /** The server: checkpoint from a worker instead of inside COMMIT (checkpointer.ts). Files only. */
  backgroundCheckpoints?: boolean | CheckpointerOptions;
}

/** Opens (creating if needed) and migrates the database at `path`; ":memory:" for tests. */
export function openDatabase(path: string, options: OpenOptions = {}): OpenDatabase {
  const sqlite = new Database(path, { create: true, strict: true });
  const synchronous = options.synchronous === "normal" ? "NORMAL" : "FULL";
  let db;
  try {
    // Migrations at boot may meet a CLI's lock: the server waits for them before it listens.
    sqlite.run("PRAGMA busy_timeout = 5000");
    if (path !== ":memory:") sqlite.run("PRAGMA journal_mode = WAL");
    sqlite.run(`PRAGMA synchronous = ${synchronous}`);
    db = drizzle({ client: sqlite, schema });
    if (options.migrate !== false) migrateDatabase(sqlite, db);
    else sqlite.run("PRAGMA foreign_keys = ON");
  } catch (error) {
    // A database that cannot be opened or migrated leaves no handle on the file (a failed
    // restore removes the file and puts the previous one back).
    sqlite.close();
    throw error;
  }
  sqlite.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  let checkpointer: Checkpointer | undefined;
  if (options.backgroundCheckpoints && path !== ":memory:") {
    checkpointer = startCheckpointer(sqlite, path, synchronous, options.backgroundCheckpoints === true ? {} : options.backgroundCheckpoints);
  }
  let closed = false;
  return {
    sqlite,
    db,
    storage: new StorageHealth(path),
    checkpointer,
    close() {
      if (closed) return;
      closed = true;
      checkpointer?.stop();
      // Best effort: a full disk or another process's lock must not stop the close.
      if (path !== ":memory:") {
        try {
          sqlite.run("PRAGMA busy_timeout = 1000");
          sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch {
          // the WAL stays; SQLite folds it in at the next open
        }
      }
      sqlite.close();
    },
  };
}
