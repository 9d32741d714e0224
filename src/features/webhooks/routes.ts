/** /api/v1/webhooks — signed event POSTs to receivers (issue 14). Thin: rules in service.ts, sending in send.ts and worker.ts. */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import {
  CreatedWebhook,
  CreateWebhookBody,
  DeliveryItem,
  DeliveryList,
  DeliveryListQuery,
  PatchWebhookBody,
  WebhookItem,
  WebhookList,
  WebhookListQuery,
} from "./model";
import { requireWebhookManager, webhookService } from "./service";
import { answeredWithout, idempotency, idempotencyDocs } from "../../http/idempotency";

const tags = ["Webhooks"];

const SIGNING = [
  "Each delivery is a JSON POST of one event (`{id, seq, type, at, organization_id, actor, target, changes}`, the same object as",
  "an item of `GET /api/v1/events`) with `X-IPCraft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`,",
  "`X-IPCraft-Event`, `X-IPCraft-Event-Id` and `X-IPCraft-Delivery`. A 2xx answer within 10 s is a success; anything else",
  "(redirects are not followed) is retried with exponential backoff (30 s, 1 min, 2 min, … at most 1 h apart) for 24 h,",
  "then the delivery is marked `failed`. Delivery is at least once: dedupe by the event `id`. Targets may be any http(s) URL,",
  "LAN and loopback included. Owners and admins only.",
].join(" ");

export function webhookRoutes(deps: Pick<AppDeps, "store" | "config">) {
  const hooks = webhookService(deps.store);
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "webhook-routes", prefix: "/api/v1/webhooks" })
    .use(authGuard(deps))
    .get("", ({ principal, query }) => hooks.list(principal, query), {
      query: WebhookListQuery,
      detail: { responses: documented({ 200: WebhookList, ...errorResponses(400, 403) }), tags, summary: "List webhooks (oldest first)" },
    })
    .post(
      "",
      async ({ principal, body, set, request }) => {
        // The secret is never stored with the Idempotency-Key's answer (a replay shows `secret: null`).
        const created = await keyed({ request, body, principal, set, authorize: () => requireWebhookManager(principal) }, answeredWithout(201, "secret"), () => hooks.create(principal, body));
        if (typeof created === "string") return created; // a replay
        set.status = 201;
        // The one response that holds the secret: no cache may keep it.
        set.headers["cache-control"] = "no-store";
        return created;
      },
      {
        body: CreateWebhookBody,
        detail: {
          responses: documented({ 201: CreatedWebhook, ...errorResponses(400, 403) }),
          tags,
          summary: "Create a webhook; the secret is in this response only",
          ...idempotencyDocs,
          description: `\`events\`: patterns such as \`address.*\`, \`subnet.create\` or \`*\`. ${SIGNING}`,
        },
      },
    )
    .get("/:id", ({ principal, params }) => hooks.get(principal, params.id), {
      params: IdParams,
      detail: { responses: documented({ 200: WebhookItem, ...errorResponses(403, 404) }), tags, summary: "Get a webhook (never its secret)" },
    })
    .patch(
      "/:id",
      async ({ principal, params, body, set }) => {
        const updated = await hooks.update(principal, params.id, body);
        if (updated.secret) set.headers["cache-control"] = "no-store";
        return updated;
      },
      {
        params: IdParams,
        body: PatchWebhookBody,
        detail: {
          responses: documented({ 200: CreatedWebhook.partial({ secret: true }), ...errorResponses(400, 403, 404) }),
          tags,
          summary: "Change a webhook (url, events, active, description, secret)",
          description: "`rotate_secret: true` generates a new secret and returns it in this response only; deliveries sent from now on are signed with it.",
        },
      },
    )
    .delete(
      "/:id",
      async ({ principal, params, set }) => {
        await hooks.remove(principal, params.id);
        set.status = 204;
      },
      {
        params: IdParams,
        detail: { responses: documented(errorResponses(403, 404)), tags, summary: "Delete a webhook and its delivery log (pending deliveries are dropped)" },
      },
    )
    .post(
      "/:id/ping",
      ({ principal, params }) => hooks.ping(principal, params.id),
      {
        params: IdParams,
        detail: {
          responses: documented({ 200: DeliveryItem, ...errorResponses(403, 404) }),
          tags,
          summary: "Send a signed `webhook.ping` event now and answer with the attempt",
          description: "Not retried, not in the change feed; sent to a paused webhook too. `status` tells whether the receiver answered 2xx.",
        },
      },
    )
    .get("/:id/deliveries", ({ principal, params, query }) => hooks.deliveries(principal, params.id, query), {
      params: IdParams,
      query: DeliveryListQuery,
      detail: {
        responses: documented({ 200: DeliveryList, ...errorResponses(400, 403, 404) }),
        tags,
        summary: "The webhook's delivery log, newest first",
        description: "Kept 7 days after the event. `status`: pending (will be retried at `next_attempt_at`), succeeded, failed (gave up after 24 h).",
      },
    });
}
