/**
 * One server per database file.
 *
 * The lock is an exclusive SQLite lock on a small companion file `<db>.lock`, taken with
 * `locking_mode=EXCLUSIVE` and held for the server's life. SQLite's lock is an OS record
 * lock, so the kernel drops it when the process dies: a crashed server never blocks the
 * next start (a pid file alone would). The holder's pid is written beside it in
 * `<db>.lock.pid`, only to make the refusal message useful; it is never trusted for locking.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

export class DatabaseInUseError extends Error {}

export interface ServerLock {
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
  const holder = readHolder(`${dbPath}.lock.pid`);
  if (!holder?.url) return undefined;
  try {
    process.kill(holder.pid, 0);
    return holder.url;
  } catch {
    return undefined;
  }
}

/** Takes the lock for `dbPath` or throws DatabaseInUseError naming the holder when it can. */
export function acquireServerLock(dbPath: string): ServerLock {
  const lockPath = `${dbPath}.lock`;
  const pidPath = `${lockPath}.pid`;
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
  } catch {
    lock.close();
    const holder = readHolder(pidPath);
    const who = holder ? ` by another ipcraft server (pid ${holder.pid})` : " by another ipcraft server";
    throw new DatabaseInUseError(`database ${dbPath} is in use${who}; stop it first or use another --db`);
  }
  writeFileSync(pidPath, `${process.pid}\n`);
  return {
    announce(url: string) {
      writeFileSync(pidPath, `${process.pid}\n${url}\n`);
    },
    release() {
      lock.close();
      rmSync(pidPath, { force: true });
    },
  };
}
