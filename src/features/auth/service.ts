/**
 * The sign-in rules (API.md §2): who may get a link, spending a link once, who "me" is.
 * Services take values, never the request.
 */
import type { AppDeps } from "../../app";
import {
  createOrganizationWithOwner,
  findOrganization,
  findUserByEmail,
  normaliseEmail,
  type OrganizationRow,
  type UserRow,
} from "../../auth/accounts";
import type { Deliver } from "../../auth/mailer";
import { planLimits } from "../../auth/plans";
import type { Principal } from "../../auth/principal";
import { createSession } from "../../auth/sessions";
import { issueSignInToken, signInUrl, spendSignInToken } from "../../auth/sign-in-tokens";
import { writeTransaction } from "../../db/tx";
import { ApiError } from "../../http/errors";
import { recordActivity } from "../activity/record";
import type { OrganizationSummary, UserSummary } from "./model";

type Deps = Pick<AppDeps, "database" | "config">;

/**
 * Issues and delivers a link when `email` may sign in: an existing user (an invited user
 * is a user row that has not signed in yet), or anyone when signup is open. Otherwise it
 * does nothing at all — no token, no mail — and the caller answers exactly the same.
 * Returns whether a link was issued (for tests and logs; never for the response).
 */
export async function sendSignInLink({ database, config }: Deps, deliver: Deliver, rawEmail: string): Promise<boolean> {
  const email = normaliseEmail(rawEmail);
  const known = findUserByEmail(database, email) !== null;
  if (!known && config.signup !== "open") return false;
  const token = await writeTransaction(database, () => issueSignInToken(database, email));
  // Not awaited: the answer must not wait on (or reveal anything through) the mail relay.
  void deliver({ to: email, url: signInUrl(config.publicUrl, token) });
  return true;
}

export interface SignInResult {
  user: UserSummary;
  organization: OrganizationSummary;
  /** the new session's cookie value */
  sessionToken: string;
}

const INVALID_LINK = "this sign-in link is invalid, already used or expired; ask for a new one";

/** Spends the token and opens a session; with open signup, a new email gets its own organization. */
export function completeSignIn({ database, config }: Deps, token: string): Promise<SignInResult> {
  return writeTransaction(database, () => {
    const email = spendSignInToken(database, token);
    if (email === null) throw new ApiError("invalid_token", INVALID_LINK);
    let user = findUserByEmail(database, email);
    let organization: OrganizationRow | null;
    const now = new Date().toISOString();
    if (user) {
      organization = findOrganization(database, user.org_id);
    } else if (config.signup === "open") {
      ({ user, organization } = createOrganizationWithOwner(database, email, now));
      recordActivity(database, {
        orgId: organization.id,
        actor: { type: "user", id: user.id, label: email },
        action: "organization.create",
        target: { type: "organization", id: organization.id, label: organization.name },
        changes: { name: [null, organization.name], owner: [null, user.email] },
      });
    } else {
      // Signup was closed after this link was sent (or the user was removed): refuse.
      throw new ApiError("invalid_token", INVALID_LINK);
    }
    if (!organization) throw new ApiError("invalid_token", INVALID_LINK);
    database.sqlite.query("UPDATE users SET last_login_at = ?, updated_at = ? WHERE id = ?").run(now, now, user.id);
    const sessionToken = createSession(database, user.id);
    return { user: userSummary(user), organization: organizationSummary(organization), sessionToken };
  });
}

/** GET /auth/me: who is asking, through what, with which effective scope. */
export function describePrincipal({ database }: Deps, principal: Principal) {
  const user = findUserByEmail(database, principal.email);
  const organization = findOrganization(database, principal.orgId);
  if (!user || !organization) throw new ApiError("unauthorized", "this account no longer exists");
  return {
    user: userSummary(user),
    organization: organizationSummary(organization),
    auth: principal.via,
    scope: principal.scope,
  };
}

export function userSummary(user: UserRow): UserSummary {
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export function organizationSummary(org: OrganizationRow): OrganizationSummary {
  return { id: org.id, name: org.name, plan: planLimits(org.plan).name };
}
