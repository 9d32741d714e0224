/**
 * The one way to write: a synchronous IMMEDIATE transaction on the single connection.
 *
 * IMMEDIATE takes the write lock up front, so a read-then-write (allocation) cannot be
 * interleaved with another process's write (the CLI) between its read and its write.
 * The body must stay synchronous: bun:sqlite is synchronous, and an `await` inside would
 * commit early and let the rest autocommit (../shared/STACK.md). Because JS runs one thing
 * at a time, compute-and-insert with no `await` in between is atomic within the server.
 * If `fn` throws, everything it wrote is rolled back and the error propagates.
 */
import type { OpenDatabase } from "./client";

export function writeTransaction<T>(database: OpenDatabase, fn: () => T): T {
  return database.sqlite.transaction(fn).immediate();
}
