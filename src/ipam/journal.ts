/**
 * Keeping memory and database in step: every in-memory change made inside a write
 * transaction registers its inverse in a Journal; if the transaction throws (a constraint,
 * a failed activity insert, a bug), the inverses run in reverse order and memory is exactly
 * as it was before. On success the journal is simply dropped.
 *
 * Writes are store IPAM units (store/ipam.ts): on SQLite one IMMEDIATE transaction holding
 * the one connection, so between computing an allocation and inserting its row no other
 * request runs; on PostgreSQL under the subnet's row lock. Either way allocation is atomic.
 */

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
