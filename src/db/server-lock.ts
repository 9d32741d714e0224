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
  release(): void;
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
    const holder = existsSync(pidPath) ? readFileSync(pidPath, "utf8").trim() : "";
    const who = /^\d+$/.test(holder) ? ` by another ipcraft server (pid ${holder})` : " by another ipcraft server";
    throw new DatabaseInUseError(`database ${dbPath} is in use${who}; stop it first or use another --db`);
  }
  writeFileSync(pidPath, `${process.pid}\n`);
  return {
    release() {
      lock.close();
      rmSync(pidPath, { force: true });
    },
  };
}
