/**
 * WAL checkpoints off the commit path (the server's connection only).
 *
 * By default SQLite checkpoints inside COMMIT: the commit that pushes the WAL past 1,000
 * pages copies them into the database file and fsyncs it, on the event loop, while every
 * other request waits (issue 16 measured ~737 µs per checkpoint, ~39 µs per allocation).
 * The server's connection leaves that to a Worker with its own connection instead
 * (checkpoint-worker.ts), which checkpoints every CHECKPOINT_INTERVAL_MS:
 *
 *     event loop:  BEGIN … COMMIT (fsync WAL) ─ BEGIN … COMMIT ─ …      never copies pages
 *     worker:      ── PASSIVE ────────── PASSIVE ─────────── PASSIVE ──   copies what it can
 *                                  WAL ≥ GATE_PAGES? ──▶ writers wait; RESTART
 *
 * PASSIVE takes no lock a writer needs, so it never delays a commit. But the WAL only starts
 * over from its beginning when a writer begins while every frame has been copied, and under
 * a steady load a new commit nearly always lands while PASSIVE runs: it never catches up,
 * and the WAL grows without bound (so it would, too, behind a reader pinning an old
 * snapshot: an export, a backup, a CLI). Hence a gate, in two steps:
 *
 *     worker tick: WAL ≥ GATE_PAGES ─▶ close the gate (shared memory) ─▶ RESTART checkpoint
 *       (takes the write lock, copies the rest, waits for readers; the next writer starts
 *       the WAL over, overwriting the same file: no growth, no file-size change to fsync)
 *     any writer:  WAL file ≥ 2 × GATE_PAGES (the worker was late: starved of CPU, or a
 *       reader pinned the WAL) ─▶ close the gate, wake the worker ─▶ TRUNCATE checkpoint
 *       (the same, and the file back to 0 bytes)
 *
 * While the gate is closed, tryBegin (db/tx.ts) answers "busy" without asking SQLite: writers
 * wait asynchronously as for another process's lock, and reads go on being served. The
 * writer's check is one stat(2) per write transaction. Writers that begin on their own, not
 * through tryBegin, meet the checkpoint's lock instead; as a backstop the connection keeps
 * SQLite's inline checkpoint at BACKSTOP_FACTOR × the gate.
 *
 * Durability is unchanged: with synchronous=FULL every COMMIT still fsyncs the WAL before it
 * returns; checkpointing only moves already-durable frames into the main file (and fsyncs
 * it). If the worker cannot start or dies, the connection gets its inline checkpoints back.
 */
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";

/** How often the worker copies WAL frames into the database file (PASSIVE). */
export const CHECKPOINT_INTERVAL_MS = 100;
/** WAL size (pages) from which writers wait for a full checkpoint: 4,096 × 4 KiB = 16 MiB (the file's hard limit is twice that). */
export const GATE_PAGES = 4096;
/** SQLite's own default, restored on the connection when the worker is gone. */
const INLINE_AUTOCHECKPOINT_PAGES = 1000;
/** Inline checkpoints only far above the gate: never reached while writers honour the gate. */
const BACKSTOP_FACTOR = 4;

/** Cells of the shared Int32Array (worker ↔ server). */
export const CELL = { stopped: 0, passive: 1, gated: 2, maxLogPages: 3, gateClosed: 4 } as const;

interface Gate {
  cells: Int32Array;
  walPath: string;
  gateBytes: number;
  wake: () => void;
}

const gates = new WeakMap<Database, Gate>();

/**
 * True while writers of `sqlite` must wait for the checkpointer (db/tx.ts tryBegin): the gate
 * is closed, or the WAL file has reached twice the gate (then this closes it and wakes the worker).
 */
export function writersMustWait(sqlite: Database): boolean {
  const gate = gates.get(sqlite);
  if (gate === undefined) return false;
  if (Atomics.load(gate.cells, CELL.gateClosed) === 1) return true;
  let size = 0;
  try {
    size = statSync(gate.walPath).size;
  } catch {
    return false; // no WAL file yet
  }
  if (size < gate.gateBytes) return false;
  Atomics.store(gate.cells, CELL.gateClosed, 1);
  gate.wake();
  return true;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  gatePages?: number;
}

/** What the worker did so far (tests and the benchmark read it). */
export interface CheckpointStats {
  passive: number;
  gated: number;
  /** the largest WAL (pages) a PASSIVE run found */
  maxLogPages: number;
}

export interface Checkpointer {
  stats(): CheckpointStats;
  /** Stops the worker and closes its connection; waits (briefly) for it. Idempotent. */
  stop(): void;
}

/** The message the worker gets to start. */
export interface CheckpointerStart {
  path: string;
  synchronous: "FULL" | "NORMAL";
  intervalMs: number;
  gatePages: number;
  /** Int32Array over it, cells named by CELL */
  shared: SharedArrayBuffer;
}

/** Moves `sqlite`'s checkpoints to a worker on the same file, behind the gate (module comment). */
export function startCheckpointer(sqlite: Database, path: string, synchronous: "FULL" | "NORMAL", options: CheckpointerOptions = {}): Checkpointer {
  const shared = new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT);
  const cells = new Int32Array(shared);
  let stopped = false;
  const fallBack = () => {
    if (stopped) return;
    stopped = true;
    gates.delete(sqlite);
    try {
      sqlite.run(`PRAGMA wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // the connection is closing anyway
    }
  };
  let worker: Worker;
  try {
    worker = new Worker(workerUrl());
  } catch {
    return { stats: () => readStats(cells), stop: () => {} };
  }
  const gatePages = options.gatePages ?? GATE_PAGES;
  sqlite.run(`PRAGMA wal_autocheckpoint = ${BACKSTOP_FACTOR * gatePages}`);
  const { page_size: pageSize } = sqlite.query("PRAGMA page_size").get() as { page_size: number };
  // A WAL frame is a page plus a 24-byte header (and the file a 32-byte header).
  gates.set(sqlite, { cells, walPath: `${path}-wal`, gateBytes: 32 + 2 * gatePages * (pageSize + 24), wake: () => worker.postMessage("gate") });
  worker.onerror = fallBack;
  worker.addEventListener("close", fallBack);
  const start: CheckpointerStart = {
    path,
    synchronous,
    intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
    gatePages,
    shared,
  };
  worker.postMessage(start);
  (worker as Worker & { unref(): void }).unref();
  return {
    stats: () => readStats(cells),
    stop() {
      if (stopped) return;
      stopped = true;
      gates.delete(sqlite);
      worker.postMessage("stop");
      // The worker closes its connection and says so; a checkpoint in progress finishes first.
      Atomics.wait(cells, CELL.stopped, 0, 2000);
      worker.terminate();
    },
  };
}

function readStats(cells: Int32Array): CheckpointStats {
  return { passive: Atomics.load(cells, CELL.passive), gated: Atomics.load(cells, CELL.gated), maxLogPages: Atomics.load(cells, CELL.maxLogPages) };
}

/** The worker's module; in the compiled binary an entry point of its own (scripts/build.ts). */
function workerUrl(): string {
  if (import.meta.url.startsWith("file:///$bunfs/")) return "./db/checkpoint-worker.ts";
  return new URL("./checkpoint-worker.ts", import.meta.url).href;
}
