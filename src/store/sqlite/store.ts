/**
 * The SQLite Store: the one bun:sqlite connection of db/client.ts (its PRAGMAs, server lock
 * and migrations unchanged), taken in turns through the connection queue.
 *
 * bun:sqlite is synchronous, so every q-call finishes its SQL before it returns; the bodies
 * are async only because the interface is. A body therefore runs to its end in microtasks,
 * and holding the queue for it costs no more than the synchronous transactions did:
 *
 *   read(scope, fn)                      write(scope, fn)
 *   ───────────────                      ────────────────
 *   queue.run ─┐                         queue.run ─┐
 *              │ fn(q)   (autocommit     │ BEGIN IMMEDIATE ── SQLITE_BUSY (another process:
 *              │  statements, one turn)  │   the CLI) ──▶ release the queue, sleep 2…100 ms,
 *   release  ◀─┘                         │   try again; reads keep being served; after
 *                                        │   WRITE_WAIT_MS: DatabaseBusyError → 503
 *                                        │ await fn(q)        q-calls run their SQL at once
 *                                        │ COMMIT             (ROLLBACK if fn threw)
 *                                        release ◀─┘
 *
 * Reads take no BEGIN: a read's statements run back to back in one turn with nothing of
 * ours in between, and a SQLite reader never waits for a writer under WAL.
 *
 * A write body that awaited real I/O would hold the write lock and the queue across turns
 * of the event loop; one that does is refused at COMMIT (rolled back, an Error: a bug).
 * Scope is not needed here (one tenant wall: the explicit org_id filters); it is accepted
 * so that both dialects run the same service code.
 */
import type { OpenDatabase } from "../../db/client";
import { connectionQueue } from "../../db/connection-queue";
import { isBusy, isFull } from "../../db/errors";
import { tryBegin, withWriteLock } from "../../db/tx";
import type { Queries, Scope, Store } from "../store";
import { intentFor, keptSince, storingIntent } from "../idempotency";
import { sqliteActivity } from "./activity";
import { sqliteAddresses } from "./addresses";
import type { IpamRegistry } from "../../ipam/registry";
import { createSqliteIpam, type SqliteIpam } from "./ipam";
import { sqliteSubnets } from "./subnets";
import { sqliteApiKeys } from "./api-keys";
import { sqliteAuth } from "./auth";
import { sqliteOps, sqliteRateLimits } from "./ops";
import { sqliteOrganizations } from "./organizations";
import { sqlitePlans } from "./plans";
import { sqliteSections } from "./sections";
import { sqliteSignIn } from "./sign-in";
import { sqliteTenants } from "./tenants";
import { sqliteUsers } from "./users";
import { sqliteEvents } from "./events";
import { sqliteWebhooks } from "./webhooks";
import { sqlitePhpipam } from "./phpipam";
import { sqliteVrfs } from "./vrfs";
import { sqliteDnsDhcp } from "./dns-dhcp";
import { sqliteIdempotency } from "./idempotency";

export interface SqliteStoreOptions {
  /** Whether close() closes the database too (openStore's own database), else the caller does. */
  ownsDatabase?: boolean;
  /** The IPAM memory to keep in step, already loaded (the import worker's and the CLI's, which follow one organization). */
  registry?: IpamRegistry;
}

export function createSqliteStore(database: OpenDatabase, options: SqliteStoreOptions = {}): Store & { readonly ipam: SqliteIpam } {
  const queries = sqliteQueries(database);
  const queue = connectionQueue(database.sqlite);
  let ipam: SqliteIpam | undefined;
  // A real read of the file (the schema page), not `SELECT 1`, which never touches the disk.
  // Outside the queue, as /healthz always did: a SQLite reader never waits for a writer.
  const ping = database.sqlite.query("SELECT COUNT(*) AS n FROM sqlite_master");

  const store = {
    kind: "sqlite" as const,
    read: <T>(_scope: Scope, fn: (q: Queries) => Promise<T>) => queue.run(() => fn(queries)),
    keyCredential: (hash: string) => queue.run(() => queries.auth.keyByHash(hash)),
    sessionCredential: (hash: string) => queue.run(() => queries.auth.sessionByHash(hash)),
    async write<T>(scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T> {
      // An Idempotency-Key's row goes into this transaction (store/idempotency.ts).
      const unit = storingIntent(intentFor(scope.orgId), ([q], row) => q.idempotency.save(row, keptSince()), fn);
      const value = await withWriteLock(database.sqlite, () => runBody(database, () => unit.body(queries)));
      unit.committed();
      return value;
    },
    async tryWrite<T>(_scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T | undefined> {
      try {
        return await queue.run(() => (tryBegin(database.sqlite) ? runBody(database, () => fn(queries)) : undefined));
      } catch (error) {
        if (isBusy(error) || isFull(error)) return undefined;
        throw error;
      }
    },
    /** Loads every organization's trees and allocators on first use (server boot). */
    get ipam(): SqliteIpam {
      ipam ??= createSqliteIpam(database, store, queries, options.registry);
      return ipam;
    },
    async ping() {
      ping.get();
    },
    storage: database.storage,
    async close() {
      if (options.ownsDatabase) database.close();
    },
  };
  return store;
}

/** The repositories over one connection (statements prepared once per connection). */
export function sqliteQueries(database: OpenDatabase): Queries {
  return {
    auth: sqliteAuth(database),
    apiKeys: sqliteApiKeys(database),
    organizations: sqliteOrganizations(database),
    users: sqliteUsers(database),
    signIn: sqliteSignIn(database),
    sections: sqliteSections(database),
    vrfs: sqliteVrfs(database),
    activity: sqliteActivity(database),
    plans: sqlitePlans(database),
    tenants: sqliteTenants(database),
    subnets: sqliteSubnets(database),
    addresses: sqliteAddresses(database),
    ops: sqliteOps(database),
    rateLimits: sqliteRateLimits(database),
    events: sqliteEvents(database),
    webhooks: sqliteWebhooks(database),
    dnsDhcp: sqliteDnsDhcp(database),
    phpipam: sqlitePhpipam(database),
    idempotency: sqliteIdempotency(database),
  };
}

/**
 * Inside an open transaction: the body, then COMMIT; ROLLBACK and rethrow if anything throws.
 * `onRollback` runs right after the ROLLBACK, in the same turn (the IPAM facet undoes memory there).
 */
export async function runBody<T>(database: OpenDatabase, fn: () => Promise<T>, onRollback?: () => void): Promise<T> {
  const { sqlite } = database;
  let crossedTurn = false;
  const watch = setImmediate(() => (crossedTurn = true));
  try {
    const value = await fn();
    if (crossedTurn) throw new Error("a store write body awaited something other than its queries (it held the write lock across I/O)");
    sqlite.run("COMMIT");
    database.storage.noteWriteOk();
    return value;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.run("ROLLBACK");
    onRollback?.();
    database.storage.noteWriteFailed(error);
    throw error;
  } finally {
    clearImmediate(watch);
  }
}
