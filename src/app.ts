/**
 * createApp(deps): the whole HTTP application, with no side effects at import and no
 * listening socket, so tests drive it in-process with `app.handle(new Request(...))`.
 * This file is the table of contents: every feature router is mounted here, in order.
 */
import { Elysia } from "elysia";
import type { ServerConfig } from "./config";
import type { OpenDatabase } from "./db/client";
import { addressRoutes } from "./features/addresses/routes";
import { healthRoutes } from "./features/health/routes";
import { sectionRoutes } from "./features/sections/routes";
import { subnetRoutes } from "./features/subnets/routes";
import { apiDocs } from "./http/docs";
import { httpShell } from "./http/shell";
import { IpamRegistry } from "./ipam/registry";
import type { Logger } from "./logger";
import { VERSION } from "./version";

export interface AppDeps {
  database: OpenDatabase;
  config: ServerConfig;
  logger: Logger;
  version: string;
}

export function createApp(input: Omit<AppDeps, "version"> & { version?: string }) {
  const deps: AppDeps = { version: VERSION, ...input };
  // Subnet trees and allocators, built once from the database (see ipam/registry.ts).
  const ipam = { ...deps, registry: IpamRegistry.load(deps.database) };
  const app: Elysia = new Elysia()
    .use(httpShell({ logger: deps.logger, routes: () => app.router.history }))
    .use(apiDocs(deps.version))
    .use(healthRoutes(deps))
    .use(sectionRoutes(deps))
    .use(subnetRoutes(ipam))
    .use(addressRoutes(ipam)) as unknown as Elysia;
  return app;
}

export type App = ReturnType<typeof createApp>;
