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
import { DatabaseBusyError } from "../db/errors";
import { writeTransaction } from "../db/tx";
import type { IpamRegistry } from "./registry";

/** What a write did to one subnet's allocator: took or freed a value, or reshaped it. */
export interface SubnetChange {
  subnetId: string;
  kind: "take" | "free" | "reload";
  value?: bigint;
  /** on a take: the record's deadline in epoch ms (null or absent: none) */
  expiresAt?: number | null;
}

/** Undo actions for in-memory changes, run newest first on failure; and notes of what changed. */
export class Journal {
  private readonly undo: (() => void)[] = [];
  /** per-subnet changes, in order (the PostgreSQL change log); SQLite ignores them */
  readonly changes: SubnetChange[] = [];
  /** subnets this write created (nobody else can know them yet: no change-log rows) */
  readonly created = new Set<string>();

  note(subnetId: string, kind: SubnetChange["kind"], value?: bigint, expiresAt?: number | null): void {
    this.changes.push(expiresAt == null ? { subnetId, kind, value } : { subnetId, kind, value, expiresAt });
  }

  noteCreated(subnetId: string): void {
    this.created.add(subnetId);
  }

  /** Registers the inverse of a change that was just applied. */
  onRollback(inverse: () => void): void {
    this.undo.push(inverse);
  }

  /** Runs every inverse, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
    this.changes.length = 0;
    this.created.clear();
  }
}

/**
 * Thrown inside a write transaction whose organization changed under it (another process
 * committed between the wait for the registry and BEGIN): the write rolls back and retries.
 */
export class StaleOrganization extends Error {}

/** Retries of one write whose organization keeps changing before it gives up with 503. */
export const MAX_STALE_RETRIES = 20;

/**
 * One IPAM write for organization `orgId`: first the (asynchronous) wait for that
 * organization's registry state to be current, then an IMMEDIATE transaction that checks
 * it still is, runs `fn`, and bumps the organization's version (registry.ts). On any
 * throw the rows roll back and so does memory; on a stale organization, the whole thing
 * runs again from the wait.
 *
 *     await registry.ready(org) ─▶ BEGIN IMMEDIATE ─▶ isCurrent(org)? ─ no ─▶ ROLLBACK, again
 *                                                      │ yes
 *                                                      ▼
 *                                    fn(journal) ─▶ bump(org) ─▶ COMMIT
 */
export async function ipamWrite<T>(database: OpenDatabase, registry: IpamRegistry, orgId: string, fn: (journal: Journal) => T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await registry.ready(orgId);
    const journal = new Journal();
    try {
      // The memory rollback runs in the same synchronous turn as the SQL ROLLBACK, so that no
      // other request ever sees memory ahead of the database.
      return await writeTransaction(
        database,
        () => {
          if (!registry.isCurrent(orgId)) throw new StaleOrganization();
          const value = fn(journal);
          registry.bump(journal, orgId);
          return value;
        },
        () => journal.rollback(),
      );
    } catch (error) {
      if (!(error instanceof StaleOrganization)) throw error;
      if (attempt >= MAX_STALE_RETRIES) throw new DatabaseBusyError();
    }
  }
}
