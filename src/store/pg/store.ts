/**
 * The PostgreSQL Store, on Bun's own client (`Bun.SQL`, a connection pool). The server
 * connects as the role that owns the tables (it migrates them at open, exactly once across
 * replicas: migrate.ts), and does all of its work as `ipcraft_app`, a role that owns nothing
 * and is subject to row-level security (drizzle/pg/0001_row_level_security.sql).
 *
 * Every unit of work is one transaction on one pooled connection:
 *
 *   BEGIN
 *   SELECT set_config('role', 'ipcraft_app', true),      first, always: without it the
 *          set_config('app.org_id', <scope or ''>, true)  owner's rights would apply, and a
 *   … fn(q): the repositories' statements …               pooled connection may still hold
 *   COMMIT          (ROLLBACK if fn threw)                 an empty app.org_id from its last use
 *
 * `true` makes both settings transaction-local: they vanish at COMMIT/ROLLBACK and can never
 * leak to the next unit on the same connection. `{ orgId: null }` declares '' — no tenant row
 * is visible except through the pre-authentication lookup windows (auth.ts).
 *
 * Concurrency is PostgreSQL's: units run in parallel on the pool (READ COMMITTED); the UNIQUE
 * indexes decide races (a unique violation becomes the same ApiError SQLite gives). A lost
 * COMMIT reply surfaces as an error to the caller; the IPAM facet (ipam.ts), whose memory
 * does depend on it, undoes memory and marks it unknown.
 */
import { SQL, type TransactionSQL } from "bun";
import type { Queries, Scope, Store } from "../store";
import type { IpamStore } from "../ipam";
import { pgActivity } from "./activity";
import { pgAddresses } from "./addresses";
import { createPgIpam } from "./ipam";
import { pgSubnets } from "./subnets";
import { pgApiKeys } from "./api-keys";
import { keyCredentialOn, pgAuth, sessionCredentialOn } from "./auth";
import { StorageHealth } from "../../db/storage-health";
import { isFull } from "./errors";
import { migratePostgres } from "./migrate";
import { pgOps, pgRateLimits } from "./ops";
import { pgOrganizations } from "./organizations";
import { pgPlans } from "./plans";
import { pgSections } from "./sections";
import { pgSignIn } from "./sign-in";
import { pgTenants } from "./tenants";
import { pgUsers } from "./users";
import { pgEvents } from "./events";
import { pgWebhooks } from "./webhooks";
import { pgPhpipam } from "./phpipam";
import { pgVrfs } from "./vrfs";
import { pgDnsDhcp } from "./dns-dhcp";
import { pgIdempotency } from "./idempotency";
import { intentFor, keptSince, storingIntent } from "../idempotency";

/**
 * Connections of a server's pool (`serve --db-connections`), plus the lookup connection.
 * Fewer, busier connections cost PostgreSQL less CPU per request than many idle ones: each
 * connection prepares and plans its own statements and wakes its own backend process. With 32
 * clients allocating on one replica (bench pg-replicas, alternating runs): 4 connections
 * 2,309–2,655/s at 215–240 µs of PostgreSQL CPU each, 10 connections 1,951–2,191/s at
 * 268–313 µs. Four still let a long export or import run beside the allocation batches.
 */
export const DEFAULT_POOL = 4;

export interface PgStoreOptions {
  /** Connections in the pool (default DEFAULT_POOL). */
  max?: number;
}

/** Connects, migrates (once across replicas) and returns the Store. */
export async function openPgStore(url: string, options: PgStoreOptions = {}): Promise<Store> {
  // Named, so that pg_stat_activity says which connections are ipcraft's.
  const connection = { application_name: "ipcraft" };
  const pool = options.max ?? DEFAULT_POOL;
  const sql = new SQL(url, { max: pool, connection });
  try {
    await migratePostgres(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return createPgStore(sql, { ownsClient: true, where: redactedUrl(url), lookups: new SQL(url, { max: 1, connection }), pool });
}

/** The URL without its password, fit for logs and error sentences. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(PostgreSQL)";
  }
}

/**
 * One transaction working as the application role for `scope` (the drawing above). Every
 * unit of the Store runs through here; exported so that a test can prove what a query
 * missing its organization filter sees under exactly this setup.
 */
export function inScope<T>(sql: SQL, scope: Scope, body: (tx: TransactionSQL) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    // Pipelined: sent first, not awaited before the body's first statement goes out (one
    // round trip less per unit). PostgreSQL runs a connection's statements in order, so the
    // body still runs under the role and organization; if the setup fails, the transaction
    // is aborted and every later statement fails too: it fails closed.
    const setup = tx`SELECT set_config('role', 'ipcraft_app', true), set_config('app.org_id', ${scope.orgId ?? ""}, true)`.execute();
    const [, value] = await Promise.all([setup, body(tx)]);
    return value;
  }) as Promise<T>;
}

/** How long a health ping may take before the database counts as unreachable. */
export const PING_TIMEOUT_MS = 2_000;
/** How long a health ping waits for the pool's probe after the lookup connection answered (a failure to connect comes sooner). */
const POOL_PING_GRACE_MS = 250;

/**
 * The connection pool's side of the health ping. Every write goes through the pool, and a pool
 * that cannot connect (refused, authentication, too many connections) fails within
 * milliseconds while the lookup connection may still answer; a pool that is only busy (long
 * exports, imports) answers late, which is no outage. One probe (`SELECT 1`) at a time, shared
 * by concurrent pings (a flood of probes takes no more than one pool slot); its outcome is
 * remembered however late it comes, and `check` throws while the last finished probe failed.
 */
function poolProber(sql: SQL) {
  let running: Promise<void> | undefined;
  let failure: unknown;
  return {
    probe(): Promise<void> {
      running ??= sql`SELECT 1`
        .execute()
        .then(
          () => {
            failure = undefined;
          },
          (error) => {
            failure = error;
          },
        )
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    check(): void {
      if (failure !== undefined) {
        const reason = failure instanceof Error ? failure.message : String(failure);
        throw new Error(`the connection pool cannot reach PostgreSQL: ${reason}`);
      }
    },
  };
}

/** `p`, or a rejection with `message` once `ms` passed. */
async function withinMs<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Store over an existing (migrated) client. `where`: the database as people may see it
 * (no password).
 *
 * `lookups`: a client of one connection for the one-statement reads every request starts
 * with, outside any transaction: the credential (API key or session) and first-free's memory
 * check. Concurrent requests' lookups are pipelined on it (sent one after the other without
 * waiting, answered in order), so PostgreSQL wakes once for many of them instead of one
 * backend per lookup. Without it (tests over one client), the pool serves them. With
 * `ownsClient`, close() closes both. `pool`: the connections of `sql`, if known (allocation
 * batches then leave one for other work: ipam.ts).
 */
export function createPgStore(sql: SQL, options: { ownsClient?: boolean; where?: string; lookups?: SQL; pool?: number } = {}): Store {
  const lookups = options.lookups ?? sql;
  const poolHealth = poolProber(sql);
  const unit = <T>(scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T> => inScope(sql, scope, (tx) => fn(queriesOn(tx, scope)));
  let ipam: IpamStore | undefined;
  const storage = StorageHealth.forPostgres(options.where ?? "(PostgreSQL)", isFull);
  // Writes tell the storage health what happened: class 53 sets "full", a commit clears it.
  const write = async <T>(scope: Scope, fn: (q: Queries) => Promise<T>, idempotent = true): Promise<T> => {
    // An Idempotency-Key's row goes into this transaction (store/idempotency.ts); not for tryWrite's bookkeeping.
    const intent = storingIntent(idempotent ? intentFor(scope.orgId) : undefined, ([q], row) => q.idempotency.save(row, keptSince()), fn);
    try {
      const value = await unit(scope, intent.body);
      intent.committed();
      storage.noteWriteOk();
      return value;
    } catch (error) {
      storage.noteWriteFailed(error);
      throw error;
    }
  };

  return {
    kind: "postgres",
    read: unit,
    write: (scope, fn) => write(scope, fn),
    async tryWrite<T>(scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T | undefined> {
      try {
        return await write(scope, fn, false);
      } catch (error) {
        if (isFull(error)) return undefined;
        throw error;
      }
    },
    /** Per-replica memory, each organization loaded on first use (ipam.ts). */
    get ipam(): IpamStore {
      ipam ??= createPgIpam(sql, inScope, queriesOn, lookups, options.pool);
      return ipam;
    },
    keyCredential: (hash) => keyCredentialOn(lookups, hash),
    sessionCredential: (hash) => sessionCredentialOn(lookups, hash),
    async ping() {
      const probe = lookups === sql ? undefined : poolHealth.probe();
      await withinMs(lookups`SELECT 1`.execute(), PING_TIMEOUT_MS, `PostgreSQL did not answer within ${PING_TIMEOUT_MS} ms`);
      // A probe still running after the grace is a busy pool, not a down one: the last outcome decides.
      if (probe) await withinMs(probe, POOL_PING_GRACE_MS, "busy").catch(() => {});
      poolHealth.check();
    },
    storage,
    async close() {
      if (!options.ownsClient) return;
      // Both, even if one fails to close.
      const closed = await Promise.allSettled([sql.close(), ...(lookups !== sql ? [lookups.close()] : [])]);
      const failure = closed.find((c) => c.status === "rejected");
      if (failure) throw (failure as PromiseRejectedResult).reason;
    },
  };
}

/** The repositories, bound to one transaction. Cheap: a few closures per unit. */
function queriesOn(tx: TransactionSQL, scope: Scope): Queries {
  return {
    auth: pgAuth(tx, scope),
    apiKeys: pgApiKeys(tx),
    organizations: pgOrganizations(tx),
    users: pgUsers(tx),
    signIn: pgSignIn(tx, scope),
    sections: pgSections(tx),
    vrfs: pgVrfs(tx),
    activity: pgActivity(tx, scope),
    plans: pgPlans(tx),
    tenants: pgTenants(tx),
    subnets: pgSubnets(tx),
    addresses: pgAddresses(tx),
    ops: pgOps(tx, scope),
    rateLimits: pgRateLimits(tx),
    events: pgEvents(tx),
    webhooks: pgWebhooks(tx, scope),
    dnsDhcp: pgDnsDhcp(tx),
    phpipam: pgPhpipam(tx),
    idempotency: pgIdempotency(tx, scope),
  };
}
