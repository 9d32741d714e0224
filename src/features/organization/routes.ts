/** GET/PATCH /api/v1/organization — the caller's own organization (there is no id to guess). */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { Organization, PatchOrganizationBody } from "./model";
import { getOrganization, renameOrganization } from "./service";

const TAGS = ["Organization"];

export function organizationRoutes(deps: Pick<AppDeps, "store" | "config">) {
  return new Elysia({ name: "organization-routes" })
    .use(authGuard(deps))
    .get("/api/v1/organization", ({ principal }) => getOrganization(deps, principal), {
      response: { 200: Organization },
      detail: { tags: TAGS, summary: "Your organization (owners also see plan, limits and usage)" },
    })
    .patch("/api/v1/organization", ({ principal, body }) => renameOrganization(deps, principal, body.name), {
      body: PatchOrganizationBody,
      response: { 200: Organization },
      detail: { tags: TAGS, summary: "Rename your organization (owners and admins)" },
    });
}
