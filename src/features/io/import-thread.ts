/**
 * Where an API import runs. Importing 100,000 rows takes seconds of CPU and one long write
 * transaction; on the server's thread that froze every organization (a 20 MB dry run held it
 * 24 s). So on a database file the import runs in a Worker with its own connection
 * (import-worker.ts), one at a time, while this thread keeps answering:
 *
 *   request ─▶ queue (one import at a time) ─▶ Worker: open file, load registry,
 *              BEGIN IMMEDIATE … rows … COMMIT (or ROLLBACK: bad rows, dry run)
 *   reply  ◀─ registry.readyForRead(org) (only when something was committed) ◀─┘
 *
 * What this thread still pays: reading the body, and after a commit the rebuild of this
 * organization's registry state only, in slices that leave the event loop free between them
 * (ipam/registry.ts: the commit bumped the organization's row in ipam_versions). The worker
 * loads that one organization too (its memory is that organization's index, ~12 MB of its own
 * runtime, and the file's bytes plus a few times their size: rows are read and placed as they
 * come, see import-run.ts); it ends with the import.
 *
 * An in-memory database (tests) cannot be shared with a worker: it is imported inline, and
 * so is every import on PostgreSQL (the Store has no `offThread`): there the transaction's
 * work is the database server's, the replica awaits it, and other replicas keep serving.
 * Every path runs runImportJob, which refuses a file over MAX_IMPORT_ROWS before parsing it.
 *
 * The same worker and queue run the other long write, a split into more than
 * INLINE_SPLIT_PARTS parts (job kind "split", subnets/split.ts decides and runs it).
 */
import { isUtf8 } from "node:buffer";
import type { ErrorCode } from "../../http/errors";
import { ApiError } from "../../http/errors";
import type { Actor } from "../activity/record";
import { countRecords } from "./csv";
import { importAddresses } from "./import-addresses";
import type { SplitJob } from "../subnets/split";
import type { OpenDatabase } from "../../db/client";
import type { IpamRegistry } from "../../ipam/registry";
import type { Store } from "../../store/store";
import type { ImportDeps } from "./import-run";
import { importSubnets } from "./import-subnets";

/** Data rows one API import may hold; bigger files go through `ipcraft import` (no limit). */
export const MAX_IMPORT_ROWS = 100_000;

/** One import, as plain data (it crosses to the worker by postMessage). */
export interface ImportJob {
  kind: "subnets" | "addresses";
  orgId: string;
  actor: Actor;
  /** the file as UTF-8 bytes: transferred to the worker, not copied (cloning a 7 MB string held this thread 0.5 s) */
  csv: Uint8Array;
  dryRun: boolean;
}

/** What the worker runs: an import, or a large split. */
export type WorkerJob = ImportJob | SplitJob;

export type ImportReply =
  | { ok: true; result: unknown }
  | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> }
  | { ok: false; crash: string };

/** The import itself, the same on both threads: the row limit, then the shared import code. */
export async function runImportJob(deps: ImportDeps, job: ImportJob): Promise<unknown> {
  // Checked on the bytes (no decoded copy of the file): the import decodes a piece at a time.
  if (!isUtf8(job.csv)) throw new ApiError("invalid_request", "request body is not valid UTF-8 text");
  // Header + rows; counting stops early, so a huge file costs one quick scan, not a parse.
  const records = countRecords(job.csv, MAX_IMPORT_ROWS + 2);
  if (records > MAX_IMPORT_ROWS + 1) {
    throw new ApiError(
      "body_too_large",
      `the file has more than ${MAX_IMPORT_ROWS.toLocaleString("en-US")} rows, the limit of one API import; split it, or use \`ipcraft import\`, which has no row limit`,
      { max_rows: MAX_IMPORT_ROWS },
    );
  }
  const input = { orgId: job.orgId, actor: job.actor, csv: job.csv, dryRun: job.dryRun };
  return await (job.kind === "subnets" ? importSubnets(deps, input) : importAddresses(deps, input));
}

/** Worker jobs run one after another: each holds SQLite's write lock for its whole transaction. */
let queue: Promise<unknown> = Promise.resolve();

/** Runs an API import off the server's thread when the Store can (SQLite on a file; see the module comment). */
export function importOffThread(store: Pick<Store, "ipam">, job: ImportJob): Promise<unknown> {
  return store.ipam.offThread ? store.ipam.offThread(job) : runImportJob({ store }, job);
}

/** Queues `job` for a worker on the database file; after a commit, this organization's registry catches up before the reply. */
export function offThread(deps: { database: OpenDatabase; registry: IpamRegistry }, job: WorkerJob): Promise<unknown> {
  const path = deps.database.sqlite.filename;
  const run = queue.then(() => inWorker(path, job));
  queue = run.catch(() => {});
  return run.then(async (result) => {
    // The worker committed on another connection: catch up now, before answering.
    if (job.kind === "split" || !job.dryRun) await deps.registry.readyForRead(job.orgId);
    return result;
  });
}

function inWorker(path: string, job: WorkerJob): Promise<unknown> {
  const worker = new Worker(workerUrl());
  return new Promise<unknown>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ImportReply>) => {
      const reply = event.data;
      if (reply.ok) resolve(reply.result);
      else if ("crash" in reply) reject(new Error(`import worker: ${reply.crash}`));
      else reject(new ApiError(reply.code, reply.message, reply.details));
    };
    worker.onerror = (event) => reject(new Error(`import worker: ${event.message}`));
    worker.postMessage({ ...job, path }, job.kind === "split" ? [] : [job.csv.buffer]);
  }).finally(() => worker.terminate());
}

/**
 * The worker's module. In the compiled binary it is a second entry point (scripts/build.ts),
 * embedded under the bundle's root, which is src/.
 */
function workerUrl(): string {
  if (import.meta.url.startsWith("file:///$bunfs/")) return "./features/io/import-worker.ts";
  return new URL("./import-worker.ts", import.meta.url).href;
}
