/**
 * The in-memory IPAM state the hot paths read instead of the database, per organization:
 * - one SubnetTree per VRF: automatic nesting, most specific subnet of an IP;
 * - one SubnetAllocator per subnet, holding its direct address records plus one range per
 *   direct child subnet: first-free, allocation and utilization without counting rows.
 *
 * It is built from the database at boot (`IpamRegistry.load`) and changed only inside IPAM
 * write transactions (journal.ts, group-commit.ts), so it equals what is committed.
 *
 * Other writers. The CLI or an API import's Worker may commit to the same file. Every IPAM
 * write transaction — theirs and ours, all through a store IPAM write or GroupCommit — bumps its
 * organization's row in `ipam_versions` before COMMIT (`bump`). Memory keeps the version
 * each organization's state equals, and follows the database like this:
 *
 *     request for org A ─▶ PRAGMA data_version moved? ── no ──▶ A's state is current
 *                              │ yes (another connection committed something)
 *                              ▼
 *                  SELECT org_id, version FROM ipam_versions   (one small row per org)
 *                              │ each org whose version differs from memory's
 *                              ▼
 *                  rebuild that org only, in slices (org-loader.ts):
 *                    v₀ = version ─▶ rows in pages, event loop free between slices
 *                       ─▶ v₁ = version: v₁ = v₀ ? swap the new state in (one step)
 *                                        : load again (3rd try: in one read transaction)
 *
 * A write that touches no subnet or address (keys, sessions, activity pruning) moves no
 * version and costs one small SELECT. Requests for an organization being rebuilt wait for
 * it (`ready`): slower, never wrong; other organizations are served meanwhile. A write
 * verifies inside its transaction that its organization is still current (`isCurrent`)
 * — if another process committed between the wait and BEGIN, it rolls back and waits
 * again — and bumps the version, keeping the new value in memory too (`bump`), so the
 * server's own writes never cause a rebuild. One statement per transaction (per organization
 * and batch in group commit). Why not triggers on subnets and addresses, which would catch
 * raw SQL too: a table with a trigger makes every INSERT keep a statement journal; 300,000
 * address INSERTs in one transaction on a file measured 89 µs per row with the trigger, 34
 * without (what a CLI import does).
 * So a writer of subnets or addresses must go through a store IPAM write (store/sqlite/ipam.ts) or GroupCommit.
 *
 * Replay instead of rebuild. A writer that is not the server (the CLI import, the import
 * Worker: `load(…, { logChanges: true })`) also writes, in the same transaction as its bump,
 * one `ipam_changes` row: the takes and frees it made (IpamMemory `pending`), keyed by the
 * version it moved to. When the server finds an organization behind, it first tries to
 * replay: in one read transaction, the stored version s and the rows of versions m+1..s
 * (m: memory's). Every row present and replayable → the takes and frees are applied to
 * memory in one step and m becomes s; anything else (a missing row: a writer that does not
 * log, raw SQL with a bump; a NULL row: subnets reshaped, or a bulk write; a change memory
 * refuses) → the full rebuild above, as before. The server logs nothing (its own writes
 * never need a replay) and only reads the table.
 */
import type { Database } from "bun:sqlite";
import { ipFromKey, lastAddress, type Prefix } from "../ip";
import { deadlineMs, expiryKey, expiryOf } from "./expiry";
import { IpamMemory } from "./memory";
import { Journal } from "./journal";
import { BULK_ROWS, loaderQueries, loadNow, loadOrganization, loadSliced, nextTurn, OrgIpam, storedVersion, type LoaderQueries, type SubnetState } from "./org-loader";

export type { SubnetState } from "./org-loader";

/** Sliced attempts at a rebuild before it loads in one read transaction (another process keeps committing). */
const SLICED_ATTEMPTS = 2;
/** Waits for a rebuild one read makes before it serves what memory holds. */
const READ_WAITS = 3;
/** Change-log rows a logging writer keeps per organization (≤ ~15 MB at MAX_REPLAYED_CHANGES each): a server further behind rebuilds. */
export const KEPT_CHANGES = 256;

/** How the registry followed other connections since it was loaded (/metrics). */
export interface FollowStats {
  /** commits by other connections noticed (PRAGMA data_version moved), IPAM or not */
  foreignCommits: number;
  /** organizations brought up to date by replaying ipam_changes */
  replays: number;
  /** takes and frees those replays applied */
  replayedChanges: number;
  /** organizations rebuilt from their rows (no replay possible) */
  rebuilds: number;
}

export interface RegistryOptions {
  /**
   * Log this connection's IPAM writes to ipam_changes (writers other than the server). Only
   * for writers that change memory for every address row they insert, delete or move (the
   * CSV import, the split): a row written behind memory's back would be missing from the
   * log, and the server would replay a write without it.
   */
  logChanges?: boolean;
}

/** See the module comment. */
export class IpamRegistry extends IpamMemory {
  /** data_version when the versions table was last compared with memory */
  private dataVersion = -1;
  /** organizations whose state is being rebuilt, and the promise of that */
  private readonly rebuilding = new Map<string, Promise<void>>();
  private readonly q: LoaderQueries;
  private readonly dataVersionQuery;
  private readonly bumpQuery;
  private readonly expiringQuery;
  /** Rebuilds swapped in since load, per organization (tests, diagnostics). */
  readonly rebuilds = new Map<string, number>();
  /** See FollowStats. */
  readonly stats: FollowStats = { foreignCommits: 0, replays: 0, replayedChanges: 0, rebuilds: 0 };
  private readonly changes;

  /** `only`: follow one organization and ignore the others (the CLI and import Worker). */
  private constructor(
    private readonly sqlite: Database,
    private readonly only?: string,
    options: RegistryOptions = {},
  ) {
    super();
    this.q = loaderQueries(sqlite);
    this.dataVersionQuery = sqlite.query<{ data_version: number }, []>("PRAGMA data_version");
    this.expiringQuery = sqlite.query<{ vrf: string; ip_key: Uint8Array; expires_at: string }, [string]>(
      // The few expiring rows, through their partial index (without statistics SQLite read every
      // record of the organization at each boot and rebuild).
      "SELECT vrf, ip_key, expires_at FROM addresses INDEXED BY addresses_expires_idx WHERE +org_id = ? AND expires_at IS NOT NULL",
    );
    this.bumpQuery = sqlite.query<{ version: number }, [string]>(
      "INSERT INTO ipam_versions (org_id, version) VALUES (?, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1 RETURNING version",
    );
    this.changes = {
      log: sqlite.query<null, [string, number, string | null]>("INSERT OR REPLACE INTO ipam_changes (org_id, version, changes) VALUES (?, ?, ?)"),
      prune: sqlite.query<null, [string, number]>("DELETE FROM ipam_changes WHERE org_id = ? AND version <= ?"),
      since: sqlite.query<{ version: number; changes: string | null }, [string, number, number]>(
        "SELECT version, changes FROM ipam_changes WHERE org_id = ? AND version > ? AND version <= ? ORDER BY version",
      ),
    };
    if (options.logChanges) this.pending = { changes: [], replayable: true };
  }

  /**
   * Builds the registry from the database in one read transaction (server boot; the CLI and
   * the import Worker pass `only`, the one organization they write, and `logChanges`).
   */
  static load(database: { sqlite: Database }, only?: string, options?: RegistryOptions): IpamRegistry {
    const registry = new IpamRegistry(database.sqlite, only, options);
    registry.inReadTransaction(() => {
      registry.dataVersion = registry.dataVersionQuery.get()!.data_version;
      const ids = only !== undefined ? [only] : registry.q.organizations.all().map((r) => r.org_id);
      for (const id of ids) registry.install(id, loadNow(loadOrganization(registry.q, id, BULK_ROWS)));
    });
    return registry;
  }

  /**
   * Resolves when `orgId`'s state is current; undefined (nothing to wait for) when it is
   * already. Every IPAM read and write starts here: `await registry.ready(orgId)`.
   */
  ready(orgId: string): Promise<void> | undefined {
    this.refresh();
    return this.rebuilding.get(orgId);
  }

  /** For reads: waits (a few times at most) until `orgId`'s state is current. */
  async readyForRead(orgId: string): Promise<void> {
    for (let i = 0; i < READ_WAITS; i++) {
      const pending = this.ready(orgId);
      if (!pending) return;
      await pending;
    }
  }

  /**
   * Inside a write transaction (we hold the write lock, nobody else can commit): whether
   * memory equals the database for `orgId`. False means roll back and `ready` again.
   */
  isCurrent(orgId: string): boolean {
    // Every write body starts here: what memory changed before it is not this write's.
    if (this.pending) this.pending = { changes: [], replayable: true };
    this.refresh();
    return !this.rebuilding.has(orgId);
  }

  /** Whether `orgId` awaits or undergoes a rebuild, as of the last `refresh()` (a batch checks many jobs after one refresh). */
  isRebuilding(orgId: string): boolean {
    return this.rebuilding.has(orgId);
  }

  /**
   * Inside a write transaction, after its changes to `orgId`: moves the stored version on
   * (other processes will notice) and memory with it (we will not rebuild for our own write).
   * Undone by the journal, like the SQL by ROLLBACK.
   */
  bump(journal: Journal, orgId: string): void {
    const org = this.orgFor(journal, orgId);
    const before = org.version;
    org.version = this.bumpQuery.get(orgId)!.version;
    journal.onRollback(() => (org.version = before));
    if (this.pending) {
      const { changes, replayable } = this.pending;
      this.pending = { changes: [], replayable: true };
      const text = replayable ? JSON.stringify(changes.map((c) => [c.subnetId, c.kind, String(c.value)])) : null;
      this.changes.log.run(orgId, org.version, text);
      this.changes.prune.run(orgId, org.version - KEPT_CHANGES);
    }
  }

  override followStats(): Record<string, number> {
    return { ...this.stats };
  }

  /** Compares memory with the versions table when another connection committed; starts rebuilds. */
  refresh(): void {
    const version = this.dataVersionQuery.get()!.data_version;
    if (version === this.dataVersion) return;
    if (this.dataVersion !== -1) this.stats.foreignCommits++;
    this.dataVersion = version;
    if (this.only !== undefined) {
      if (storedVersion(this.q, this.only) !== this.versionOf(this.only)) this.startRebuild(this.only);
      return;
    }
    const stored = new Map<string, number>();
    for (const row of this.q.allVersions.all()) stored.set(row.org_id, row.version);
    for (const [orgId, v] of stored) if (v !== this.versionOf(orgId)) this.startRebuild(orgId);
    // A row that vanished: its organization was deleted (ON DELETE CASCADE).
    for (const [orgId, org] of this.orgs) if (!stored.has(orgId) && org.version !== 0) this.startRebuild(orgId);
  }

  private versionOf(orgId: string): number {
    return this.orgs.get(orgId)?.version ?? 0;
  }

  private startRebuild(orgId: string): void {
    if (this.rebuilding.has(orgId)) return; // the running one compares versions at its end
    const done = this.rebuild(orgId);
    done.catch(() => {}); // waiters get the error; nobody waiting is no crash
    this.rebuilding.set(orgId, done);
  }

  /** See the module comment's drawing. */
  private async rebuild(orgId: string): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        // Never read inside the write transaction that may have noticed the change.
        await nextTurn();
        if (attempt === 1 && !this.sqlite.inTransaction && this.replay(orgId)) {
          this.rebuilding.delete(orgId);
          return;
        }
        let org: OrgIpam;
        if (attempt <= SLICED_ATTEMPTS) {
          org = await loadSliced(loadOrganization(this.q, orgId));
          if (this.sqlite.inTransaction || storedVersion(this.q, orgId) !== org.version) continue;
        } else {
          // Another process keeps committing to this organization: one consistent snapshot.
          if (this.sqlite.inTransaction) continue;
          org = this.inReadTransaction(() => loadNow(loadOrganization(this.q, orgId, BULK_ROWS)));
        }
        this.install(orgId, org);
        this.rebuilds.set(orgId, (this.rebuilds.get(orgId) ?? 0) + 1);
        this.stats.rebuilds++;
        this.rebuilding.delete(orgId);
        return;
      }
    } catch (error) {
      // Memory stays behind: compare again at the next request, which starts a new rebuild.
      this.rebuilding.delete(orgId);
      this.dataVersion = -1;
      throw error;
    }
  }

  /**
   * Brings `orgId` up to date from ipam_changes, in this turn; false (memory unchanged) when
   * that is not possible and a rebuild must do it. See the module comment.
   */
  private replay(orgId: string): boolean {
    // An organization memory does not hold has no state to replay onto (version 0 with
    // subnets is one: a database written before ipam_versions existed).
    const org = this.orgs.get(orgId);
    if (!org) return false;
    const from = org.version;
    const { stored, rows } = this.inReadTransaction(() => {
      const stored = storedVersion(this.q, orgId);
      return { stored, rows: stored > from ? this.changes.since.all(orgId, from, stored) : [] };
    });
    // Rows are unique per version and bounded by (from, stored]: as many rows as versions = no hole.
    if (stored <= from || rows.length !== stored - from || rows.some((r) => r.changes === null)) return false;
    const journal = new Journal();
    let applied = 0;
    try {
      for (const row of rows) {
        for (const [subnetId, kind, text] of JSON.parse(row.changes!) as [string, string, string][]) {
          const state = org.subnets.get(subnetId);
          const value = BigInt(text);
          if (!state) throw new ReplayRefused();
          if (kind === "take") {
            if (this.take(journal, state, value) !== "ok") throw new ReplayRefused();
          } else if (kind === "free") {
            if (state.allocator.recordsIn(value, value) !== 1) throw new ReplayRefused();
            this.release(journal, state, value);
          } else {
            throw new ReplayRefused();
          }
          applied++;
        }
      }
    } catch (error) {
      // Memory as it was; the rebuild takes over (a malformed row is no reason to stop serving).
      journal.rollback();
      if (!(error instanceof ReplayRefused) && !(error instanceof SyntaxError) && !(error instanceof RangeError)) throw error;
      return false;
    }
    org.version = stored;
    this.stats.replays++;
    this.stats.replayedChanges += applied;
    return true;
  }

  private install(orgId: string, org: OrgIpam): void {
    // Deadlines of expiring records (few: a partial index), with the state they belong to.
    const e = expiryOf(org);
    for (const row of this.expiringQuery.all(orgId)) {
      const ip = ipFromKey(row.ip_key);
      e.index.set(expiryKey(row.vrf, ip.family, ip.value), deadlineMs(row.expires_at));
    }
    if (org.subnets.size === 0 && org.version === 0) this.orgs.delete(orgId);
    else this.orgs.set(orgId, org);
  }

  private inReadTransaction<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return fn();
    this.sqlite.run("BEGIN");
    try {
      return fn();
    } finally {
      this.sqlite.run("COMMIT");
    }
  }
}

/** A change-log row memory cannot apply: rebuild instead. */
class ReplayRefused extends Error {}

/** Both ends of a subnet, for BETWEEN scans. */
export function boundsOf(p: Prefix): { first: bigint; last: bigint } {
  return { first: p.network, last: lastAddress(p) };
}
