/**
 * Sign-in routes (API.md §2). These are public (no guard) except `me`, which lives in its
 * own guarded plugin below: the guard is scoped to the plugin that uses it.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../../app";
import { enforceCsrf } from "../../auth/csrf";
import { authGuard, readCookie } from "../../auth/guard";
import { createSignInMailer, type Deliver } from "../../auth/mailer";
import { clearedSessionCookie, deleteSession, SESSION_COOKIE_NAME, sessionCookie } from "../../auth/sessions";
import { LogoutBody, Me, MessageBody, SendLinkBody, SignedIn, VerifyBody } from "./model";
import { completeSignIn, describePrincipal, sendSignInLink } from "./service";
import { verifyPage } from "./verify-page";

const TAGS = ["Authentication"];

/** `deliver` defaults to SMTP or the log per the config; tests pass their own. */
export function authRoutes(deps: AppDeps, deliver: Deliver = createSignInMailer(deps.config, deps.logger)) {
  const secure = deps.config.publicUrl.startsWith("https:");
  const allowedOrigins = [new URL(deps.config.publicUrl).origin];
  return new Elysia({ name: "auth-routes" })
    .post(
      "/api/v1/auth/send-link",
      async ({ body }) => {
        await sendSignInLink(deps, deliver, body.email);
        // The same answer for known and unknown emails: no user enumeration.
        return { message: "magic link sent" };
      },
      {
        body: SendLinkBody,
        response: { 200: MessageBody },
        detail: { tags: TAGS, summary: "Email a one-time sign-in link", security: [] },
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
      "/api/v1/auth/logout",
      ({ request, set }) => {
        const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE_NAME);
        if (token) {
          // A cookie write like any other: a cross-site page must not sign people out.
          enforceCsrf(request, allowedOrigins);
          deleteSession(deps.database, token);
        }
        set.headers["set-cookie"] = clearedSessionCookie(secure);
        set.status = 204;
      },
      { body: LogoutBody, detail: { tags: TAGS, summary: "End this session and clear the cookie", security: [{ session: [] }] } },
    )
    .get("/auth/verify", () => verifyPage(), { detail: { hide: true } });
}

/** GET /api/v1/auth/me — guarded. */
export function meRoutes(deps: AppDeps) {
  return new Elysia({ name: "me-routes" })
    .use(authGuard(deps))
    .get("/api/v1/auth/me", ({ principal }) => describePrincipal(deps, principal), {
      response: { 200: Me },
      detail: { tags: TAGS, summary: "Who am I: user, organization, how authenticated, effective scope" },
    });
}
