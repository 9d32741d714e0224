/**
 * The sign-in rules (API.md §2): who may get a link, spending a link once, who "me" is.
 * Services take values, never the request.
 */
import type { AppDeps } from "../../app";
import {
  acceptInvitation,
  createOrganizationWithOwner,
  deleteInvitation,
  findInvitation,
  findOrganization,
  findUserByEmail,
  normaliseEmail,
  type OrganizationRow,
  type UserRow,
} from "../../auth/accounts";
import type { SignInMail } from "../../auth/mailer";
import { planLimits } from "../../auth/plans";
import type { Principal } from "../../auth/principal";
import { createSession } from "../../auth/sessions";
import { issueSignInToken, linkQuota, signInUrl, spendSignInToken } from "../../auth/sign-in-tokens";
import { writeTransaction } from "../../db/tx";
import { ApiError } from "../../http/errors";
import { recordActivity } from "../activity/record";
import type { OrganizationSummary, UserSummary } from "./model";

type Deps = Pick<AppDeps, "database" | "config">;

/** What send-link came to: answered alike for every email; `retryAfter` set when over the per-email limit. */
export interface SendLinkOutcome {
  retryAfter?: number;
  /** whether a link is on its way (for tests and logs; never for the response) */
  delivered: boolean;
}

/**
 * Issues a link for any well-formed email and delivers it when the email may sign in: an
 * existing user, or anyone when signup is open. The work is the same for every email, so
 * neither the answer nor its timing tells whether an account exists:
 * 1. the per-email limit, counted over the links issued for this address, before any lookup;
 * 2. one lookup and one token insert (an undelivered token for an address that may not
 *    sign in is never seen by anyone and expires in 15 minutes);
 * 3. delivery is queued (mailer.ts `deliveryQueue`) and happens after the answer.
 * An invitation does not make an email "known" here: only its own link joins its organization.
 */
export async function sendSignInLink(
  { database, config }: Deps,
  deliver: (mail: SignInMail) => void,
  rawEmail: string,
  now = new Date(),
): Promise<SendLinkOutcome> {
  const email = normaliseEmail(rawEmail);
  const issued = await writeTransaction(database, () => {
    const quota = linkQuota(database, email, now);
    if (!quota.allowed) return { retryAfter: quota.retryAfter };
    const mayEnter = findUserByEmail(database, email) !== null || config.signup === "open";
    const token = issueSignInToken(database, email, now);
    return { token: mayEnter ? token : undefined };
  });
  if ("retryAfter" in issued) return { retryAfter: issued.retryAfter, delivered: false };
  if (issued.token) deliver({ to: email, url: signInUrl(config.publicUrl, issued.token) });
  return { delivered: issued.token !== undefined };
}

export interface SignInResult {
  user: UserSummary;
  organization: OrganizationSummary;
  /** the new session's cookie value */
  sessionToken: string;
}

const INVALID_LINK = "this sign-in link is invalid, already used or expired; ask for a new one";
const WITHDRAWN = "this invitation was withdrawn or has already been used; ask whoever invited you for a new one";

/**
 * Spends the token and opens a session. Where the person lands:
 * - an existing user: their own organization (an invitation link of someone who already
 *   has an account elsewhere is refused, unspent: an email belongs to one organization);
 * - an invitation's link: they join the inviting organization with the invited role;
 * - a plain link with open signup: a new organization of their own, even when some
 *   organization has invited them (an invitation never captures a sign-up);
 * - otherwise: refused (signup closed since the link was sent, or the user was removed).
 */
export function completeSignIn({ database, config }: Deps, token: string): Promise<SignInResult> {
  return writeTransaction(database, () => {
    const spent = spendSignInToken(database, token);
    if (spent === null) throw new ApiError("invalid_token", INVALID_LINK);
    const { email, invitationId } = spent;
    let user = findUserByEmail(database, email);
    let organization: OrganizationRow | null;
    const now = new Date().toISOString();
    const invitation = invitationId === null ? null : findInvitation(database, invitationId);
    if (invitationId !== null && !invitation) throw new ApiError("invalid_token", WITHDRAWN);
    if (user) {
      if (invitation && invitation.org_id !== user.org_id) {
        // Told to the invitee only (the link went to their mailbox): the inviter sees a pending invitation.
        throw new ApiError(
          "conflict",
          "this email already has an IPCraft account in another organization, and an email can belong to one organization only; sign in from the sign-in page to reach it",
        );
      }
      if (invitation) deleteInvitation(database, invitation.id);
      organization = findOrganization(database, user.org_id);
    } else if (invitation) {
      ({ user, organization } = acceptInvitation(database, invitation, now));
      recordActivity(database, {
        orgId: invitation.org_id,
        actor: { type: "user", id: user.id, label: email },
        action: "user.join",
        target: { type: "user", id: user.id, label: email },
        changes: { email: [null, email], role: [null, user.role] },
        at: now,
      });
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
