/**
 * Sign-in routes (API.md §2). These are public (no guard) except `me`, which lives in its
 * own guarded plugin below: the guard is scoped to the plugin that uses it.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { enforceCsrf } from "../../auth/csrf";
import { authGuard, readCookie } from "../../auth/guard";
import { createSignInMailer, type Deliver, deliveryQueue } from "../../auth/mailer";
import { ApiError } from "../../http/errors";
import { LINK_WINDOW_MS, LINKS_PER_EMAIL } from "../../auth/sign-in-tokens";
import { clearedSessionCookie, SESSION_COOKIE_NAME, sessionCookie } from "../../auth/sessions";
import { LogoutBody, Me, MessageBody, SendLinkBody, SetupBody, SignedIn, VerifyBody } from "./model";
import { completeSetup, completeSignIn, describePrincipal, endSession, sendSignInLink } from "./service";
import { verifyPage } from "./verify-page";

const TAGS = ["Authentication"];

/** `deliver` defaults to SMTP or the log per the config; tests pass their own. */
export function authRoutes(deps: Pick<AppDeps, "store" | "config" | "logger">, deliver: Deliver = createSignInMailer(deps.config, deps.logger)) {
  const queue = deliveryQueue(deliver, deps.logger);
  const secure = deps.config.publicUrl.startsWith("https:");
  const allowedOrigins = [new URL(deps.config.publicUrl).origin];
  return new Elysia({ name: "auth-routes" })
    .post(
      "/api/v1/auth/send-link",
      async ({ body, set }) => {
        const { retryAfter } = await sendSignInLink(deps, queue, body.email);
        // Over the per-email limit: 429 for every address alike, known or not (README "Signing in").
        if (retryAfter !== undefined) {
          set.headers["retry-after"] = String(retryAfter);
          throw new ApiError("rate_limited", "Rate limit exceeded", {
            reason: `at most ${LINKS_PER_EMAIL} sign-in links per email address in ${LINK_WINDOW_MS / 60_000} minutes`,
            retry_after: retryAfter,
          });
        }
        // The same answer for known and unknown emails: no user enumeration.
        return { message: "magic link sent" };
      },
      {
        body: SendLinkBody,
        response: { 200: MessageBody },
        detail: { tags: TAGS, summary: "Email a one-time sign-in link", security: [],
          description: "The same answer whether or not the email is known. At most 5 links per email address in 15 minutes, for every address alike; beyond that 429 `rate_limited` with `Retry-After`." },
      },
    )
    .post(
      "/api/v1/auth/verify",
      async ({ body, set }) => {
        const { sessionToken, ...signedIn } = await completeSignIn(deps, body.token);
        set.headers["set-cookie"] = sessionCookie(sessionToken, secure);
        set.headers["cache-control"] = "no-store";
        return signedIn;
      },
      {
        body: VerifyBody,
        response: { 200: SignedIn },
        detail: { tags: TAGS, summary: "Spend a sign-in token; sets the session cookie", security: [] },
      },
    )
    .post(
      "/api/v1/auth/setup",
      async ({ body, set }) => {
        const { sessionToken, ...signedIn } = await completeSetup(deps, body);
        set.headers["set-cookie"] = sessionCookie(sessionToken, secure);
        set.headers["cache-control"] = "no-store";
        return signedIn;
      },
      {
        body: SetupBody,
        response: { 200: SignedIn },
        detail: {
          tags: TAGS,
          summary: "First start: create the owner with the one-time setup link's token; sets the session cookie",
          security: [],
          description:
            "On a server without users, every start logs a one-time link `<public-url>/setup#<token>` (valid 24 hours). " +
            "Spending its token makes `email` the owner of the first organization (plan `unlimited`) and signs them in. " +
            "400 `invalid_token` for an unknown, used or expired token; 409 `conflict` once the server has users.",
        },
      },
    )
    .post(
      "/api/v1/auth/logout",
      async ({ request, set }) => {
        const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE_NAME);
        if (token) {
          // A cookie write like any other: a cross-site page must not sign people out.
          enforceCsrf(request, allowedOrigins);
          await endSession(deps, token);
        }
        set.headers["set-cookie"] = clearedSessionCookie(secure);
        set.status = 204;
      },
      { body: LogoutBody, detail: { tags: TAGS, summary: "End this session and clear the cookie", security: [{ session: [] }] } },
    )
    .get("/auth/verify", () => verifyPage(), { detail: { hide: true } });
}

/** GET /api/v1/auth/me — guarded. */
export function meRoutes(deps: Pick<AppDeps, "store" | "config">) {
  return new Elysia({ name: "me-routes" })
    .use(authGuard(deps))
    .get("/api/v1/auth/me", ({ principal }) => describePrincipal(deps, principal), {
      response: { 200: Me },
      detail: { tags: TAGS, summary: "Who am I: user, organization, how authenticated, effective scope" },
    });
}
