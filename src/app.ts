/**
 * createApp(deps): the whole HTTP application, with no side effects at import and no
 * listening socket, so tests drive it in-process with `app.handle(new Request(...))`.
 * This file is the table of contents: every feature router is mounted here, in order.
 */
import { Elysia } from "elysia";
import type { ServerConfig } from "./config";
import type { OpenDatabase } from "./db/client";
import { activityRoutes } from "./features/activity/routes";
import { rateLimits } from "./auth/request-limits";
import { addressRoutes } from "./features/addresses/routes";
import { apiKeyRoutes } from "./features/api-keys/routes";
import { authRoutes, meRoutes } from "./features/auth/routes";
import { organizationRoutes } from "./features/organization/routes";
import { healthRoutes } from "./features/health/routes";
import { ioRoutes } from "./features/io/routes";
import { dnsDhcpRoutes } from "./features/dns-dhcp/routes";
import { sectionRoutes } from "./features/sections/routes";
import { subnetRoutes } from "./features/subnets/routes";
import { toolsRoutes } from "./features/tools/routes";
import { userRoutes } from "./features/users/routes";
import { apiDocs } from "./http/docs";
import { createMetrics, type Metrics, metricsRoute } from "./http/metrics";
import { httpShell, requestShape } from "./http/shell";
import { IpamRegistry } from "./ipam/registry";
import type { Logger } from "./logger";
import { VERSION } from "./version";

export interface AppDeps {
  database: OpenDatabase;
  config: ServerConfig;
  logger: Logger;
  version: string;
  metrics: Metrics;
}

export function createApp(input: Omit<AppDeps, "version" | "metrics"> & Partial<Pick<AppDeps, "version" | "metrics">>) {
  const deps: AppDeps = { version: VERSION, metrics: createMetrics(), ...input };
  // Subnet trees and allocators, built once from the database (see ipam/registry.ts).
  const ipam = { ...deps, registry: IpamRegistry.load(deps.database) };
  const app: Elysia = new Elysia()
    .use(httpShell({ logger: deps.logger, routes: () => app.router.history, metrics: deps.metrics, storage: deps.database.storage }))
    .use(rateLimits(deps))
    .use(requestShape())
    .use(apiDocs(deps.version, () => app.router.history))
    .use(healthRoutes(deps))
    .use(toolsRoutes(deps))
    .use(authRoutes(deps))
    .use(meRoutes(deps))
    .use(apiKeyRoutes(deps))
    .use(organizationRoutes(deps))
    .use(userRoutes(deps))
    .use(sectionRoutes(deps))
    .use(subnetRoutes(ipam))
    .use(addressRoutes(ipam))
    .use(ioRoutes(ipam))
    .use(dnsDhcpRoutes(ipam))
    .use(activityRoutes(deps)) as unknown as Elysia;
  if (deps.config.metrics) app.use(metricsRoute(deps.metrics, deps.database));
  return app;
}

export type App = ReturnType<typeof createApp>;
