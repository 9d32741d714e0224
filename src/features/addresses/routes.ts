/**
 * Address routes (API.md §7): /api/v1/subnets/{id}/addresses, /first-free, /free and
 * /api/v1/addresses. Thin: rules live in service.ts.
 */
import { Elysia } from "elysia";
import { authGuard } from "../../auth/guard";
import type { StoreDeps } from "../../app";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import {
  AddressBody,
  AddressCreateBody,
  AddressItems,
  AddressList,
  AddressPatchBody,
  AddressSearchQuery,
  FirstFreeBody,
  FreeQuery,
  FreeRangesBody,
  SubnetAddressQuery,
} from "./model";
import { addressService, type AddressCreated } from "./service";
import { idempotency, idempotencyDocs } from "../../http/idempotency";
import { requireWrite } from "../../auth/principal";

const tags = ["Addresses"];

export function addressRoutes(deps: StoreDeps) {
  const addresses = addressService(deps);
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "addresses-routes", prefix: "/api/v1" })
    .use(authGuard(deps))
    .get("/subnets/:id/first-free", ({ principal, params }) => addresses.firstFree(principal, params.id), {
      params: IdParams,
      detail: {
        responses: documented({ 200: FirstFreeBody, ...errorResponses(404) }),
        tags,
        summary: "Find the next available IP",
        description:
          'The lowest usable address with no record and not inside a child subnet: `{"ip": "10.0.1.51"}`. ' +
          'A full subnet answers 200 `{"ip": null}`. This only reads: to take an address atomically, ' +
          "POST /subnets/{id}/addresses without `ip`.",
      },
    })
    .get("/subnets/:id/free", ({ principal, params, query }) => addresses.free(principal, params.id, query), {
      params: IdParams,
      query: FreeQuery,
      detail: {
        responses: documented({ 200: FreeRangesBody, ...errorResponses(400, 404) }),
        tags, summary: "Free address ranges", description: "Maximal free usable ranges in IP order; never the whole expansion."
      },
    })
    .get("/subnets/:id/addresses", ({ principal, params, query }) => addresses.listInSubnet(principal, params.id, query), {
      params: IdParams,
      query: SubnetAddressQuery,
      detail: {
        responses: documented({ 200: AddressList, ...errorResponses(400, 404) }),
        tags, summary: "List a subnet's addresses", description: "Its own records (not its children's), in IP order."
      },
    })
    .post(
      "/subnets/:id/addresses",
      async ({ principal, params, body, set, request }) => {
        const result = await keyed({ request, body, principal, set, authorize: () => requireWrite(principal) }, (v) => ({ status: (v as AddressCreated).status, body: (v as AddressCreated).value }), () =>
          addresses.create(principal, params.id, body),
        );
        if (typeof result === "string") return result; // a replay
        set.status = result.status;
        return result.value;
      },
      {
        params: IdParams,
        body: AddressCreateBody,
        detail: {
          responses: documented({ 200: AddressBody, 201: AddressBody.or(AddressItems), ...errorResponses(400, 402, 403, 404, 409) }),
          tags,
          summary: "Assign an IP",
          ...idempotencyDocs,
          description:
            "With `ip`: records that address (400 outside the subnet, unusable or inside a child subnet; 409 `address_in_use` " +
            "with the existing record in `details.address`). Without `ip`: allocates the lowest free address atomically " +
            "(409 `subnet_full` when full). With `count` (1–10,000): allocates that many, all or nothing, and answers " +
            "`{items}` (409 `subnet_full` with `details: {requested, available}` when short). " +
            'With `"reuse": "hostname"` (or `"mac"`): ensure, don\'t duplicate — the subnet\'s record with this hostname (MAC; hostnames compare without regard to ASCII case, as DNS does) answers ' +
            "200 as it is; only when there is none is one made (201). Race-proof: concurrent requests for one hostname make one record. " +
            "Constrained (no `ip`): `range` {start, end} allocates only inside it, `exclude` skips addresses and " +
            "`a-b` ranges, `from: \"end\"` takes the highest free first, `contiguous: true` with `count` takes one " +
            "unbroken block (the lowest that fits); 409 `subnet_full` when nothing fits, 400 `ip_not_in_subnet` for a " +
            "range outside the subnet, 400 `range_invalid` for a reversed one. `start` + `end` reserve every usable " +
            "address of that range with the given fields (e.g. `status: dhcp`), all or nothing: 409 `address_in_use` " +
            "naming the first taken one, 400 `range_too_large` above 10,000 addresses; answers `{items}`.\n\n" +
            "Examples: `{\"range\": {\"start\": \"10.0.1.100\", \"end\": \"10.0.1.199\"}, \"exclude\": [\"10.0.1.150-10.0.1.159\"], " +
            "\"from\": \"end\", \"hostname\": \"lb-vip\"}` · `{\"count\": 8, \"contiguous\": true, \"owner\": \"k8s\"}` · " +
            "`{\"start\": \"10.0.1.200\", \"end\": \"10.0.1.250\", \"status\": \"dhcp\"}`.\n\n" +
            "Expiry: `expires_at` (ISO-8601) or `hold_seconds` frees the address at that moment (activity `address.expire`, " +
            "actor system): it is free for reads and first-free at once, its row is swept soon after. Example: " +
            "`{\"hostname\": \"ci-runner-17\", \"hold_seconds\": 3600}`. PATCH `expires_at: null` keeps the address.",
        },
      },
    )
    .get("/addresses", ({ principal, query }) => addresses.search(principal, query), {
      query: AddressSearchQuery,
      detail: {
        responses: documented({ 200: AddressList, ...errorResponses(400) }),
        tags, summary: "Search addresses across the organization", description: "Ordered by VRF, then numeric IP."
      },
    })
    .get("/addresses/:id", ({ principal, params }) => addresses.get(principal, params.id), {
      params: IdParams,
      detail: {
        responses: documented({ 200: AddressBody, ...errorResponses(404) }),
        tags, summary: "Get an address"
      },
    })
    .patch("/addresses/:id", ({ principal, params, body }) => addresses.update(principal, params.id, body), {
      params: IdParams,
      body: AddressPatchBody,
      detail: {
        responses: documented({ 200: AddressBody, ...errorResponses(400, 403, 404) }),
        tags, summary: "Update an address", description: "`ip` and `subnet_id` are immutable (400 `immutable_field`). `expires_at` (ISO-8601, or null to keep the address) or `hold_seconds` sets, moves or clears its expiry: `{\"expires_at\": null}`."
      },
    })
    .delete(
      "/addresses/:id",
      async ({ principal, params, set }) => {
        await addresses.remove(principal, params.id);
        set.status = 204;
      },
      {
        params: IdParams,
        detail: {
          responses: documented(errorResponses(403, 404)),
          tags, summary: "Delete an address", description: "The address is free at once."
        },
      },
    );
}
