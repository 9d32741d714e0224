/**
 * User management (API.md §3). The rules:
 * - everyone in an organization sees its members; owners and admins invite, change roles
 *   and remove (members and viewers get 403);
 * - only an owner may make, unmake, change or remove an owner (admins manage everyone else);
 * - an organization always keeps an owner: the last one cannot be demoted or removed (409
 *   last_owner), not even by themselves;
 * - an invitation is a pending membership (table `invitations`), listed with the users as
 *   `invited: true`, plus a link (valid 7 days) sent by the same delivery as sign-in. Only
 *   that link joins the organization: it is the invitee's consent. Until then the email is
 *   not theirs to claim: a plain sign-in of an invited email with open signup makes the
 *   person's own organization, and other organizations may invite the same email;
 * - the answer to an invitation never depends on other organizations: an email with an
 *   account elsewhere is invited (201) exactly like a fresh one. (Its owner, who reads the
 *   mail, is told on using the link that an email belongs to one organization.) Only a
 *   member of the caller's own organization is 409 conflict; re-inviting a pending
 *   invitation updates it and sends a fresh link;
 * - the plan's user limit counts members and pending invitations;
 * - removal deletes the user's sessions, API keys and pending links in the same
 *   transaction, so their very next request is 401 (the guard looks credentials up on
 *   every request and caches nothing);
 * - every write is recorded in the activity log; no token, key or hash ever goes into it.
 *
 * API keys: unlike key management (which needs a session, so a key cannot mint keys or
 * revoke the keys that could stop it), user management is allowed with a write-scoped key
 * of an owner or admin. Offboarding from a script is a real need; an invitation's link goes
 * to the invited mailbox (or the server log), never to the caller, so a key cannot use
 * invitations to get itself a session; and owners can only be made by owners.
 */
import type { AppDeps } from "../../app";
import { normaliseEmail } from "../../auth/accounts";
import type { SignInMail } from "../../auth/mailer";
import { checkPlanAllows } from "../../auth/plans";
import { actorOf, type Principal, type Role, requireRole, requireWrite } from "../../auth/principal";
import { newSignInToken, signInUrl } from "../../auth/sign-in-tokens";
import { ApiError, notFound } from "../../http/errors";
import { decodeStringCursor, DEFAULT_LIMIT, encodeCursor, type Page } from "../../http/pagination";
import type { PersonRecord, Queries } from "../../store/store";
import { revokeStoredKey } from "../api-keys/service";
import type { InvitedItem, InviteBody, PatchUserBody, UserItem } from "./model";

type Deps = Pick<AppDeps, "store" | "config">;

export function toItem(row: PersonRecord): UserItem {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    created_at: row.created_at,
    last_login_at: row.last_login_at,
    invited: row.pending === 1 || row.last_login_at === null,
  };
}

/** Owners and admins manage users, with a credential that may write. */
function requireManager(p: Principal): void {
  requireWrite(p);
  requireRole(p, ["owner", "admin"]);
}

const OWNERS_ONLY = "only an owner can make, change or remove an owner";

function requireOwnerFor(p: Principal, ...roles: Role[]): void {
  if (roles.includes("owner") && p.role !== "owner") throw new ApiError("forbidden", OWNERS_ONLY);
}

/** Throws the 403 an invitation is refused with for `p` (also run before an Idempotency-Key replay). */
export function requireMayInvite(p: Principal, body: Pick<InviteBody, "role">): void {
  requireManager(p);
  requireOwnerFor(p, body.role);
}

function lastOwner(what: string): ApiError {
  return new ApiError("last_owner", `${what}: an organization needs an owner. Make someone else an owner first`);
}

/** A member, else a pending invitation, of the caller's organization; else 404. */
async function personOf(q: Queries, orgId: string, id: string): Promise<PersonRecord> {
  const person = (await q.users.member(orgId, id)) ?? (await q.users.invitation(orgId, id));
  if (!person) throw notFound("user");
  return person;
}

/** The answer an invitation's creating unit stands for (an Idempotency-Key stores this, never the link's token). */
/** How an invitation's link leaves: over SMTP when configured, else only in the server log. */
const deliveryOf = (config: Deps["config"]): InvitedItem["delivery"] => (config.smtpUrl ? "email" : "log");

/** The answer to an invite, from its write's value (also what an Idempotency-Key replay shows). */
export const invitationAnswer = (value: unknown, config: Deps["config"]): InvitedItem => ({
  ...toItem((value as { invitation: PersonRecord }).invitation),
  delivery: deliveryOf(config),
});

export function userService({ store, config }: Deps, deliver: (mail: SignInMail) => void) {
  /** DELETE on a pending invitation withdraws it: its link stops working at once. */
  async function withdrawInvitation(q: Queries, p: Principal, invitation: PersonRecord): Promise<void> {
    requireOwnerFor(p, invitation.role);
    await q.users.removeInvitation(p.orgId, invitation.id);
    await q.activity.record({
      orgId: p.orgId,
      actor: actorOf(p),
      action: "user.remove",
      target: { type: "user", id: invitation.id, label: invitation.email },
      changes: { email: [invitation.email, null], role: [invitation.role, null], invited: [true, null] },
    });
  }

  return {
    /** The members of the caller's organization, oldest first. */
    async list(p: Principal, page: { limit?: number; cursor?: string }): Promise<Page<UserItem>> {
      const after = page.cursor === undefined ? undefined : decodeUserCursor(page.cursor);
      const { rows, more, total } = await store.read({ orgId: p.orgId }, (q) => q.users.list(p.orgId, { limit: page.limit ?? DEFAULT_LIMIT, after }));
      const last = rows.at(-1);
      return { items: rows.map(toItem), total, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
    },

    get: (p: Principal, id: string): Promise<UserItem> => store.read({ orgId: p.orgId }, async (q) => toItem(await personOf(q, p.orgId, id))),

    /** Creates (or refreshes) the invitation and sends its link. */
    async invite(p: Principal, body: InviteBody): Promise<InvitedItem> {
      requireMayInvite(p, body);
      const email = normaliseEmail(body.email);
      const { invitation, token, organization } = await store.write({ orgId: p.orgId }, async (q) => {
        // Only this organization's own members are looked at: the answer must not depend on other tenants.
        if (await q.users.memberByEmail(p.orgId, email)) throw new ApiError("conflict", `${email} is already a member of your organization`);
        const now = new Date().toISOString();
        const pending = await q.users.invitationByEmail(p.orgId, email);
        const invitation: PersonRecord = {
          id: pending?.id ?? crypto.randomUUID(),
          org_id: p.orgId,
          email,
          name: body.name ?? pending?.name ?? "",
          role: body.role,
          created_at: pending?.created_at ?? now,
          last_login_at: null,
          pending: 1,
        };
        if (pending) {
          await q.users.updateInvitation(p.orgId, invitation.id, invitation, now);
          // One live link per invitation: the fresh one replaces the old.
          await q.signIn.dropInvitationLinks(invitation.id);
        } else {
          await checkPlanAllows(q, p.orgId, "users", 1);
          await q.users.insertInvitation(invitation);
        }
        const { token, row } = newSignInToken(email, new Date(now), invitation.id);
        await q.signIn.insertToken(row);
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "user.invite",
          target: { type: "user", id: invitation.id, label: email },
          changes: pending
            ? { role: [pending.role, invitation.role], ...(invitation.name !== pending.name ? { name: [pending.name, invitation.name] } : {}) }
            : { email: [null, email], role: [null, invitation.role], ...(invitation.name ? { name: [null, invitation.name] } : {}) },
          at: now,
        });
        const organization = (await q.organizations.get(p.orgId))!.name;
        return { invitation, token, organization };
      });
      // Queued, after the commit: a slow mail relay must not hold the answer.
      deliver({ to: email, url: signInUrl(config.publicUrl, token), invitation: { organization, invitedBy: p.email } });
      // Said in the answer, so the inviter learns when the link only reached the server log.
      return invitationAnswer({ invitation }, config);
    },

    /** Changes a user's role and/or name. */
    update(p: Principal, id: string, body: PatchUserBody): Promise<UserItem> {
      requireManager(p);
      return store.write({ orgId: p.orgId }, async (q) => {
        const before = await personOf(q, p.orgId, id);
        const after = { role: body.role ?? before.role, name: body.name ?? before.name };
        const changes: Record<string, [unknown, unknown]> = {};
        if (after.role !== before.role) changes.role = [before.role, after.role];
        if (after.name !== before.name) changes.name = [before.name, after.name];
        if (Object.keys(changes).length === 0) return toItem(before);
        requireOwnerFor(p, before.role, after.role);
        if (!before.pending && before.role === "owner" && after.role !== "owner" && (await q.users.countOwners(p.orgId)) === 1) {
          throw lastOwner(`${before.email} is the last owner and cannot become ${after.role}`);
        }
        const now = new Date().toISOString();
        if (before.pending) await q.users.updateInvitation(p.orgId, id, after, now);
        else await q.users.updateMember(p.orgId, id, after, now);
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "user.update",
          target: { type: "user", id, label: before.email },
          changes,
          at: now,
        });
        return toItem({ ...before, ...after });
      });
    },

    /** Removes a user and, in the same unit, every credential they hold. */
    async remove(p: Principal, id: string): Promise<void> {
      requireManager(p);
      await store.write({ orgId: p.orgId }, async (q) => {
        const invitation = await q.users.invitation(p.orgId, id);
        if (invitation) return withdrawInvitation(q, p, invitation);
        const user = await q.users.member(p.orgId, id);
        if (!user) throw notFound("user");
        requireOwnerFor(p, user.role);
        if (user.role === "owner" && (await q.users.countOwners(p.orgId)) === 1) {
          throw lastOwner(`${user.email} is the last owner and cannot be removed`);
        }
        const actor = actorOf(p);
        // Each key gets its own api_key.revoke entry, so the key's history says how it ended.
        const keyIds = await q.apiKeys.idsOfUser(p.orgId, user.id);
        for (const keyId of keyIds) await revokeStoredKey(q, (await q.apiKeys.get(p.orgId, keyId))!, actor);
        const sessions = await q.users.removeMember(p.orgId, user);
        await q.activity.record({
          orgId: p.orgId,
          actor,
          action: "user.remove",
          target: { type: "user", id: user.id, label: user.email },
          changes: {
            email: [user.email, null],
            role: [user.role, null],
            ...(user.name ? { name: [user.name, null] } : {}),
            api_keys: [keyIds.length, 0],
            sessions: [sessions, 0],
          },
        });
      });
    },
  };
}

function decodeUserCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeStringCursor(cursor, 2) as [string, string];
  return { createdAt, id };
}
