/** SQLite failures a repository turns into API answers. */

/** A UNIQUE index refused the row (SQLITE_CONSTRAINT_UNIQUE, extended code 2067). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { name?: unknown; errno?: unknown; code?: unknown } | null;
  return e?.name === "SQLiteError" && (e.errno === 2067 || e.code === "SQLITE_CONSTRAINT_UNIQUE");
}
