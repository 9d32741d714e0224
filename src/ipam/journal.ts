/**
 * Keeping memory and database in step: every in-memory change made inside a write
 * transaction registers its inverse in a Journal; if the transaction throws (a constraint,
 * a failed activity insert, a bug), the inverses run in reverse order and memory is exactly
 * as it was before. On success the journal is simply dropped.
 *
 * The body is synchronous (writeTransaction forbids `await`), so between computing an
 * allocation and inserting its row no other request can run: allocation is atomic. Only
 * the wait for the write lock before it is asynchronous (db/tx.ts).
 */
import type { OpenDatabase } from "../db/client";
import { writeTransaction } from "../db/tx";
import type { IpamRegistry } from "./registry";

/** Undo actions for in-memory changes, run newest first on failure. */
export class Journal {
  private readonly undo: (() => void)[] = [];

  /** Registers the inverse of a change that was just applied. */
  onRollback(inverse: () => void): void {
    this.undo.push(inverse);
  }

  /** Runs every inverse, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
  }
}

/**
 * One IPAM write: an IMMEDIATE transaction that first brings the registry up to date with
 * writes of other processes (the CLI), then runs `fn`; on any throw the rows roll back and
 * so does memory.
 */
export function ipamWrite<T>(database: OpenDatabase, registry: IpamRegistry, fn: (journal: Journal) => T): Promise<T> {
  const journal = new Journal();
  // The memory rollback runs in the same synchronous turn as the SQL ROLLBACK, so that no
  // other request ever sees memory ahead of the database.
  return writeTransaction(
    database,
    () => {
      registry.syncWithDatabase();
      return fn(journal);
    },
    () => journal.rollback(),
  );
}
