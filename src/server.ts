/**
 * Running the app for real: take the database lock, open and migrate, listen, and shut
 * down gracefully (stop accepting, let in-flight requests finish, checkpoint, close, unlock).
 * On a postgres:// URL, `startPgServer` (at the end): one replica of many, no file lock.
 */
import { SWEEP_EVERY_MS, sweepExpired } from "./features/addresses/expiry";
import { createApp } from "./app";
import { createSqliteStore } from "./store/sqlite/store";
import { openPgStore } from "./store/pg/store";
import type { Store } from "./store/store";
import { announceSetupLink } from "./auth/first-owner";
import { rememberPeer } from "./auth/client-ip";
import { autoPublicUrl, type ServerConfig } from "./config";
import { openDatabase, type OpenDatabase } from "./db/client";
import { acquireServerLock, assertWritable } from "./db/server-lock";
import type { Logger } from "./logger";
import { pruneActivity } from "./features/activity/prune";
import { pruneIdempotencyKeys } from "./http/idempotency";
import { deliveryWorker } from "./features/webhooks/worker";
import { MAX_IMPORT_BYTES } from "./http/body";

/**
 * Bun's own body limit (see `listen`): above any route's, which the app enforces itself, and
 * close to it, so that nothing the app does not read can grow large before Bun cuts it off.
 */
const BUN_BODY_BACKSTOP_BYTES = 2 * MAX_IMPORT_BYTES;
import { uiRoutes } from "./ui/serve";

export interface RunningServer {
  url: string;
  port: number;
  /** The server's own connection (its PRAGMAs are what tests check). */
  database: OpenDatabase;
  /** Its store (tests drive the IPAM clock that expiry reads, `store.ipam.memory.clock`). */
  store: Store;
  /** Graceful stop; resolves when everything is closed. Safe to call twice. */
  stop(): Promise<void>;
}

export function startServer(config: ServerConfig, logger: Logger): RunningServer {
  const lock = acquireServerLock(config.db);
  let database;
  try {
    assertWritable(lock.path);
    // The real file (links resolved), so the WAL sits beside what the lock guards. No busy
    // timeout: the server never blocks its event loop on another process's lock (db/tx.ts).
    database = openDatabase(lock.path, { synchronous: config.synchronous, busyTimeoutMs: 0, backgroundCheckpoints: true });
  } catch (error) {
    lock.release();
    throw error;
  }
  // With --port 0 the port is known only once bound; an automatic public URL (sign-in links,
  // allowed origins) must name the real one. `app` is assigned right after binding, before
  // this synchronous function returns, so no request can see it unset.
  const automaticUrl = config.publicUrl === autoPublicUrl(config.host, config.port);
  let app: ReturnType<typeof createApp>;
  const store = createSqliteStore(database);
  const server = listen(config, (request) => app!.handle(request));
  const port = server.port ?? config.port;
  if (automaticUrl) config.publicUrl = autoPublicUrl(config.host, port);
  try {
    app = createApp({ database, store, config, logger });
  } catch (error) {
    // e.g. rows the allocator refuses to load: fail the start cleanly, leave nothing held.
    server.stop(true);
    database.close();
    lock.release();
    throw error;
  }
  const chores = housekeeping(store, logger, config.activityRetentionDays);
  const url = config.publicUrl;
  lock.announce(url);
  logger.info("listening", { url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`, db: config.db });
  firstStart(store, url, logger);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    database,
    store,
    stop() {
      stopping ??= (async () => {
        logger.info("shutting down: finishing in-flight requests");
        await server.stop(false);
        // The last responses' after-response hooks (their access-log lines) run on a later turn.
        await new Promise((resolve) => setImmediate(resolve));
        await chores.stop();
        database.close();
        lock.release();
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}

/** A replica on PostgreSQL: the same shell, the store instead of a database file. */
export interface RunningPgServer {
  url: string;
  port: number;
  store: Store;
  stop(): Promise<void>;
}

/**
 * `serve --db postgres://…`: connect and migrate (once across replicas, store/pg/migrate.ts),
 * listen, stop gracefully. No file lock: any number of replicas share the database. Features
 * not on the store yet answer 501 (app.ts). Activity pruning runs hourly here too; the store
 * makes it run once across replicas.
 */
export async function startPgServer(config: ServerConfig, logger: Logger): Promise<RunningPgServer> {
  const store = await openPgStore(config.db, { max: config.dbConnections });
  const automaticUrl = config.publicUrl === autoPublicUrl(config.host, config.port);
  let app: ReturnType<typeof createApp>;
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = listen(config, (request) => app!.handle(request));
  } catch (error) {
    await store.close();
    throw error;
  }
  const port = server.port ?? config.port;
  if (automaticUrl) config.publicUrl = autoPublicUrl(config.host, port);
  app = createApp({ store, config, logger });
  const chores = housekeeping(store, logger, config.activityRetentionDays);
  logger.info("listening", { url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`, db: "postgres" });
  firstStart(store, config.publicUrl, logger);
  let stopping: Promise<void> | undefined;
  return {
    url: config.publicUrl,
    port,
    store,
    stop() {
      stopping ??= (async () => {
        logger.info("shutting down: finishing in-flight requests");
        await server.stop(false);
        // The last responses' after-response hooks (their access-log lines) run on a later turn.
        await new Promise((resolve) => setImmediate(resolve));
        await chores.stop();
        await store.close();
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}

/**
 * Listens for `handle` (the app, assigned by the caller right after binding, before any
 * request can arrive) with the settings every replica shares.
 */
function listen(config: ServerConfig, handle: (request: Request) => Response | Promise<Response>) {
  return Bun.serve({
    hostname: config.host,
    port: config.port,
    // Only a backstop: the app refuses a body over its route's limit (MAX_IMPORT_BYTES for CSV
    // imports, MAX_BODY_BYTES elsewhere) by its Content-Length before reading it, and while
    // reading one without (http/body.ts), with the 413 `body_too_large` error shape. At Bun's
    // own limit it answers a bare 413 with no body, so that limit sits above the app's.
    maxRequestBodySize: BUN_BODY_BACKSTOP_BYTES,
    // The web app's pages (HTML imports, bundled into the binary); everything else — the
    // API, /docs, /healthz, /auth/verify — goes to the Elysia app in `fetch`.
    routes: uiRoutes(),
    // Never the dev server (hot reload, unminified bundles), even when run from source.
    development: false,
    // A client that stalls (a body that never ends, an idle keep-alive) is cut off after this
    // many silent seconds, so slow clients cannot hold sockets forever. (Bun itself closes a
    // connection whose header block is still incomplete after ~10 s, whatever this says.)
    idleTimeout: config.idleTimeout,
    fetch: (request, bun) => {
      // The socket's peer address, for per-IP rate limits (auth/client-ip.ts), asked for when
      // one needs it; a client cannot forge it, unlike X-Forwarded-For.
      rememberPeer(request, bun);
      return handle(request);
    },
    // Bun's default error page would leak a stack trace; the app maps errors itself, so
    // reaching here is a bug in the shell. Answer with the error shape anyway.
    error: () => Response.json({ error: "internal error", code: "internal_error" }, { status: 500 }),
  });
}

/**
 * First run: nobody can sign in yet. The log gets a one-time setup link (auth/first-owner.ts),
 * so whoever started the server opens the web app from it; `ipcraft login-link` still works.
 */
function firstStart(store: Store, publicUrl: string, logger: Logger): void {
  announceSetupLink(store, publicUrl, logger).catch((error) =>
    logger.warn("could not issue the setup link; run `ipcraft login-link you@example.org` (with the same --db) instead", {
      error: error instanceof Error ? error.message : String(error),
    }),
  );
}

/**
 * The work a server does outside requests, on either backend: activity and Idempotency-Key
 * pruning (hourly; a CLI
 * holding the write lock or a full disk just postpones it; once across replicas on
 * PostgreSQL) and webhook delivery from the outbox (features/webhooks/worker.ts; replicas
 * claim deliveries with SKIP LOCKED, so each is sent by one of them).
 */
function housekeeping(store: Store, logger: Logger, retentionDays: number | undefined): { stop(): Promise<void> } {
  const prune = () => {
    pruneActivity(store, new Date(), retentionDays).then(
      (pruned) => {
        if (pruned) logger.info("activity pruned", { entries: pruned });
      },
      (error) => logger.warn("activity pruning postponed", { error: error instanceof Error ? error.message : String(error) }),
    );
    // Idempotency-Key answers live 24 h (http/idempotency.ts); reads ignore older ones meanwhile.
    pruneIdempotencyKeys(store).then(
      (pruned) => {
        if (pruned) logger.info("idempotency keys pruned", { keys: pruned });
      },
      (error) => logger.warn("idempotency key pruning postponed", { error: error instanceof Error ? error.message : String(error) }),
    );
  };
  prune();
  const pruneTimer = setInterval(prune, 3600_000);
  pruneTimer.unref();
  // Expired addresses are free at once in memory; the sweep deletes their rows (address.expire).
  let sweeping = false;
  const sweepTimer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepExpired(store)
      .then(
        (swept) => {
          if (swept) logger.info("expired addresses swept", { addresses: swept });
        },
        (error) => logger.warn("expiry sweep postponed", { error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => (sweeping = false));
  }, SWEEP_EVERY_MS);
  sweepTimer.unref();
  const webhooks = deliveryWorker(store, logger);
  webhooks.start();
  return {
    async stop() {
      clearInterval(pruneTimer);
      clearInterval(sweepTimer);
      await webhooks.stop();
    },
  };
}
