/** /api/v1/sections — folders for subnets (API.md §5). Thin: rules live in service.ts. */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import { SectionBody, SectionCreateBody, SectionList, SectionListQuery, SectionPatchBody } from "./model";
import { sectionService } from "./service";
import { answered, idempotency, idempotencyDocs } from "../../http/idempotency";
import { requireWrite } from "../../auth/principal";

const tags = ["Sections"];

export function sectionRoutes(deps: Pick<AppDeps, "store" | "config">) {
  const sections = sectionService(deps.store);
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "sections-routes", prefix: "/api/v1/sections" })
    .use(authGuard(deps))
    .get("", ({ principal, query }) => sections.list(principal, query), {
      query: SectionListQuery,
      detail: {
        responses: documented({ 200: SectionList, ...errorResponses(400) }),
        tags, summary: "List sections (folders)", description: "Ordered by name, case-insensitively. `q`: name contains."
      },
    })
    .post(
      "",
      ({ principal, body, set, request }) => {
        set.status = 201;
        return keyed({ request, body, principal, set, authorize: () => requireWrite(principal) }, answered(201), () => sections.create(principal, body));
      },
      {
        body: SectionCreateBody,
        detail: {
          responses: documented({ 201: SectionBody, ...errorResponses(400, 402, 403, 409) }),
          tags, summary: "Create a section", description: "Names are unique per organization, case-insensitively (409 `duplicate_name`).",
          ...idempotencyDocs,
        },
      },
    )
    .get("/:id", ({ principal, params }) => sections.get(principal, params.id), {
      params: IdParams,
      detail: {
        responses: documented({ 200: SectionBody, ...errorResponses(404) }),
        tags, summary: "Get a section"
      },
    })
    .patch("/:id", ({ principal, params, body }) => sections.update(principal, params.id, body), {
      params: IdParams,
      body: SectionPatchBody,
      detail: {
        responses: documented({ 200: SectionBody, ...errorResponses(400, 403, 404, 409) }),
        tags, summary: "Rename or describe a section"
      },
    })
    .delete(
      "/:id",
      async ({ principal, params, set }) => {
        await sections.remove(principal, params.id);
        set.status = 204;
      },
      {
        params: IdParams,
        detail: {
          responses: documented(errorResponses(403, 404)),
          tags, summary: "Delete a section", description: "Its subnets stay, unfiled (section_id becomes null)."
        },
      },
    );
}
