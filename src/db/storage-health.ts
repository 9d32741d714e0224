/**
 * Whether the database's disk has room, as the server last saw it — for /healthz and for
 * the sentence a failed write answers with.
 *
 * Set when a write fails with SQLITE_FULL; cleared when a later write commits. A server
 * that gets no writes would report "full" forever after space came back, so /healthz also
 * looks at the filesystem: once it has clearly more free space than when the write failed,
 * the flag is dropped (the next write re-raises it if SQLite still cannot grow the file).
 * Nothing acknowledged is lost meanwhile: a write that fails rolls back whole, and its caller
 * got an error, not a 201.
 */
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { isFull } from "./errors";

/** Free space (bytes) beyond the level at failure that counts as "space came back". */
const RECOVERED_MARGIN_BYTES = 1024 * 1024;

export interface StorageFull {
  since: string;
  /** free bytes on the database's filesystem when the write failed (null when unknown) */
  freeBytes: number | null;
}

export class StorageHealth {
  private full: StorageFull | null = null;

  /** `path` is the database file (":memory:" for tests: then there is no disk to look at). */
  constructor(readonly path: string) {}

  noteWriteFailed(error: unknown): void {
    if (isFull(error)) this.full = { since: new Date().toISOString(), freeBytes: this.freeBytes() };
  }

  noteWriteOk(): void {
    this.full = null;
  }

  /** The sentence for users: which disk is full, and what to do. */
  fullMessage(): string {
    return `the disk holding the database ${this.path} is full; free some space there and retry (nothing was written)`;
  }

  /** The current state; rechecks the filesystem while "full". */
  status(): { full: false } | { full: true; since: string; message: string } {
    if (this.full === null) return { full: false };
    const free = this.freeBytes();
    if (free !== null && this.full.freeBytes !== null && free >= this.full.freeBytes + RECOVERED_MARGIN_BYTES) {
      this.full = null;
      return { full: false };
    }
    return { full: true, since: this.full.since, message: this.fullMessage() };
  }

  private freeBytes(): number | null {
    if (this.path === ":memory:") return null;
    try {
      const s = statfsSync(dirname(this.path));
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      return null;
    }
  }
}
