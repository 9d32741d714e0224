/**
 * What every import shares: one IPAM write transaction for the whole file (all or nothing,
 * memory included), every bad row collected instead of stopping at the first, and the dry
 * run, which does all the work for real and then rolls it back, so that its report says
 * exactly what the import would do (nesting, duplicates, plan limits included).
 */
import type { OpenDatabase } from "../../db/client";
import { ApiError } from "../../http/errors";
import { ipamWrite, type Journal } from "../../ipam/journal";
import type { IpamRegistry } from "../../ipam/registry";
import type { Actor } from "../activity/record";
import type { RowError } from "./csv";

/** What an import needs: the database and the registry it keeps in step. */
export interface ImportDeps {
  database: OpenDatabase;
  registry: IpamRegistry;
}

/** One import request. */
export interface ImportInput {
  orgId: string;
  actor: Actor;
  /** the CSV text (header first) */
  text: string;
  dryRun: boolean;
  /** called with (rows done, rows total) while writing, every PROGRESS_EVERY rows and at the end */
  onProgress?: (done: number, total: number) => void;
}

export const PROGRESS_EVERY = 1000;

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

/** Thrown to roll a dry run back after it has computed its result. */
class DryRunDone<T> {
  constructor(readonly result: T) {}
}

/**
 * Runs `fn` in one ipamWrite. `fn` returns its result after collecting row errors in
 * `errors`; any error → 400 import_failed and nothing stays; a dry run → rolled back too.
 */
export async function runImport<T>(
  deps: ImportDeps,
  { orgId, dryRun }: Pick<ImportInput, "orgId" | "dryRun">,
  errors: RowError[],
  fn: (journal: Journal) => T,
): Promise<T> {
  try {
    return await ipamWrite(deps.database, deps.registry, orgId, (journal) => {
      const result = fn(journal);
      if (errors.length > 0) throw importFailed(errors);
      if (dryRun) throw new DryRunDone(result);
      return result;
    });
  } catch (thrown) {
    if (thrown instanceof DryRunDone) return thrown.result as T;
    throw thrown;
  }
}

/**
 * Runs a check that throws an ApiError (a plan limit) and returns the error instead, so
 * that the import can first report its bad rows and raise the limit only for a clean file.
 */
export function deferred(check: () => void): ApiError | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}
