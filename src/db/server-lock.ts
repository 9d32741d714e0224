/**
 * One server per database file.
 *
 * The lock is an exclusive SQLite lock on a small companion file `<db>.lock`, taken with
 * `locking_mode=EXCLUSIVE` and held for the server's life. SQLite's lock is an OS record
 * lock, so the kernel drops it when the process dies: a crashed server never blocks the
 * next start (a pid file alone would). The holder's pid is written beside it in
 * `<db>.lock.pid`, only to make the refusal message useful; it is never trusted for locking.
 *
 * `<db>` is the *real* file: symbolic links are resolved first (realDatabasePath), so a
 * second server, or a restore, reaching the same file through a link meets the same lock.
 * (A hard link in another folder is a second name we cannot see from here; don't make one.)
 *
 * A lock file that cannot be created or written (read-only filesystem, no permission) is
 * reported as what it is, not as "in use": only SQLITE_BUSY means another server holds it.
 */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isBusy } from "./errors";

export class DatabaseInUseError extends Error {}

/** The database (or its folder) cannot be written: read-only filesystem, permissions. */
export class DatabaseNotWritableError extends Error {}

/**
 * The path of the file `dbPath` names, symbolic links resolved — also when the file does
 * not exist yet (then its folder's real path, or a dangling link's target).
 */
export function realDatabasePath(dbPath: string): string {
  let path = resolve(dbPath);
  for (let hops = 0; hops < 40; hops++) {
    if (existsSync(path)) return realpathSync(path);
    let link = false;
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch {
      // no such entry
    }
    if (!link) break;
    path = resolve(dirname(path), readlinkSync(path));
  }
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/** A sentence for a file-system error on `path` ("read-only file system", "permission denied"). */
export function cannotWrite(path: string, error: unknown): DatabaseNotWritableError {
  const code = (error as { code?: string } | null)?.code;
  const why =
    code === "EROFS" ? "read-only file system"
      : code === "EACCES" || code === "EPERM" ? "permission denied"
        : code === "ENOENT" ? "no such folder"
          : code === "ENOSPC" ? "no space left on the disk"
            : error instanceof Error ? error.message : String(error);
  return new DatabaseNotWritableError(`cannot write ${path}: ${why}`);
}

/** Throws DatabaseNotWritableError unless `path` can be opened for writing (created if missing). */
export function assertWritable(path: string): void {
  try {
    closeSync(openSync(path, "a"));
  } catch (error) {
    throw cannotWrite(path, error);
  }
}

export interface ServerLock {
  /** The real path of the locked database file (symbolic links resolved). */
  path: string;
  /** Records the URL the server answers at, for CLI commands that print links (login-link). */
  announce(url: string): void;
  release(): void;
}

/** What `<db>.lock.pid` says: the holder's pid and, once listening, its URL. */
interface HolderInfo {
  pid: number;
  url?: string;
}

function readHolder(pidPath: string): HolderInfo | null {
  if (!existsSync(pidPath)) return null;
  const [pid, url] = readFileSync(pidPath, "utf8").split("\n");
  return pid && /^\d+$/.test(pid.trim()) ? { pid: Number(pid), url: url?.trim() || undefined } : null;
}

/**
 * The URL of the server running on `dbPath`, if one is running and said where it listens.
 * A stale file from a crashed server is ignored (its pid is gone).
 */
export function runningServerUrl(dbPath: string): string | undefined {
  const holder = readHolder(`${realDatabasePath(dbPath)}.lock.pid`);
  if (!holder?.url) return undefined;
  try {
    process.kill(holder.pid, 0);
    return holder.url;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock for the real file behind `dbPath` or throws DatabaseInUseError naming the
 * holder when it can (DatabaseNotWritableError when the folder cannot be written).
 */
export function acquireServerLock(dbPath: string): ServerLock {
  const realPath = realDatabasePath(dbPath);
  const lockPath = `${realPath}.lock`;
  const pidPath = `${lockPath}.pid`;
  // Opening it ourselves first turns EROFS/EACCES into a sentence; SQLite would only say
  // "unable to open" or, worse, open it read-only and fail later like a held lock.
  assertWritable(lockPath);
  const lock = new Database(lockPath, { create: true });
  try {
    lock.run("PRAGMA busy_timeout = 0");
    lock.run("PRAGMA locking_mode = EXCLUSIVE");
    // The first write under EXCLUSIVE locking mode takes the lock and keeps it until close.
    lock.run("CREATE TABLE IF NOT EXISTS held (at TEXT)");
    lock.run("BEGIN EXCLUSIVE");
    lock.run("DELETE FROM held");
    lock.run("INSERT INTO held VALUES (?)", [new Date().toISOString()]);
    lock.run("COMMIT");
  } catch (error) {
    lock.close();
    if (!isBusy(error)) throw cannotWrite(lockPath, error);
    const holder = readHolder(pidPath);
    const who = holder ? ` by another ipcraft server (pid ${holder.pid})` : " by another ipcraft server";
    const through = realPath === resolve(dbPath) ? "" : ` (${realPath})`;
    throw new DatabaseInUseError(`database ${dbPath}${through} is in use${who}; stop it first or use another --db`);
  }
  try {
    writeFileSync(pidPath, `${process.pid}\n`);
  } catch (error) {
    lock.close();
    throw cannotWrite(pidPath, error);
  }
  return {
    path: realPath,
    announce(url: string) {
      // Only a courtesy for `login-link`: a failure here must not stop a running server.
      try {
        writeFileSync(pidPath, `${process.pid}\n${url}\n`);
      } catch {
        // the link falls back to --public-url or the default
      }
    },
    release() {
      lock.close();
      rmSync(pidPath, { force: true });
    },
  };
}
