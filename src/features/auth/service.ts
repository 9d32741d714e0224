/**
 * The sign-in rules (API.md §2): who may get a link, spending a link once, who "me" is.
 * Services take values, never the request.
 */
import type { AppDeps } from "../../app";
import { defaultOrganizationName, normaliseEmail } from "../../auth/accounts";
import { createFirstOwner, SETUP_EMAIL } from "../../auth/first-owner";
import type { SignInMail } from "../../auth/mailer";
import { planLimits } from "../../auth/plans";
import type { Principal, Role } from "../../auth/principal";
import { createSession } from "../../auth/sessions";
import { linkQuota, newSignInToken, signInUrl, spendSignInToken } from "../../auth/sign-in-tokens";
import { sha256Hex } from "../../auth/tokens";
import { ApiError } from "../../http/errors";
import type { Store } from "../../store/store";
import type { OrganizationSummary, UserSummary } from "./model";

type Deps = Pick<AppDeps, "store" | "config">;

/** What send-link came to: answered alike for every email; `retryAfter` set when over the per-email limit. */
export interface SendLinkOutcome {
  retryAfter?: number;
  /** whether a link is on its way (for tests and logs; never for the response) */
  delivered: boolean;
}

/**
 * Issues a link for any well-formed email and delivers it when the email may sign in
 * (API.md §2): an existing user, an email with one pending invitation, or anyone when signup
 * is open. The work is the same for every email, so neither the answer nor its timing tells
 * whether an account exists:
 * 1. the per-email limit, counted over the links issued for this address, before any lookup;
 * 2. the same two lookups (user, invitation) and one token insert (an undelivered token for
 *    an address that may not sign in is never seen by anyone and expires in 15 minutes);
 * 3. delivery is queued (mailer.ts `deliveryQueue`) and happens after the answer.
 * The link is a plain one: what it leads to is decided when it is spent (completeSignIn). So
 * an invitee whose invitation mail went astray still gets in, with signup closed.
 */
export async function sendSignInLink(
  { store, config }: Deps,
  deliver: (mail: SignInMail) => void,
  rawEmail: string,
  now = new Date(),
): Promise<SendLinkOutcome> {
  const email = normaliseEmail(rawEmail);
  const issued = await store.write({ orgId: null }, async (q) => {
    const quota = await linkQuota(q, email, now);
    if (!quota.allowed) return { retryAfter: quota.retryAfter };
    const known = (await q.signIn.userByEmail(email)) !== null;
    const invited = (await q.signIn.onlyInvitationFor(email)) !== null;
    const mayEnter = known || invited || config.signup === "open";
    const { token, row } = newSignInToken(email, now);
    await q.signIn.insertToken(row);
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
 * - a plain link with signup closed, of an email with exactly one pending invitation: as that
 *   invitation's link would (the sign-in page is how an invitee whose mail got lost gets in;
 *   with signup closed there is no organization of their own to capture). Invited by several
 *   organizations, they use the link of the one they choose: a plain link would have to guess;
 * - otherwise: refused (signup closed since the link was sent, or the user was removed).
 */
export function completeSignIn({ store, config }: Deps, token: string): Promise<SignInResult> {
  // Before anyone is known: the organization is learnt from the spent link and entered (store.ts SignInQueries).
  return store.write({ orgId: null }, async (q) => {
    const spent = await spendSignInToken(q, token);
    if (spent === null) throw new ApiError("invalid_token", INVALID_LINK);
    const { email, invitationId } = spent;
    // The setup link is spent only by POST /auth/setup, which names the owner.
    if (email === SETUP_EMAIL) throw new ApiError("invalid_token", INVALID_LINK);
    const existing = await q.signIn.userByEmail(email);
    const now = new Date().toISOString();
    let invitation = invitationId === null ? null : await q.signIn.invitationById(invitationId);
    if (invitationId !== null && !invitation) throw new ApiError("invalid_token", WITHDRAWN);
    if (!existing && invitation === null && config.signup !== "open") invitation = await q.signIn.onlyInvitationFor(email);
    let user: { id: string; org_id: string; email: string; name: string; role: Role };
    if (existing) {
      if (invitation && invitation.org_id !== existing.org_id) {
        // Told to the invitee only (the link went to their mailbox): the inviter sees a pending invitation.
        throw new ApiError(
          "conflict",
          "this email already has an IPCraft account in another organization, and an email can belong to one organization only; sign in from the sign-in page to reach it",
        );
      }
      user = existing;
      await q.signIn.enter(user.org_id);
      if (invitation) await q.users.removeInvitation(user.org_id, invitation.id);
    } else if (invitation) {
      // The invitee used the link: a member of the inviting organization under the invitation's
      // id (the id the inviter got keeps naming the same person); the invitation is gone.
      // Invitations of other organizations for the same email stay as they are.
      user = { id: invitation.id, org_id: invitation.org_id, email: invitation.email, name: invitation.name, role: invitation.role };
      await q.signIn.enter(user.org_id);
      await q.users.removeInvitation(user.org_id, invitation.id);
      await q.signIn.insertMember(user.org_id, { ...user, at: now });
      await q.activity.record({
        orgId: user.org_id,
        actor: { type: "user", id: user.id, label: email },
        action: "user.join",
        target: { type: "user", id: user.id, label: email },
        changes: { email: [null, email], role: [null, user.role] },
        at: now,
      });
    } else if (config.signup === "open") {
      // A new organization (plan `unlimited`, the self-hosted default) with this email as its owner.
      const organization = { id: crypto.randomUUID(), name: defaultOrganizationName(email), plan: "unlimited" };
      user = { id: crypto.randomUUID(), org_id: organization.id, email, name: "", role: "owner" };
      await q.signIn.enter(organization.id);
      await q.tenants.create({ at: now, organization, user });
      await q.activity.record({
        orgId: organization.id,
        actor: { type: "user", id: user.id, label: email },
        action: "organization.create",
        target: { type: "organization", id: organization.id, label: organization.name },
        changes: { name: [null, organization.name], owner: [null, user.email] },
      });
    } else {
      throw new ApiError("invalid_token", INVALID_LINK);
    }
    const organization = await q.organizations.get(user.org_id);
    if (!organization) throw new ApiError("invalid_token", INVALID_LINK);
    await q.signIn.markSignedIn(user.org_id, user.id, now);
    const sessionToken = await createSession(q, user.org_id, user.id);
    return { user: userSummary(user), organization: organizationSummary(organization), sessionToken };
  });
}

const INVALID_SETUP = "this setup link is invalid, already used or expired; restart the server for a new one";

/**
 * First start (no users yet): spends the one-time setup token the server logged, makes
 * `email` the owner of the first organization and opens a session, in one transaction. Once
 * anyone exists it is 409: setting up is over, people sign in or are invited.
 */
export function completeSetup({ store }: Deps, input: { token: string; email: string; organization?: string }): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  return store.write({ orgId: null }, async (q) => {
    if (await q.ops.hasUsers()) throw new ApiError("conflict", "this server is already set up; sign in from the sign-in page, or ask an owner for an invitation");
    const spent = await spendSignInToken(q, input.token);
    // Any other kind of link is refused, and the transaction's rollback leaves it unspent.
    if (spent === null || spent.email !== SETUP_EMAIL) throw new ApiError("invalid_token", INVALID_SETUP);
    const now = new Date().toISOString();
    const created = await createFirstOwner(q, email, now, { organizationName: input.organization });
    const user = { id: created.userId, org_id: created.orgId, email, name: "", role: "owner" as const };
    await q.signIn.markSignedIn(user.org_id, user.id, now);
    const organization = (await q.organizations.get(user.org_id))!;
    const sessionToken = await createSession(q, user.org_id, user.id);
    return { user: userSummary(user), organization: organizationSummary(organization), sessionToken };
  });
}

/** Logout: ends the session whose cookie value is `token`, if any (found by its hash, before anyone is known). */
export async function endSession({ store }: Deps, token: string): Promise<void> {
  const session = await store.read({ orgId: null }, (q) => q.auth.sessionByHash(sha256Hex(token)));
  if (session) await store.write({ orgId: session.orgId }, (q) => q.auth.deleteSession(session.orgId, session.id));
}

/** GET /auth/me: who is asking, through what, with which effective scope. */
export async function describePrincipal({ store }: Deps, principal: Principal) {
  const { user, organization } = await store.read({ orgId: principal.orgId }, async (q) => ({
    user: await q.users.memberByEmail(principal.orgId, principal.email),
    organization: await q.organizations.get(principal.orgId),
  }));
  if (!user || !organization) throw new ApiError("unauthorized", "this account no longer exists");
  return {
    user: userSummary(user),
    organization: organizationSummary(organization),
    auth: principal.via,
    scope: principal.scope,
  };
}

export function userSummary(user: UserSummary): UserSummary {
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export function organizationSummary(org: { id: string; name: string; plan: string }): OrganizationSummary {
  return { id: org.id, name: org.name, plan: planLimits(org.plan).name };
}
