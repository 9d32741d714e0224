/**
 * INSERT of many rows in statements of up to ROWS_PER_STATEMENT rows each (`VALUES (…), (…)`):
 * one call into SQLite per 64 rows instead of one per row. Measured on this machine with an
 * 11-column table, 100,000 rows in one transaction: 2.46 µs per row one at a time, 1.76 with 16
 * rows a statement. Used where a transaction writes thousands of rows (the activity entries of
 * a bulk allocation, an expiry sweep, a group commit's batch).
 */
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";

const ROWS_PER_STATEMENT = 64;

/** `head`: "INSERT INTO t (a, b, c)"; every row gives `columns` values in that order. */
export function multiInsert(sqlite: Database, head: string, columns: number): (rows: readonly SQLQueryBindings[][]) => void {
  const tuple = `(${Array(columns).fill("?").join(", ")})`;
  // One prepared statement per chunk size met (at most ROWS_PER_STATEMENT of them).
  const bySize = new Map<number, Statement>();
  const statementFor = (n: number): Statement => {
    let statement = bySize.get(n);
    if (!statement) bySize.set(n, (statement = sqlite.prepare(`${head} VALUES ${Array(n).fill(tuple).join(", ")}`)));
    return statement;
  };
  return (rows) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      statementFor(chunk.length).run(...chunk.flat());
    }
  };
}
