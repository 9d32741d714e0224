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
 *
 * On PostgreSQL (`StorageHealth.forPostgres`) the disk is on the database server, out of
 * sight: the flag is set by SQLSTATE class 53 (insufficient resources: 53100 disk_full and
 * its siblings) and cleared by the next write that commits. A replica under load writes on
 * nearly every request (the shared rate-limit windows), so it notices the space coming back.
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

export interface StorageHealthOptions {
  /** Which errors mean "out of space" (default: SQLITE_FULL). */
  isFull?: (error: unknown) => boolean;
  /** The sentence for users while full (default: the SQLite file's disk). */
  fullMessage?: (error: string) => string;
  /** Whether `path` is a local file whose filesystem can be looked at (default: yes, unless ":memory:"). */
  localFile?: boolean;
}

export class StorageHealth {
  private full: StorageFull | null = null;
  private lastError = "";

  /** `path` is the database file (":memory:" for tests: then there is no disk to look at). */
  constructor(
    readonly path: string,
    private readonly options: StorageHealthOptions = {},
  ) {}

  /** A PostgreSQL database's health (`where`: its URL without the password). */
  static forPostgres(where: string, isPgFull: (error: unknown) => boolean): StorageHealth {
    return new StorageHealth(where, {
      isFull: isPgFull,
      localFile: false,
      fullMessage: (error) =>
        `the PostgreSQL database ${where} is out of disk space or another resource (${error}); free space on the database server and retry (nothing was written)`,
    });
  }

  /** Whether `error` is this database's "out of space" (SQLITE_FULL, or PostgreSQL's class 53). */
  isFullError(error: unknown): boolean {
    return (this.options.isFull ?? isFull)(error);
  }

  noteWriteFailed(error: unknown): void {
    if (!this.isFullError(error)) return;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.full = { since: new Date().toISOString(), freeBytes: this.freeBytes() };
  }

  noteWriteOk(): void {
    this.full = null;
  }

  /** The sentence for users: which disk is full, and what to do. */
  fullMessage(): string {
    if (this.options.fullMessage) return this.options.fullMessage(this.lastError);
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
    if (this.path === ":memory:" || this.options.localFile === false) return null;
    try {
      const s = statfsSync(dirname(this.path));
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      return null;
    }
  }
}
