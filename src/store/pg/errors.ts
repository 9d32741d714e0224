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
