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
import { apiKeyRoutes } from "./features/api-keys/routes";
import { authRoutes, meRoutes } from "./features/auth/routes";
import { organizationRoutes } from "./features/organization/routes";
import { healthRoutes } from "./features/health/routes";
import { toolsRoutes } from "./features/tools/routes";
import { bodyDepthLimit } from "./http/body-depth";
import { apiDocs } from "./http/docs";
import { createMetrics, type Metrics, metricsRoute } from "./http/metrics";
import { httpShell } from "./http/shell";
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
  const app: Elysia = new Elysia()
    .use(httpShell({ logger: deps.logger, routes: () => app.router.history, metrics: deps.metrics }))
    .use(bodyDepthLimit())
    .use(rateLimits(deps))
    .use(apiDocs(deps.version))
    .use(healthRoutes(deps))
    .use(toolsRoutes(deps))
    .use(authRoutes(deps))
    .use(meRoutes(deps))
    .use(apiKeyRoutes(deps))
    .use(organizationRoutes(deps))
    .use(activityRoutes(deps)) as unknown as Elysia;
  if (deps.config.metrics) app.use(metricsRoute(deps.metrics, deps.database));
  return app;
}

export type App = ReturnType<typeof createApp>;
