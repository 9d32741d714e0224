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
let statements: Record<"passive" | "restart" | "truncate", Statement<CheckpointRow, []>> | undefined;
let gatePages = 0;

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

self.onmessage = (event: MessageEvent<CheckpointerStart | "stop" | "gate">) => {
  if (event.data === "stop") return stop();
  if (event.data === "gate") return tick("truncate");
  const start = event.data;
  gatePages = start.gatePages;
  cells = new Int32Array(start.shared);
  db = new Database(start.path, { strict: true });
  // PASSIVE never waits; the gated checkpoints set their own timeout. A checkpoint's syncs
  // follow this setting (FULL and NORMAL both fsync the database file before the WAL is reused).
  db.run("PRAGMA busy_timeout = 0");
  db.run(`PRAGMA synchronous = ${start.synchronous}`);
  statements = {
    passive: db.query("PRAGMA wal_checkpoint(PASSIVE)"),
    restart: db.query("PRAGMA wal_checkpoint(RESTART)"),
    truncate: db.query("PRAGMA wal_checkpoint(TRUNCATE)"),
  };
  timer = setInterval(() => tick("restart"), start.intervalMs);
};

/**
 * PASSIVE; then, with the gate closed, RESTART when the timer finds the WAL at the gate, or
 * TRUNCATE when a writer found the file at twice the gate — always then, whatever the WAL
 * holds: only TRUNCATE shrinks a file that grew while a reader pinned it (a RESTART since
 * may have left it large and nearly empty).
 */
function tick(gated: "restart" | "truncate"): void {
  if (!db || !statements || !cells) return;
  try {
    const row = statements.passive.get()!;
    Atomics.add(cells, CELL.passive, 1);
    if (row.log > Atomics.load(cells, CELL.maxLogPages)) Atomics.store(cells, CELL.maxLogPages, row.log);
    if (gated === "restart" && row.log < gatePages) return;
    Atomics.store(cells, CELL.gateClosed, 1);
    db.run(`PRAGMA busy_timeout = ${GATE_WAIT_MS}`);
    try {
      if (statements[gated].get()!.busy === 0) Atomics.add(cells, CELL.gated, 1);
    } finally {
      db.run("PRAGMA busy_timeout = 0");
    }
  } catch {
    // SQLITE_BUSY: another process checkpoints, or a reader kept its snapshot past the wait.
    // Writers go on; the next tick (or the next writer at the limit) closes the gate again.
  } finally {
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
