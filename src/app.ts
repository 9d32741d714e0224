/**
 * createApp(deps): the whole HTTP application, with no side effects at import and no
 * listening socket, so tests drive it in-process with `app.handle(new Request(...))`.
 * This file is the table of contents: every feature router is mounted here, in order.
 *
 * Storage: every feature speaks `deps.store` (store/store.ts; subnets and addresses its IPAM
 * facet, store/ipam.ts). Given a SQLite `database`, the store is built over it; given only a
 * `store` (PostgreSQL), the same app is mounted over that.
 */
import { Elysia } from "elysia";
import type { ServerConfig } from "./config";
import type { OpenDatabase } from "./db/client";
import { activityRoutes } from "./features/activity/routes";
import { changeFeedRoutes } from "./features/changes/routes";
import { webhookRoutes } from "./features/webhooks/routes";
import { phpipamRoutes } from "./features/phpipam/routes";
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
import { httpShell, requestShape } from "./http/shell";
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
  const store: Store = input.database ? (input.store ?? createSqliteStore(input.database)) : input.store;
  const deps: StoreDeps = { version: VERSION, metrics: createMetrics(), ...input, store };
  // Elysia looks for the path from the 12th character of the URL by default ("http://" and a
  // host of at least four): behind a proxy sending `Host: nas` (or a server on port 80 named
  // `pi`), every route lost its path's first segment and answered 404. Off, it looks from the
  // 8th, right after "http://": the server speaks plain HTTP (TLS ends at a proxy), so every
  // request it hands over starts so; an in-process `https://` URL would not route.
  const app: Elysia = new Elysia({ handler: { standardHostname: false } })
    .use(httpShell({ logger: deps.logger, routes: () => app.router.history, metrics: deps.metrics, storage: store.storage }))
    .use(rateLimits(deps))
    .use(requestShape())
    .use(apiDocs(deps.version, () => app.router.history))
    .use(healthRoutes(deps))
    // Pure computation: no storage at all.
    .use(toolsRoutes()) as unknown as Elysia;
  withStoreFeatures(app, deps);
  if (deps.config.metrics) app.use(metricsRoute(deps.metrics, deps.store));
  return app;
}

/**
 * Mounts every feature, in place on `app` (each keeps its own scoped guard, as when mounted
 * one by one).
 */
function withStoreFeatures(app: Elysia, deps: StoreDeps): Elysia {
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
    .use(changeFeedRoutes(deps))
    .use(ioRoutes(deps))
    .use(dnsDhcpRoutes(deps))
    // Last: /api/:app/… must not shadow any /api/v1 route (it refuses app `v1` itself, too).
    .use(phpipamRoutes(deps)) as unknown as Elysia;
}

export type App = ReturnType<typeof createApp>;

