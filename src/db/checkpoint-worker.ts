/**
 * The checkpointer's thread (checkpointer.ts has the why): its own connection to the
 * server's database file, a PASSIVE checkpoint every interval and, while the server's
 * writers wait at the gate, a RESTART checkpoint (the WAL reached the gate at a tick) or a
 * TRUNCATE one (a writer found the file at twice the gate).
 */
import { Database, type Statement } from "bun:sqlite";
import { CELL, type CheckpointerStart } from "./checkpointer";

declare const self: Worker;

/**
 * How long a gated checkpoint may wait for the write lock and for readers (SQLite's busy
 * handler, in this thread). Writers wait as long, well inside their own WRITE_WAIT_MS.
 */
const GATE_WAIT_MS = 5000;

let db: Database | undefined;
let timer: ReturnType<typeof setInterval> | undefined;
let cells: Int32Array | undefined;
let truncate: Statement<CheckpointRow, []> | undefined;

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

self.onmessage = (event: MessageEvent<CheckpointerStart | "stop" | "gate">) => {
  if (event.data === "stop") return stop();
  if (event.data === "gate") return gate(truncate);
  const { path, synchronous, intervalMs, gatePages, shared } = event.data;
  cells = new Int32Array(shared);
  db = new Database(path, { strict: true });
  // PASSIVE never waits; the gated TRUNCATE sets its own timeout. A checkpoint's syncs follow
  // this setting (FULL and NORMAL both fsync the database file before the WAL is reused).
  db.run("PRAGMA busy_timeout = 0");
  db.run(`PRAGMA synchronous = ${synchronous}`);
  const passive = db.query<CheckpointRow, []>("PRAGMA wal_checkpoint(PASSIVE)");
  truncate = db.query<CheckpointRow, []>("PRAGMA wal_checkpoint(TRUNCATE)");
  const restart = db.query<CheckpointRow, []>("PRAGMA wal_checkpoint(RESTART)");
  timer = setInterval(() => {
    try {
      const row = passive.get()!;
      Atomics.add(cells!, CELL.passive, 1);
      if (row.log > Atomics.load(cells!, CELL.maxLogPages)) Atomics.store(cells!, CELL.maxLogPages, row.log);
      if (row.log >= gatePages) {
        Atomics.store(cells!, CELL.gateClosed, 1);
        gate(restart);
      }
    } catch {
      // SQLITE_BUSY (another process is checkpointing): next tick.
    }
  }, intervalMs);
};

/** The gate is closed (by a writer or by the tick): checkpoint everything while writers wait, then open it. */
function gate(checkpoint: Statement<CheckpointRow, []> | undefined): void {
  if (!db || !checkpoint || !cells) return;
  try {
    db.run(`PRAGMA busy_timeout = ${GATE_WAIT_MS}`);
    if (checkpoint.get()!.busy === 0) Atomics.add(cells, CELL.gated, 1);
  } catch {
    // busy past the wait (a reader kept its snapshot): writers go on; the next write closes the gate again
  } finally {
    db.run("PRAGMA busy_timeout = 0");
    Atomics.store(cells, CELL.gateClosed, 0);
  }
}

function stop(): void {
  if (timer) clearInterval(timer);
  try {
    db?.close();
  } finally {
    db = undefined;
    if (cells) {
      Atomics.store(cells, CELL.gateClosed, 0);
      Atomics.store(cells, CELL.stopped, 1);
      Atomics.notify(cells, CELL.stopped);
    }
  }
}
