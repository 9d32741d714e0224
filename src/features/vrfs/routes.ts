/** /api/v1/vrfs — routing domains subnets name (API.md §6). Thin: rules live in service.ts. */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import { VrfBody, VrfCreateBody, VrfList, VrfListQuery, VrfPatchBody } from "./model";
import { vrfService } from "./service";
import { answered, idempotency, idempotencyDocs } from "../../http/idempotency";
import { requireWrite } from "../../auth/principal";

const tags = ["VRFs"];

export function vrfRoutes(deps: Pick<AppDeps, "store" | "config">) {
  const vrfs = vrfService(deps.store);
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "vrfs-routes", prefix: "/api/v1/vrfs" })
    .use(authGuard(deps))
    .get("", ({ principal, query }) => vrfs.list(principal, query), {
      query: VrfListQuery,
      detail: {
        responses: documented({ 200: VrfList, ...errorResponses(400) }),
        tags, summary: "List VRFs", description: 'Ordered by name. `default` always exists.'
      },
    })
    .post(
      "",
      ({ principal, body, set, request }) => {
        set.status = 201;
        return keyed({ request, body, principal, set, authorize: () => requireWrite(principal) }, answered(201), () => vrfs.create(principal, body));
      },
      {
        body: VrfCreateBody,
        detail: {
          responses: documented({ 201: VrfBody, ...errorResponses(400, 403, 409) }),
          tags, summary: "Create a VRF", ...idempotencyDocs,
          description: "Names are unique per organization; one differing from an existing name only in case is refused too (409 `duplicate_name`). A subnet's `vrf` must name an existing VRF.",
        },
      },
    )
    .get("/:id", ({ principal, params }) => vrfs.get(principal, params.id), {
      params: IdParams,
      detail: { responses: documented({ 200: VrfBody, ...errorResponses(404) }), tags, summary: "Get a VRF" },
    })
    .patch("/:id", ({ principal, params, body }) => vrfs.update(principal, params.id, body), {
      params: IdParams,
      body: VrfPatchBody,
      detail: {
        responses: documented({ 200: VrfBody, ...errorResponses(400, 403, 404, 409) }),
        tags, summary: "Rename or describe a VRF",
        description: "`default` cannot be renamed; a VRF holding subnets keeps its name (409 `vrf_in_use`).",
      },
    })
    .delete(
      "/:id",
      async ({ principal, params, set }) => {
        await vrfs.remove(principal, params.id);
        set.status = 204;
      },
      {
        params: IdParams,
        detail: {
          responses: documented(errorResponses(403, 404, 409)),
          tags, summary: "Delete a VRF", description: "Refused (409) for `default` and while subnets use the VRF (`vrf_in_use`).",
        },
      },
    );
}
