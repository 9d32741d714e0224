/**
 * Backups and restores of the one database file.
 *
 * backup: `VACUUM INTO` from a separate read connection. It reads one consistent snapshot
 * (WAL readers never block the server's writer, nor are blocked by it) and writes a compact,
 * self-contained file with no WAL — safe while the server runs and writes.
 * restore: only with no server on the database (the server lock is taken for the duration,
 * so none can start mid-restore). Lock and file operations use the real file behind any
 * symbolic link: a link must neither dodge a running server's lock nor be replaced itself
 * while the file it points to stays as it was. The candidate is checked first (SQLite integrity, an
 * ipcraft schema this build can migrate), the current file is kept aside, never deleted.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { openDatabase } from "../db/client";
import { EMBEDDED_MIGRATIONS } from "../db/migrate";
import { acquireServerLock } from "../db/server-lock";

export class OpsError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
}

export function backupDatabase(dbPath: string, target: string, options: { force?: boolean } = {}): BackupResult {
  if (!existsSync(dbPath)) throw new OpsError(`no database at ${dbPath}`);
  if (existsSync(target)) {
    if (!options.force) throw new OpsError(`${target} already exists; choose another name or pass --force`);
    rmSync(target);
  }
  const source = new Database(dbPath, { readonly: true });
  try {
    source.run("PRAGMA busy_timeout = 5000");
    source.query("VACUUM INTO ?").run(target);
  } finally {
    source.close();
  }
  const problem = verifyIpcraftDatabase(target);
  if (problem) throw new OpsError(`the backup failed its own check: ${problem}`);
  return { file: target, bytes: statSync(target).size };
}

/** Returns why `file` is not a usable ipcraft database, or null when it is. */
export function verifyIpcraftDatabase(file: string): string | null {
  if (!existsSync(file)) return `no file at ${file}`;
  let db: Database | undefined;
  try {
    db = new Database(file, { readonly: true });
    const integrity = db.query("PRAGMA integrity_check").all() as { integrity_check: string }[];
    if (integrity.length !== 1 || integrity[0]!.integrity_check !== "ok") {
      return `SQLite integrity check failed: ${integrity.map((r) => r.integrity_check).slice(0, 3).join("; ")}`;
    }
    const hasMigrations = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    const hasOrgs = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'organizations'").get();
    if (!hasMigrations || !hasOrgs) return "it is a SQLite file but not an ipcraft database";
    const newest = db.query("SELECT MAX(created_at) AS t FROM __drizzle_migrations").get() as { t: number | null };
    const known = Math.max(...EMBEDDED_MIGRATIONS.map((m) => m.folderMillis));
    if (newest.t !== null && Number(newest.t) > known) return "it was written by a newer ipcraft than this one";
    return null;
  } catch (error) {
    return `cannot be read as SQLite (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    db?.close();
  }
}

export interface RestoreResult {
  restoredFrom: string;
  /** where the database that was replaced now lives, if there was one */
  keptAside: string | null;
}

/** Whether both paths name one existing file (same device and inode: links and other spellings too). */
function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  const [x, y] = [statSync(a), statSync(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

export function restoreDatabase(dbPath: string, backupFile: string, now: Date = new Date()): RestoreResult {
  const problem = verifyIpcraftDatabase(backupFile);
  if (problem) throw new OpsError(`will not restore ${backupFile}: ${problem}`);
  // Refuses (DatabaseInUseError) while a server runs; keeps any from starting until we are done.
  const lock = acquireServerLock(dbPath);
  const realPath = lock.path;
  try {
    if (sameFile(backupFile, realPath)) {
      throw new OpsError(`will not restore ${backupFile} over itself: it is the database at ${realPath}; restore from a backup file`);
    }
    let keptAside: string | null = null;
    if (existsSync(realPath)) {
      // Fold a crashed server's WAL into the file so that what is kept aside is complete.
      const current = new Database(realPath);
      current.run("PRAGMA wal_checkpoint(TRUNCATE)");
      current.close();
      keptAside = `${realPath}.replaced-${now.toISOString().replace(/[:.]/g, "-")}`;
      renameSync(realPath, keptAside);
      for (const suffix of ["-wal", "-shm"]) rmSync(`${realPath}${suffix}`, { force: true });
    }
    try {
      copyFileSync(backupFile, realPath);
      // Migrate now (a backup from an older ipcraft) so that a failure shows here, not at serve.
      try {
        openDatabase(realPath).close();
      } catch (error) {
        throw new OpsError(`will not restore ${backupFile}: ${error instanceof Error ? error.message : String(error)}; the database was left as it was`);
      }
    } catch (error) {
      // A restore that failed leaves the database as it was, never nothing (or half a copy) at its path.
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${realPath}${suffix}`, { force: true });
      if (keptAside !== null) renameSync(keptAside, realPath);
      throw error;
    }
    return { restoredFrom: backupFile, keptAside };
  } finally {
    lock.release();
  }
}
