/** PostgreSQL failures a repository turns into API answers (Bun.SQL puts SQLSTATE in `errno`). */

function sqlState(error: unknown): string | undefined {
  const e = error as { errno?: unknown; code?: unknown; cause?: { errno?: unknown } } | null;
  const state = e?.errno ?? e?.cause?.errno;
  return typeof state === "string" ? state : undefined;
}

/** 23505 unique_violation: a UNIQUE index refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}

/** 55P03 lock_not_available: a lock was not granted within the transaction's lock_timeout. */
export function isLockTimeout(error: unknown): boolean {
  return sqlState(error) === "55P03";
}

/** 53100 disk_full (and the 53xxx insufficient-resources class): nothing was written. */
export function isFull(error: unknown): boolean {
  return sqlState(error)?.startsWith("53") ?? false;
}

/** Bun.SQL hands timestamptz back as Date; the API speaks ISO-8601 UTC strings. */
export function iso(value: Date | string): string;
export function iso(value: Date | string | null): string | null;
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/**
 * Awaits statements sent together (pipelined on the transaction's connection); rejects with the
 * first failure only once all have settled, so that nothing is still in flight at ROLLBACK.
 */
export async function settled<T extends readonly unknown[]>(statements: [...{ [K in keyof T]: PromiseLike<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(statements);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
