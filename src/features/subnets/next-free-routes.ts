/** The next-free-subnet routes (issue 13). Thin: rules live in next-free.ts. */
import { Elysia } from "elysia";
import { authGuard } from "../../auth/guard";
import type { StoreDeps } from "../../app";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import { SubnetBody, SubnetItems } from "./model";
import { FirstFreeSubnetBody, FirstFreeSubnetQuery, FreeSubnetsBody, FreeSubnetsQuery, NextFreeSubnetBody } from "./next-free-model";
import { nextFreeSubnets } from "./next-free";
import { answered, idempotency, idempotencyDocs } from "../../http/idempotency";
import { requireWrite } from "../../auth/principal";

const tags = ["Subnets"];

export function nextFreeSubnetRoutes(deps: StoreDeps) {
  const next = nextFreeSubnets(deps);
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "next-free-subnet-routes", prefix: "/api/v1/subnets" })
    .use(authGuard(deps))
    .get("/:id/first-free-subnet", ({ principal, params, query }) => next.firstFree(principal, params.id, query), {
      params: IdParams,
      query: FirstFreeSubnetQuery,
      detail: {
        responses: documented({ 200: FirstFreeSubnetBody, ...errorResponses(400, 404) }),
        tags,
        summary: "Find the next free child subnet",
        description:
          'The lowest aligned block of `prefix_length` inside the subnet that overlaps no child subnet and holds no address: `{"cidr": "10.20.3.0/24"}`; ' +
          '`from=end` for the highest. None free → 200 `{"cidr": null}`. This only reads: to take the block atomically, POST /subnets/{id}/subnets.',
      },
    })
    .get("/:id/free-subnets", ({ principal, params, query }) => next.list(principal, params.id, query), {
      params: IdParams,
      query: FreeSubnetsQuery,
      detail: {
        responses: documented({ 200: FreeSubnetsBody, ...errorResponses(400, 404) }),
        tags,
        summary: "List free child subnets",
        description:
          "Free aligned blocks of `prefix_length` in address order (`from=end`: highest first), at most `limit` (default 100, max 1,000) a page; " +
          "`next_cursor` pages on (no `total`: a /32 holds up to 2^32 free /64s, and counting them would walk every child). Cost grows with the blocks returned and the children skipped, never with the size of the subnet (a /64 out of a /32 is as cheap as a /24 out of a /16).",
      },
    })
    .post(
      "/:id/subnets",
      ({ principal, params, body, set, request }) => {
        set.status = 201;
        return keyed({ request, body, principal, set, authorize: () => requireWrite(principal) }, answered(201), () => next.create(principal, params.id, body));
      },
      {
        params: IdParams,
        body: NextFreeSubnetBody,
        detail: {
          responses: documented({ 201: SubnetBody.or(SubnetItems), ...errorResponses(400, 402, 403, 404, 409) }),
          tags,
          summary: "Create the next free child subnet",
          ...idempotencyDocs,
          description:
            "Atomically creates the lowest free aligned child of `prefix_length` (`\"from\": \"end\"`: the highest) that overlaps no child subnet and holds no address, " +
            "with the fields of POST /subnets (`name`, `description`, `section_id` — default the parent's folder —, `vlan`); VRF is the parent's. " +
            "Concurrent callers, on any replica, never receive the same block. With `count` (1–1,024): that many, all or nothing, answered as `{items}` in search order. " +
            "None (or too few) free → 409 `subnet_full` with `details: {prefix_length, requested, available}` and, when none fits, the largest free block (`largest_free`).",
        },
      },
    );
}
