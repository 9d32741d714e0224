/**
 * /api/{app_id}/… — the phpIPAM-compatible subset (issue 14), under any app id but `v1`
 * (ipcraft's own API). Authenticated by `Token: <ipcraft API key>` (auth/guard.ts), answers
 * phpIPAM's envelope `{code, success, data | message, id?, time}`; errors get the same envelope
 * from the shell (http/shell.ts). Thin: translation lives in service.ts.
 */
import { Elysia, NotFoundError } from "elysia";
import { z } from "zod";
import type { StoreDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { requireWrite, type Principal } from "../../auth/principal";
import { ApiError } from "../../http/errors";
import { idempotency, IDEMPOTENCY_PARAMETER, type KeyedContext } from "../../http/idempotency";
import type { StoredAnswer } from "../../store/idempotency";
import type { AddressCreated } from "../addresses/service";
import { phpipamService, type Params } from "./service";
import { jsonSchemaOnDemand } from "../../ipam/schemas";

const tags = ["phpIPAM compatibility"];

/** What a handler answers before the envelope: data or a message, and a status for creations. */
type Answer = { data?: unknown; message?: string; id?: number; status?: number };

const Envelope = z
  .object({
    code: z.number().int(),
    success: z.boolean(),
    message: z.string().optional(),
    id: z.number().int().optional(),
    data: z.unknown().optional(),
    time: z.number().optional(),
  })
  .meta({ examples: [{ code: 200, success: true, data: { id: 1, name: "Lab", description: "" }, time: 0.002 }] });

const ErrorEnvelope = z
  .object({ code: z.number().int(), success: z.literal(false), message: z.string() })
  .meta({ examples: [{ code: 404, success: false, message: "No subnets found" }] });

const Created = Envelope.meta({ examples: [{ code: 201, success: true, message: "Address created", id: 12, data: "10.0.7.3", time: 0.004 }] });

/** One response of the document: a zod schema as JSON Schema (as ipam/schemas.ts `documented` does). */
const response = (description: string, schema: z.ZodType) => ({
  description,
  content: { "application/json": jsonSchemaOnDemand(schema) },
});

function doc(summary: string, description: string, created = false) {
  return {
    tags,
    summary,
    description,
    // A creating POST takes an Idempotency-Key as the native API's do (a replay answers the stored envelope).
    ...(created ? { parameters: [IDEMPOTENCY_PARAMETER] } : {}),
    responses: {
      [created ? 201 : 200]: response("phpIPAM envelope", created ? Created : Envelope),
      400: response("bad parameter", ErrorEnvelope),
      401: response("no or bad Token", ErrorEnvelope),
      404: response("unknown or foreign id, nothing found", ErrorEnvelope),
      409: response(created ? "address taken, or a request with this Idempotency-Key still running" : "address taken", ErrorEnvelope),
      ...(created ? { 422: response("this Idempotency-Key was used with another request", ErrorEnvelope) } : {}),
    },
  };
}

/** Path parameters: an undecodable segment (`%ff`) arrives as null and is refused 400 here, not deep inside. */
function Segments<K extends string>(...names: K[]) {
  return z.object(Object.fromEntries(["app", ...names].map((n) => [n, z.string().max(200)])) as Record<"app" | K, z.ZodString>);
}

/** The request's parameters as phpIPAM merges them: query string, then the body (JSON or form). */
function paramsOf(query: unknown, body: unknown): Params {
  if (body !== undefined && body !== null && body !== "" && (typeof body !== "object" || Array.isArray(body))) {
    throw new ApiError("invalid_request", "Invalid request body: send a JSON object or form fields");
  }
  return { ...(query as Params), ...((body as Params | null) ?? {}) };
}

/**
 * The envelope an Idempotency-Key stores for a creation, from the value of the write unit that
 * made the record (the native record, which holds its number): what the live answer says,
 * with `time` 0.
 */
const createdEnvelope = (message: string, of: (value: unknown) => { number: number; data: string }) => (value: unknown): StoredAnswer => {
  const { number, data } = of(value);
  return { status: 201, body: { code: 201, success: true, message, id: number, data, time: 0 } };
};
const subnetCreated = createdEnvelope("Subnet created", (v) => ({ number: (v as { number: number }).number, data: (v as { cidr: string }).cidr }));
const addressCreated = createdEnvelope("Address created", (v) => {
  const record = (v as AddressCreated).value as { number: number; ip: string };
  return { number: record.number, data: record.ip };
});

export function phpipamRoutes(deps: StoreDeps) {
  const php = phpipamService(deps);
  const keyed = idempotency(deps.store);
  const started = new WeakMap<Request, number>();

  const answer = (request: Request, set: { status?: number | string }, a: Answer) => {
    const code = a.status ?? 200;
    set.status = code;
    const t = started.get(request);
    return {
      code,
      success: true,
      ...(a.message !== undefined ? { message: a.message } : {}),
      ...(a.id !== undefined ? { id: a.id } : {}),
      ...(a.data !== undefined ? { data: a.data } : {}),
      time: t === undefined ? 0 : Math.round(performance.now() - t) / 1000,
    };
  };

  /** A creating POST under its Idempotency-Key (http/idempotency.ts): the live envelope, or the stored one replayed. */
  const created = async (
    ctx: Omit<KeyedContext, "authorize" | "principal"> & { principal: Principal },
    storedAs: (value: unknown) => StoredAnswer,
    work: () => Promise<Answer>,
  ) => {
    // Every phpIPAM creating call needs a credential that may write, replay included.
    const made = await keyed({ ...ctx, authorize: () => requireWrite(ctx.principal) }, storedAs, work);
    return typeof made === "string" ? made : answer(ctx.request, ctx.set, made);
  };

  return (
    new Elysia({ name: "phpipam-routes", prefix: "/api/:app" })
      // `/api/v1/…` is ipcraft's own API: a path there that no native route takes is answered as
      // before (404, or 405 naming the allowed methods), before any authentication.
      .onTransform(({ request, params }) => {
        if ((params as { app?: string }).app === "v1") throw new NotFoundError();
        started.set(request, performance.now());
      })
      .use(authGuard(deps))
      .get("/sections", async ({ principal, request, set }) => answer(request, set, await php.sections(principal)), {
        detail: doc("phpIPAM: list sections", "Every section (folder) of the organization; `id` is its integer `number`."),
      })
      .get("/sections/:id", async ({ principal, params, request, set }) => answer(request, set, await php.section(principal, params.id)), {
        params: Segments("id"), detail: doc("phpIPAM: get a section", "Proxmox VE checks its configured section with this call. 404 `Section does not exist`."),
      })
      .get(
        "/subnets/cidr/:network/:mask",
        async ({ principal, params, request, set }) => answer(request, set, await php.subnetsByCidr(principal, params.network, params.mask)),
        { params: Segments("network", "mask"), detail: doc("phpIPAM: find subnets by CIDR", "`GET subnets/cidr/10.0.7.0/24`: every subnet with that CIDR (any VRF). 404 `No subnets found`.") },
      )
      .post(
        "/subnets",
        ({ principal, query, body, request, set }) =>
          created({ request, body, principal, set }, subnetCreated, () => php.createSubnet(principal, paramsOf(query, body))),
        { detail: doc("phpIPAM: create a subnet", "Parameters `subnet`, `mask`, `sectionId` (integer), `description`. Answers 201 with `id` (the subnet's number) and `data` (its CIDR).", true) },
      )
      .get("/subnets/:id", async ({ principal, params, request, set }) => answer(request, set, await php.subnet(principal, params.id)), {
        params: Segments("id"), detail: doc("phpIPAM: get a subnet", "`isFull` is 1 when no address is free. 404 `Invalid subnet Id (n)`."),
      })
      .delete("/subnets/:id", async ({ principal, params, request, set }) => answer(request, set, await php.deleteSubnet(principal, params.id)), {
        params: Segments("id"), detail: doc("phpIPAM: delete a subnet", "Deletes the subnet and its addresses, as phpIPAM does."),
      })
      .get(
        "/subnets/:id/first_free",
        async ({ principal, params, request, set }) => answer(request, set, await php.subnetFirstFree(principal, params.id)),
        { params: Segments("id"), detail: doc("phpIPAM: first free address of a subnet", "`data` is the lowest free address; nothing is taken. 404 `No free addresses found`.") },
      )
      .get(
        "/subnets/:id/addresses",
        async ({ principal, params, request, set }) => answer(request, set, await php.subnetAddresses(principal, params.id)),
        { params: Segments("id"), detail: doc("phpIPAM: addresses of a subnet", "In IP order. 404 `No addresses found` when the subnet has none.") },
      )
      .post(
        "/addresses",
        ({ principal, query, body, request, set }) =>
          created({ request, body, principal, set }, addressCreated, () => php.createAddress(principal, paramsOf(query, body))),
        {
          detail: doc(
            "phpIPAM: create an address",
            "Parameters `ip`, `subnetId` (integer), `hostname`, `description`, `mac`, `owner`, `is_gateway` (1: status gateway), `tag` (2 used, 3 reserved, 4 DHCP). 409 `IP address already exists`.",
            true,
          ),
        },
      )
      .post(
        "/addresses/first_free/:subnetId",
        ({ principal, params, query, body, request, set }) =>
          created({ request, body, principal, set }, addressCreated, () => php.createFirstFree(principal, params.subnetId, paramsOf(query, body))),
        {
          params: Segments("subnetId"), detail: doc(
            "phpIPAM: take the first free address",
            "Records the lowest free address of the subnet with `hostname`, `description`, `mac`…; `data` is the new IP (what Proxmox VE gives a VM). 404 `No free addresses found`.",
            true,
          ),
        },
      )
      .get(
        "/addresses/first_free/:subnetId",
        async ({ principal, params, request, set }) => answer(request, set, await php.firstFree(principal, params.subnetId)),
        { params: Segments("subnetId"), detail: doc("phpIPAM: first free address (read only)", "`data` is the lowest free address; nothing is taken.") },
      )
      .get("/addresses/search/:ip", async ({ principal, params, request, set }) => answer(request, set, await php.search(principal, params.ip)), {
        params: Segments("ip"), detail: doc("phpIPAM: find addresses by IP", "Every record of that IP (any VRF); `data[0].id` and `data[0].is_gateway` are what Proxmox VE reads. 404 `Address not found`."),
      })
      .get(
        "/addresses/search_mac/:mac",
        async ({ principal, params, request, set }) => answer(request, set, await php.searchMac(principal, params.mac)),
        { params: Segments("mac"), detail: doc("phpIPAM: find addresses by MAC", "Any MAC notation; 404 when none.") },
      )
      .get("/addresses/:id", async ({ principal, params, request, set }) => answer(request, set, await php.address(principal, params.id)), {
        params: Segments("id"), detail: doc("phpIPAM: get an address", "404 `Address does not exist`."),
      })
      .patch(
        "/addresses/:id",
        async ({ principal, params, query, body, request, set }) => answer(request, set, await php.updateAddress(principal, params.id, paramsOf(query, body))),
        { params: Segments("id"), detail: doc("phpIPAM: update an address", "`hostname`, `description`, `mac`, `owner`, `is_gateway`, `tag`; `ip` and `subnetId` cannot change (400).") },
      )
      .delete(
        "/addresses/:id",
        async ({ principal, params, request, set }) => answer(request, set, await php.deleteAddress(principal, params.id)),
        { params: Segments("id"), detail: doc("phpIPAM: delete an address", "The address is free at once.") },
      )
  );
}
