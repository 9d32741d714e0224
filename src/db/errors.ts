/**
 * What SQLite's failures mean for a caller, by result code (bun:sqlite's SQLiteError carries
 * `code` such as "SQLITE_BUSY" or "SQLITE_FULL" and the numeric `errno`; extended codes like
 * SQLITE_BUSY_SNAPSHOT share the primary code's low byte).
 */

/** The primary result code (low byte of errno): 5 BUSY, 6 LOCKED, 8 READONLY, 13 FULL. */
function primaryCode(error: unknown): number | undefined {
  const errno = (error as { errno?: unknown } | null)?.errno;
  if (typeof errno !== "number" || (error as { name?: unknown }).name !== "SQLiteError") return undefined;
  return errno & 0xff;
}

/** Another connection (another process: the CLI) holds the lock this statement needs. */
export function isBusy(error: unknown): boolean {
  const code = primaryCode(error);
  return code === 5 || code === 6 || error instanceof DatabaseBusyError;
}

/** The disk (or the file's size limit) is full: SQLITE_FULL. */
export function isFull(error: unknown): boolean {
  return primaryCode(error) === 13;
}

/** Thrown when a write waited its whole budget for another process's write lock. */
export class DatabaseBusyError extends Error {
  constructor() {
    super("the database is busy: another process (an ipcraft import or command) holds its write lock");
    this.name = "DatabaseBusyError";
  }
}
