/** /api/v1/users (API.md §3): list, invite, change role or name, remove. Thin: rules live in service.ts. */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { createSignInMailer, type Deliver, deliveryQueue } from "../../auth/mailer";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import { InvitedItem, InviteBody, PatchUserBody, UserItem, UserList, UserListQuery } from "./model";
import { invitationAnswer, requireMayInvite, userService } from "./service";
import { answered, idempotency, idempotencyDocs } from "../../http/idempotency";

const tags = ["Users"];

/** `deliver` defaults to SMTP or the log per the config, exactly like sign-in; tests pass their own. */
export function userRoutes(deps: Pick<AppDeps, "store" | "config" | "logger">, deliver: Deliver = createSignInMailer(deps.config, deps.logger)) {
  const users = userService(deps, deliveryQueue(deliver, deps.logger));
  const keyed = idempotency(deps.store);
  return new Elysia({ name: "users-routes", prefix: "/api/v1/users" })
    .use(authGuard(deps))
    .get("", ({ principal, query }) => users.list(principal, query), {
      query: UserListQuery,
      detail: {
        responses: documented({ 200: UserList, ...errorResponses(400) }),
        tags, summary: "List the members of your organization",
        description: "Oldest first. `invited` is true until the user signs in for the first time.",
      },
    })
    .post(
      "/invite",
      ({ principal, body, set, request }) => {
        set.status = 201;
        // The creating unit's value is the invitation with its link; what is stored is the answer only.
        return keyed({ request, body, principal, set, authorize: () => requireMayInvite(principal, body) }, (v) => answered(201)(invitationAnswer(v, deps.config)), () => users.invite(principal, body));
      },
      {
        body: InviteBody,
        detail: {
          responses: documented({ 201: InvitedItem, ...errorResponses(400, 402, 403, 409) }),
          tags, summary: "Invite a user (owners and admins); sends an invitation link", ...idempotencyDocs,
          description:
            "Creates a pending invitation (listed with `invited: true`) and sends its link the way sign-in does (SMTP, or the server log); `delivery` says which (`email` or `log`). " +
            "The person joins only by using that link (valid 7 days, once); until then PATCH changes and DELETE withdraws the invitation. " +
            "Inviting again sends a fresh link. Any email is invited alike, whether or not it has an account elsewhere; " +
            "only a member of your own organization answers 409 `conflict`. Only owners invite owners. Members and invitations count towards the plan's user limit (402).",
        },
      },
    )
    .get("/:id", ({ principal, params }) => users.get(principal, params.id), {
      params: IdParams,
      detail: { responses: documented({ 200: UserItem, ...errorResponses(404) }), tags, summary: "Get a user" },
    })
    .patch("/:id", ({ principal, params, body }) => users.update(principal, params.id, body), {
      params: IdParams,
      body: PatchUserBody,
      detail: {
        responses: documented({ 200: UserItem, ...errorResponses(400, 403, 404, 409) }),
        tags, summary: "Change a user's role or name (owners and admins)",
        description: "Only owners make or unmake owners. The last owner cannot be demoted (409 `last_owner`).",
      },
    })
    .delete(
      "/:id",
      async ({ principal, params, set }) => {
        await users.remove(principal, params.id);
        set.status = 204;
      },
      {
        params: IdParams,
        detail: {
          responses: documented(errorResponses(403, 404, 409)),
          tags, summary: "Remove a user (owners and admins); their sessions and API keys stop working at once",
          description: "The last owner cannot be removed (409 `last_owner`). Only owners remove owners.",
        },
      },
    );
}
