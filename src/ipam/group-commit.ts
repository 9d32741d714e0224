/**
 * Group commit for the hot write path (address allocation).
 *
 * Writes that arrive while the server is busy are queued and run together in ONE
 * IMMEDIATE transaction at the next turn of the event loop, each inside its own SAVEPOINT:
 *
 *     BEGIN IMMEDIATE
 *       SAVEPOINT job  fn₁  RELEASE job        → result₁
 *       SAVEPOINT job  fn₂  ROLLBACK TO job    → error₂ (its rows and its memory undone)
 *       SAVEPOINT job  fn₃  RELEASE job        → result₃
 *     COMMIT                                   → then every caller gets its answer
 *
 * Why: a commit's cost is mostly per page written to the WAL, and consecutive allocations
 * touch the same few index and table pages, so N of them in one commit cost little more
 * than one. Each job still sees every earlier job's effects (they run in order on the one
 * connection), nothing is acknowledged before COMMIT returns, and a job that throws is
 * isolated by its savepoint and its own Journal. If COMMIT itself fails, every job's
 * memory changes are undone, newest first, and every caller gets the error.
 *
 * Each job belongs to one organization, whose registry state must equal the database
 * (registry.ts). A job first waits for that (`registry.ready`, before it is queued); inside
 * the transaction a job whose organization changed meanwhile (another process committed
 * between the wait and BEGIN) is not run: it is queued again after the rebuild. Before
 * COMMIT, the batch bumps the version of each organization it wrote (once per organization),
 * and its participants (FlushParticipant) write what they gathered from the jobs that kept
 * their work — on SQLite the activity rows with their feed seqs, and the integer numbers'
 * counters — once for the whole batch instead of once per job: a counter row bumped inside
 * each job's savepoint cost ~20 µs per job.
 *
 * When another process (a CLI import) holds the write lock, BEGIN IMMEDIATE fails at once
 * (busy_timeout=0: blocking would freeze the event loop, db/tx.ts). The batch goes back to
 * the head of the queue and the flush is retried from a timer with growing pauses; a job
 * that has waited WRITE_WAIT_MS is answered DatabaseBusyError (503 + Retry-After).
 */
import type { OpenDatabase } from "../db/client";
import { DatabaseBusyError, isBusy } from "../db/errors";
import { WRITE_WAIT_MS } from "../db/tx";
import { Journal, MAX_STALE_RETRIES, StaleOrganization } from "./journal";
import type { IpamRegistry } from "./registry";

/** Jobs per transaction at most, so that one burst cannot delay its first answer for long. */
const MAX_BATCH = 256;
/** The longest pause between two attempts at a lock another process holds. */
const MAX_PAUSE_MS = 100;

/**
 * Work a flush does once for all its jobs, outside their savepoints, just before COMMIT (the
 * version bumps' moment). Jobs hand it their part through closures (store/sqlite/ipam.ts).
 */
export interface FlushParticipant {
  /** Before each job: what `undo` gets back when that job rolls back. */
  mark(): number;
  /** The job rolled back: forget what it handed in since `mark`. */
  undo(mark: number): void;
  /** After the jobs, in the transaction; a throw fails the whole flush, as a failed COMMIT does. */
  finish(): void;
  /** The flush is over, committed or not: drop what it kept. */
  reset(): void;
}

interface Job {
  orgId: string;
  /** performance.now() when queued: the wait for the lock is bounded from here */
  queuedAt: number;
  fn: (journal: Journal) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  /** pause before the next attempt while the lock is held elsewhere; 0 when not waiting */
  private pause = 0;
  private readonly statements;

  constructor(
    private readonly database: OpenDatabase,
    private readonly registry: IpamRegistry,
    private readonly participants: readonly FlushParticipant[] = [],
  ) {
    const q = (sql: string) => database.sqlite.query(sql);
    this.statements = {
      begin: q("BEGIN IMMEDIATE"),
      commit: q("COMMIT"),
      rollback: q("ROLLBACK"),
      savepoint: q("SAVEPOINT job"),
      release: q("RELEASE job"),
      rollbackTo: q("ROLLBACK TO job"),
    };
  }

  /**
   * Runs `fn` (synchronous: nothing else runs between allocating and inserting) for organization `orgId` in the next
   * group transaction once that organization's registry state is current.
   */
  async run<T>(orgId: string, fn: (journal: Journal) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // The batch checks again inside its transaction (flush: refresh, isRebuilding) and hands
      // a stale job back, so a first attempt waits here only for a rebuild already known to run.
      // Checking here too would cost every allocation a read transaction of its own (PRAGMA
      // data_version outside a transaction: two fcntl locks and an fstat, ~5 µs, more under load).
      if (attempt > 1 || this.registry.isRebuilding(orgId)) await this.registry.ready(orgId);
      try {
        return await this.enqueue(orgId, fn);
      } catch (error) {
        if (!(error instanceof StaleOrganization)) throw error;
        if (attempt >= MAX_STALE_RETRIES) throw new DatabaseBusyError();
      }
    }
  }

  private enqueue<T>(orgId: string, fn: (journal: Journal) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ orgId, queuedAt: performance.now(), fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const s = this.statements;
    let began = false;
    try {
      s.begin.run();
      began = true;
    } catch (error) {
      if (!isBusy(error)) {
        for (const job of this.queue.splice(0, MAX_BATCH)) job.reject(error);
        if (this.queue.length > 0) {
          this.scheduled = true;
          setImmediate(() => this.flush());
        }
        return;
      }
    }
    if (!began) {
      this.waitForLock();
      return;
    }
    this.pause = 0;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const done: { job: Job; journal: Journal; value: unknown }[] = [];
    const failed: { job: Job; error: unknown }[] = [];
    const stale: Job[] = [];
    const versions = new Journal();
    try {
      this.registry.refresh();
      const written = new Set<string>();
      for (const job of batch) {
        if (this.registry.isRebuilding(job.orgId)) {
          stale.push(job);
          continue;
        }
        const journal = new Journal();
        const marks = this.participants.map((p) => p.mark());
        s.savepoint.run();
        try {
          const value = job.fn(journal);
          s.release.run();
          done.push({ job, journal, value });
          written.add(job.orgId);
        } catch (error) {
          // SQLITE_FULL (and a few other errors) may make SQLite roll back the whole
          // transaction, savepoints included: then every job of the batch failed with it.
          if (!this.database.sqlite.inTransaction) {
            journal.rollback();
            throw error;
          }
          s.rollbackTo.run();
          s.release.run();
          journal.rollback();
          this.participants.forEach((p, i) => p.undo(marks[i]!));
          this.database.storage.noteWriteFailed(error);
          failed.push({ job, error });
        }
      }
      for (const p of this.participants) p.finish();
      for (const orgId of written) this.registry.bump(versions, orgId);
      s.commit.run();
    } catch (error) {
      // The transaction as a whole failed (COMMIT, or the sync): nothing was written.
      if (this.database.sqlite.inTransaction) s.rollback.run();
      this.database.storage.noteWriteFailed(error);
      versions.rollback();
      for (let i = done.length - 1; i >= 0; i--) done[i]!.journal.rollback();
      for (const job of batch) job.reject(error);
      return;
    } finally {
      for (const p of this.participants) p.reset();
    }
    if (failed.length === 0) this.database.storage.noteWriteOk();
    for (const job of stale) job.reject(new StaleOrganization());
    for (const { job, value } of done) job.resolve(value);
    for (const { job, error } of failed) job.reject(error);
  }

  /** Another process holds the write lock: answer the jobs that waited too long, retry later. */
  private waitForLock(): void {
    const now = performance.now();
    const expired = this.queue.filter((job) => now - job.queuedAt >= WRITE_WAIT_MS);
    if (expired.length > 0) {
      this.queue = this.queue.filter((job) => now - job.queuedAt < WRITE_WAIT_MS);
      for (const job of expired) job.reject(new DatabaseBusyError());
    }
    if (this.queue.length === 0 || this.scheduled) return;
    this.pause = Math.min(Math.max(this.pause * 2, 2), MAX_PAUSE_MS);
    this.scheduled = true;
    setTimeout(() => this.flush(), this.pause);
  }
}
