/** /api/v1/users (API.md §3): list, invite, change role or name, remove. Thin: rules live in service.ts. */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { authGuard } from "../../auth/guard";
import { createSignInMailer, type Deliver } from "../../auth/mailer";
import { documented, errorResponses, IdParams } from "../../ipam/schemas";
import { InviteBody, PatchUserBody, UserItem, UserList, UserListQuery } from "./model";
import { userService } from "./service";

const tags = ["Users"];

/** `deliver` defaults to SMTP or the log per the config, exactly like sign-in; tests pass their own. */
export function userRoutes(deps: AppDeps, deliver: Deliver = createSignInMailer(deps.config, deps.logger)) {
  const users = userService(deps, deliver);
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
      ({ principal, body, set }) => {
        set.status = 201;
        return users.invite(principal, body);
      },
      {
        body: InviteBody,
        detail: {
          responses: documented({ 201: UserItem, ...errorResponses(400, 402, 403, 409) }),
          tags, summary: "Invite a user (owners and admins); sends a sign-in link",
          description:
            "Creates the user in your organization and sends a one-time sign-in link the way sign-in does (SMTP, or the server log). " +
            "Only owners invite owners. An email that already has an account answers 409 `conflict`; the plan's user limit answers 402.",
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
