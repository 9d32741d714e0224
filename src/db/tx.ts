/**
 * The one way to write: an IMMEDIATE transaction on the single connection, whose lock is
 * waited for *asynchronously*.
 *
 * IMMEDIATE takes the write lock up front, so a read-then-write (allocation) cannot be
 * interleaved with another process's write (the CLI) between its read and its write.
 *
 * Waiting for the lock. Another process (a CLI import) may hold SQLite's write lock for
 * seconds. The server's connection has busy_timeout=0 (client.ts): SQLite's own busy
 * handler sleeps inside the call, which would freeze the whole event loop — every other
 * request, /healthz included. Instead, a BEGIN IMMEDIATE that meets SQLITE_BUSY is retried
 * from a timer with growing pauses, while the server goes on answering others:
 *
 *     BEGIN IMMEDIATE ── ok ──▶ fn() ─▶ COMMIT          (one synchronous turn, no await)
 *        │ SQLITE_BUSY
 *        ▼
 *     setTimeout(2, 4, 8 … 100 ms) ─▶ BEGIN IMMEDIATE again … until WRITE_WAIT_MS
 *        │ still busy
 *        ▼
 *     DatabaseBusyError ─▶ 503 database_busy + Retry-After (http/shell.ts)
 *
 * The body must stay synchronous: bun:sqlite is synchronous, and an `await` inside would
 * commit early and let the rest autocommit (../shared/STACK.md). BEGIN, the body and COMMIT
 * run in one turn of the event loop, so no other request's statement can land inside the
 * transaction; compute-and-insert with no `await` in between is atomic within the server.
 * If `fn` throws, everything it wrote is rolled back and the error propagates.
 *
 * Each attempt holds the connection queue (connection-queue.ts), shared with the store's
 * async units of work (src/store/sqlite/store.ts), and lets go of it while it sleeps, so
 * reads go on being served while a write waits for another process.
 */
import type { Database } from "bun:sqlite";
import { writersMustWait } from "./checkpointer";
import type { OpenDatabase } from "./client";
import { connectionQueue } from "./connection-queue";
import { DatabaseBusyError, isBusy } from "./errors";

/** How long a write waits for another process's write lock before answering 503. */
export const WRITE_WAIT_MS = 10_000;
/** The longest pause between two attempts: short enough to get the lock soon after it is free. */
const MAX_PAUSE_MS = 100;

/**
 * Runs `fn` in one IMMEDIATE transaction once the write lock is ours; see the module comment.
 * `onRollback` runs synchronously right after a ROLLBACK (to undo memory in the same turn).
 */
export async function writeTransaction<T>(database: OpenDatabase, fn: () => T, onRollback?: () => void): Promise<T> {
  return withWriteLock(database.sqlite, () => finishTransaction(database, fn, onRollback));
}

/**
 * Takes the connection queue and runs BEGIN IMMEDIATE — at once when the lock is free, else
 * again from timers with growing pauses, releasing the queue while it sleeps — and then
 * `body` while still holding the queue, so that no other unit's statement can run between
 * the two. `body` must COMMIT or ROLLBACK. Rejects with DatabaseBusyError after `waitMs`.
 */
export async function withWriteLock<T>(sqlite: Database, body: () => T | Promise<T>, waitMs = WRITE_WAIT_MS): Promise<T> {
  const queue = connectionQueue(sqlite);
  const deadline = performance.now() + waitMs;
  const notYet = Symbol("busy");
  for (let pause = 2; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    const outcome = await queue.run(() => {
      // Nothing that holds the queue leaves a transaction open: one open here is a bug.
      if (sqlite.inTransaction) throw new Error("a transaction was left open on the connection");
      return tryBegin(sqlite) ? body() : notYet;
    });
    if (outcome !== notYet) return outcome as T;
    if (performance.now() >= deadline) throw new DatabaseBusyError();
    await Bun.sleep(pause);
  }
}

/**
 * BEGIN IMMEDIATE; false when another connection holds the write lock, or when the WAL has
 * reached the checkpointer's gate and it needs the lock for a moment (db/checkpointer.ts).
 */
export function tryBegin(sqlite: Database): boolean {
  if (writersMustWait(sqlite)) return false;
  try {
    sqlite.run("BEGIN IMMEDIATE");
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  }
}

/** Runs `fn` inside the open transaction, then COMMIT; ROLLBACK and rethrow if anything throws. */
function finishTransaction<T>(database: OpenDatabase, fn: () => T, onRollback?: () => void): T {
  const { sqlite } = database;
  let value: T;
  try {
    value = fn();
    sqlite.run("COMMIT");
  } catch (error) {
    if (sqlite.inTransaction) sqlite.run("ROLLBACK");
    onRollback?.();
    database.storage.noteWriteFailed(error);
    throw error;
  }
  database.storage.noteWriteOk();
  return value;
}
