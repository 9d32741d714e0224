/**
 * createApp(deps): the whole HTTP application, with no side effects at import and no
 * listening socket, so tests drive it in-process with `app.handle(new Request(...))`.
 * This file is the table of contents: every feature router is mounted here, in order.
 *
 * Storage: converted features speak `deps.store` (store/store.ts; subnets and addresses its
 * IPAM facet, store/ipam.ts); the others still use the SQLite `deps.database` directly. Given
 * a `database`, the store is built over it (tests and `serve` unchanged). Given only a `store`
 * (PostgreSQL, during the storage split), the converted features are mounted and the others
 * answer 501 `not_on_postgres` naming themselves (TODO table in store/store.ts).
 */
import { Elysia } from "elysia";
import type { ServerConfig } from "./config";
import type { OpenDatabase } from "./db/client";
import { activityRoutes } from "./features/activity/routes";
import { changeFeedRoutes } from "./features/changes/routes";
import { webhookRoutes } from "./features/webhooks/routes";
import { rateLimits } from "./auth/request-limits";
import { addressRoutes } from "./features/addresses/routes";
import { apiKeyRoutes } from "./features/api-keys/routes";
import { authRoutes, meRoutes } from "./features/auth/routes";
import { organizationRoutes } from "./features/organization/routes";
import { healthRoutes } from "./features/health/routes";
import { ioRoutes } from "./features/io/routes";
import { dnsDhcpRoutes } from "./features/dns-dhcp/routes";
import { sectionRoutes } from "./features/sections/routes";
import { vrfRoutes } from "./features/vrfs/routes";
import { subnetRoutes } from "./features/subnets/routes";
import { nextFreeSubnetRoutes } from "./features/subnets/next-free-routes";
import { toolsRoutes } from "./features/tools/routes";
import { userRoutes } from "./features/users/routes";
import { apiDocs } from "./http/docs";
import { createMetrics, type Metrics, metricsRoute } from "./http/metrics";
import { ApiError } from "./http/errors";
import { httpShell, requestShape } from "./http/shell";
import type { IpamRegistry } from "./ipam/registry";
import type { SqliteIpam } from "./store/sqlite/ipam";
import { createSqliteStore } from "./store/sqlite/store";
import type { Store } from "./store/store";
import type { Logger } from "./logger";
import { VERSION } from "./version";

/** What a feature on the store needs (no SQLite database). */
export type StoreDeps = Omit<AppDeps, "database">;

export interface AppDeps {
  store: Store;
  database: OpenDatabase;
  config: ServerConfig;
  logger: Logger;
  version: string;
  metrics: Metrics;
}

/** What createApp needs: a SQLite `database` (the store is built over it), or only a `store`. */
export type AppInput = Omit<AppDeps, "version" | "metrics" | "store" | "database"> &
  Partial<Pick<AppDeps, "version" | "metrics">> &
  ({ database: OpenDatabase; store?: Store } | { database?: undefined; store: Store });

export function createApp(input: AppInput) {
  const common = { version: VERSION, metrics: createMetrics(), ...input };
  if (!input.database) return storeOnlyApp({ ...common, store: input.store });
  const store = (input.store ?? createSqliteStore(input.database)) as Store;
  const deps: AppDeps = { ...common, database: input.database, store };
  // Subnet trees and allocators, built once from the database (see ipam/registry.ts); the CSV
  // import and the DNS/DHCP exports still read the registry directly.
  const ipam = { ...deps, registry: sqliteRegistry(store) };
  const app: Elysia = new Elysia()
    .use(httpShell({ logger: deps.logger, routes: () => app.router.history, metrics: deps.metrics, storage: deps.database.storage }))
    .use(rateLimits(deps))
    .use(requestShape())
    .use(apiDocs(deps.version, () => app.router.history))
    .use(healthRoutes(deps))
    .use(toolsRoutes(deps)) as unknown as Elysia;
  withStoreFeatures(app, deps)
    .use(ioRoutes(ipam))
    .use(dnsDhcpRoutes(ipam));
  if (deps.config.metrics) app.use(metricsRoute(deps.metrics, deps.store));
  return app;
}

/** The features already on the store, over any Store (PostgreSQL during the split). */
function storeOnlyApp(deps: Omit<AppDeps, "database">) {
  const app: Elysia = new Elysia()
    .use(httpShell({ logger: deps.logger, routes: () => app.router.history, metrics: deps.metrics, storage: deps.store.storage }))
    .use(rateLimits(deps))
    .use(requestShape())
    .use(apiDocs(deps.version, () => app.router.history))
    .use(healthRoutes(deps))
    // Pure computation: no storage at all.
    .use(toolsRoutes(deps as AppDeps)) as unknown as Elysia;
  if (deps.config.metrics) app.use(metricsRoute(deps.metrics, deps.store));
  return withStoreFeatures(app, deps).use(notOnPostgres());
}

/**
 * The routes of features still on synchronous SQLite (store/store.ts, FEATURES_NOT_ON_STORE):
 * on PostgreSQL they answer 501 with a sentence naming the feature, instead of a bare 404.
 */
function notOnPostgres() {
  const refuse = (feature: string) => () => {
    throw new ApiError("not_on_postgres", `${feature} does not run on PostgreSQL yet; it works on a SQLite database (--db ./ipcraft.db)`, { feature });
  };
  return new Elysia({ name: "not-on-postgres" })
    .all("/api/v1/import/*", refuse("import/export"))
    .all("/api/v1/export/subnets.csv", refuse("import/export"))
    .all("/api/v1/export/addresses.csv", refuse("import/export"))
    .all("/api/v1/export.json", refuse("import/export"))
    .all("/api/v1/export/*", refuse("DNS and DHCP exports"));
}

/**
 * Mounts the features already on the Store, in place on `app` (each keeps its own scoped
 * guard, as when mounted one by one); the one list both app shapes share.
 */
function withStoreFeatures(app: Elysia, deps: Omit<AppDeps, "database">): Elysia {
  return app
    .use(authRoutes(deps))
    .use(meRoutes(deps))
    .use(apiKeyRoutes(deps))
    .use(organizationRoutes(deps))
    .use(userRoutes(deps))
    .use(sectionRoutes(deps))
    .use(vrfRoutes(deps))
    .use(activityRoutes(deps))
    .use(subnetRoutes(deps))
    .use(nextFreeSubnetRoutes(deps))
    .use(addressRoutes(deps))
    .use(webhookRoutes(deps))
    .use(changeFeedRoutes(deps)) as unknown as Elysia;
}

export type App = ReturnType<typeof createApp>;

/** The SQLite store's registry (the same memory its IPAM facet keeps in step). */
function sqliteRegistry(store: Store): IpamRegistry {
  if (store.kind !== "sqlite") throw new Error("a SQLite database needs its SQLite store");
  return (store.ipam as SqliteIpam).registry;
}
