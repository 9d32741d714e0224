/** /api/v1/subnets (API.md §6). Thin: rules live in service.ts and split.ts. */
import { Elysia } from "elysia";
import { authGuard } from "../../auth/guard";
import type { StoreDeps } from "../../app";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import { DeleteQuery, SplitBody, SubnetBody, SubnetCreateBody, SubnetItems, SubnetList, SubnetListQuery, SubnetPatchBody } from "./model";
import { subnetService } from "./service";
import { subnetSplitter } from "./split";
import { answered, idempotency, idempotencyDocs } from "../../http/idempotency";
import { requireWrite } from "../../auth/principal";

const tags = ["Subnets"];

export function subnetRoutes(deps: StoreDeps) {
  const subnets = subnetService(deps);
  const splitter = subnetSplitter(deps);
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "subnets-routes", prefix: "/api/v1/subnets" })
    .use(authGuard(deps))
    .get("", ({ principal, query }) => subnets.list(principal, query), {
      query: SubnetListQuery,
      detail: {
        responses: documented({ 200: SubnetList, ...errorResponses(400) }),
        tags,
        summary: "List subnets",
        description:
          "Ordered by (vrf, family, network, prefix_length). Filters: `section_id`, `vrf`, `parent_id` or `root=true`, " +
          "`family` (4|6), `contains` (an IP: the subnets containing it), `q` (cidr, name or description contains). " +
          "Each subnet carries its utilization.",
      },
    })
    .post(
      "",
      ({ principal, body, set, request }) => {
        set.status = 201;
        return keyed({ request, body, principal, set, authorize: () => requireWrite(principal) }, answered(201), () => subnets.create(principal, body));
      },
      {
        body: SubnetCreateBody,
        detail: {
          responses: documented({ 201: SubnetBody, ...errorResponses(400, 402, 403, 404, 409) }),
          tags,
          summary: "Create a subnet",
          ...idempotencyDocs,
          description:
            "Nested automatically under the smallest subnet of the same VRF that contains it; subnets inside it move under it, " +
            "and so do the parent's addresses inside it (409 `address_on_boundary` if one would become its network or broadcast " +
            'address). A duplicate in the VRF is 409 `subnet_overlap`: "Subnet overlaps with existing subnet 10.0.0.0/16". ' +
            "Host bits set is 400 with the network to use (`did you mean 10.0.1.0/24?`). `gateway` records that address with status `gateway`.",
        },
      },
    )
    .get("/:id", ({ principal, params }) => subnets.get(principal, params.id), {
      params: IdParams,
      detail: {
        responses: documented({ 200: SubnetBody, ...errorResponses(404) }),
        tags, summary: "Get a subnet"
      },
    })
    .patch("/:id", ({ principal, params, body }) => subnets.update(principal, params.id, body), {
      params: IdParams,
      body: SubnetPatchBody,
      detail: {
        responses: documented({ 200: SubnetBody, ...errorResponses(400, 403, 404) }),
        tags, summary: "Update a subnet", description: "name, description, section_id, vlan. `cidr` and `vrf` are immutable (400 `immutable_field`)."
      },
    })
    .delete(
      "/:id",
      async ({ principal, params, query, set }) => {
        await subnets.remove(principal, params.id, query.force === "true");
        set.status = 204;
      },
      {
        params: IdParams,
        query: DeleteQuery,
        detail: {
          responses: documented(errorResponses(400, 403, 404, 409)),
          tags,
          summary: "Delete a subnet",
          description:
            "Its children and addresses move up to its parent. Without a parent, a subnet holding addresses is 409 " +
            "`subnet_not_empty` unless `?force=true`, which deletes those addresses. An address that would become the " +
            "parent's network or broadcast (IPv6: anycast) address is 409 `address_on_boundary` naming it, unless `?force=true`, " +
            "which deletes that address while the others move up.",
        },
      },
    )
    .post(
      "/:id/split",
      ({ principal, params, body, set, request }) => {
        set.status = 201;
        // The unit's value also counts the parts; the answer is the items. (A split run off-thread, over
        // 1,024 parts on a SQLite file, stores no key: a retry is then 409 subnet_has_children, never a second split.)
        const answer = (v: unknown) => answered(201)({ items: (v as { items: unknown[] }).items });
        return keyed({ request, body, principal, set, authorize: () => requireWrite(principal) }, answer, () => splitter.split(principal, params.id, body));
      },
      {
        params: IdParams,
        body: SplitBody,
        detail: {
          responses: documented({ 201: SubnetItems, ...errorResponses(400, 402, 403, 404, 409) }),
          tags,
          summary: "Split a subnet into equal children",
          ...idempotencyDocs,
          description: "`{\"parts\": 4}` (a power of two, 2…65,536) or `{\"prefix_length\": 26}` (at most 16 bits longer). Addresses move into the parts; split a part again for a finer layout. 409 if it already has children. " +
            "A split into more than 1,024 parts runs beside the server's other work (other requests keep being answered) and its answer is streamed.",
        },
      },
    );
}
