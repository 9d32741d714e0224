/**
 * What every import shares: one Store IPAM write (`store.ipam.write`, one transaction on
 * SQLite or PostgreSQL) for the whole file (all or nothing, memory included), every bad row
 * collected instead of stopping at the first, and the dry run, which does all the work for
 * real and then rolls it back, so that its report says exactly what the import would do
 * (nesting, duplicates, plan limits included).
 *
 * Files are read as they are imported (openCsv → readCsv): the import holds the file's bytes,
 * one piece of decoded text and the row at hand, not the whole text or every row (a 100,000-row
 * file once took 30–40 times its size in memory).
 */
import type { OpenDatabase } from "../../db/client";
import { ApiError } from "../../http/errors";
import type { Journal } from "../../ipam/journal";
import type { IpamRegistry } from "../../ipam/registry";
import { DeliberateRollback } from "../../store/ipam";
import { createSqliteStore } from "../../store/sqlite/store";
import type { Queries, Store } from "../../store/store";
import type { Actor } from "../activity/record";
import { readHeader } from "./columns";
import { type CsvRecord, readCsv, type RowError, scanCsv } from "./csv";

/**
 * What an import runs on: a Store (the server's, either backend), or a SQLite connection with
 * an IPAM registry already loaded (the import worker's and the CLI's own, following one
 * organization), over which a Store is made.
 */
export type ImportDeps = { store: Pick<Store, "ipam"> } | { database: OpenDatabase; registry: IpamRegistry };

/** The Store of `deps`. */
export function importStore(deps: ImportDeps): Pick<Store, "ipam"> {
  return "store" in deps ? deps.store : createSqliteStore(deps.database, { registry: deps.registry });
}

/** One import request. */
export interface ImportInput {
  orgId: string;
  actor: Actor;
  /** the CSV file (header first) as UTF-8 bytes; callers refuse other bytes first (isUtf8) */
  csv: Uint8Array;
  dryRun: boolean;
  /** called with (rows done, rows total) while writing, every PROGRESS_EVERY rows and at the end */
  onProgress?: (done: number, total: number) => void;
}

export const PROGRESS_EVERY = 1000;

/**
 * Rows between two young-generation collections (Bun.gc(false)). Each row leaves a few kB of
 * short-lived garbage (cells, zod's objects, keys); left to itself the collector let the heap
 * grow by ~2× the file's size before collecting. A minor collection every 2,000 rows costs
 * ~10–20 ms per 100,000 rows (under 1 % of the import) and keeps that garbage small.
 */
export const COLLECT_EVERY = 2000;

/** A file being read: its header's columns, the records after it, and the errors so far. */
export interface OpenCsv<T extends readonly string[]> {
  positions: Map<T[number], number>;
  /** the records after the header, read as they are asked for */
  items: Generator<CsvRecord | RowError, void, undefined>;
  /** malformed records before the header; the import adds every bad row it meets */
  errors: RowError[];
  /** data records in the file (not blank, the header not counted), counted without reading them */
  total: number;
}

/**
 * Opens a file for an import: reads up to its header, which must name known columns, else
 * 400 import_failed (with every malformed record of the file, as a whole-file parse reported).
 */
export function openCsv<T extends readonly string[]>(csv: Uint8Array, columns: T): OpenCsv<T> {
  const items = readCsv(csv);
  const errors: RowError[] = [];
  let first: CsvRecord | undefined;
  for (let next = items.next(); !next.done; next = items.next()) {
    if ("error" in next.value) errors.push(next.value);
    else {
      first = next.value;
      break;
    }
  }
  const header = readHeader(first, columns);
  if (!header.ok) {
    for (const item of items) if ("error" in item) errors.push(item);
    throw importFailed([header.error, ...errors]);
  }
  return { positions: header.positions, items, errors, total: Math.max(0, scanCsv(csv).records - 1) };
}

/** The 400 listing every bad row, in row order (API.md §9). */
export function importFailed(errors: RowError[]): ApiError {
  const rows = [...errors].sort((a, b) => a.row - b.row);
  const first = rows[0]!;
  return new ApiError(
    "import_failed",
    `nothing was imported: ${rows.length} bad row${rows.length === 1 ? "" : "s"} (first: row ${first.row}: ${first.error})`,
    { rows },
  );
}

/**
 * Runs `fn` in one IPAM write of `store`. `fn` returns its result after collecting row errors
 * in `errors`; any error → 400 import_failed and nothing stays; a dry run → rolled back too
 * (DeliberateRollback: memory undone by the journal, and still known).
 */
export async function runImport<T>(
  store: Pick<Store, "ipam">,
  { orgId, dryRun }: Pick<ImportInput, "orgId" | "dryRun">,
  errors: RowError[],
  fn: (q: Queries, journal: Journal) => Promise<T>,
): Promise<T> {
  try {
    return await store.ipam.write(orgId, async (q, journal) => {
      const result = await fn(q, journal);
      if (errors.length > 0) throw importFailed(errors);
      if (dryRun) throw new DeliberateRollback(result);
      return result;
    });
  } catch (thrown) {
    if (thrown instanceof DeliberateRollback) return thrown.value as T;
    throw thrown;
  }
}

/**
 * Runs a check that throws an ApiError (a plan limit) and returns the error instead, so
 * that the import can first report its bad rows and raise the limit only for a clean file.
 */
export async function deferred(check: () => Promise<void>): Promise<ApiError | null> {
  try {
    await check();
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}
