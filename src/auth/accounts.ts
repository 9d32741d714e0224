/**
 * Users, organizations and invitations as the sign-in flow and the CLI need them: look up
 * by email, create a new organization with its first owner (open signup, `ipcraft
 * login-link` on an empty database), and turn an accepted invitation into a member.
 * Call the writers inside a write transaction.
 */
import type { OpenDatabase } from "../db/client";
import type { PlanName } from "./plans";
import type { Role } from "./principal";

export interface UserRow {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  last_login_at: string | null;
}

export interface OrganizationRow {
  id: string;
  name: string;
  plan: PlanName;
  created_at: string;
  updated_at: string;
}

/** Emails are compared and stored lowercased and trimmed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(database: OpenDatabase, email: string): UserRow | null {
  return database.sqlite
    .query<UserRow, [string]>("SELECT id, org_id, email, name, role, last_login_at FROM users WHERE email = ?")
    .get(normaliseEmail(email));
}

export function findOrganization(database: OpenDatabase, orgId: string): OrganizationRow | null {
  return database.sqlite
    .query<OrganizationRow, [string]>("SELECT id, name, plan, created_at, updated_at FROM organizations WHERE id = ?")
    .get(orgId);
}

export function countUsers(database: OpenDatabase): number {
  return (database.sqlite.query("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
}

/** A name for a new organization until its owner renames it: "alice's organization". */
export function defaultOrganizationName(email: string): string {
  const local = normaliseEmail(email).split("@")[0] || "my";
  return `${local}'s organization`;
}

/** Creates an organization (plan `unlimited`, the self-hosted default) and its owner. */
export function createOrganizationWithOwner(
  database: OpenDatabase,
  email: string,
  now = new Date().toISOString(),
): { user: UserRow; organization: OrganizationRow } {
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const normalised = normaliseEmail(email);
  const orgName = defaultOrganizationName(normalised);
  database.sqlite
    .query("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, ?, 'unlimited', ?, ?)")
    .run(orgId, orgName, now, now);
  database.sqlite
    .query("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, '', 'owner', ?, ?)")
    .run(userId, orgId, normalised, now, now);
  return {
    user: { id: userId, org_id: orgId, email: normalised, name: "", role: "owner", last_login_at: null },
    organization: { id: orgId, name: orgName, plan: "unlimited", created_at: now, updated_at: now },
  };
}

/** A pending membership (db/schema.ts `invitations`): not a user until its link is used. */
export interface InvitationRow {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

export function findInvitation(database: OpenDatabase, id: string): InvitationRow | null {
  return database.sqlite
    .query<InvitationRow, [string]>("SELECT id, org_id, email, name, role, created_at FROM invitations WHERE id = ?")
    .get(id);
}

/** Deletes an invitation and its links (explicitly: the rule holds with foreign keys off too). */
export function deleteInvitation(database: OpenDatabase, id: string): void {
  database.sqlite.query("DELETE FROM login_tokens WHERE invitation_id = ?").run(id);
  database.sqlite.query("DELETE FROM invitations WHERE id = ?").run(id);
}

/**
 * The invitee used the invitation's link: they become a user of the inviting organization
 * with the invited role and name, under the invitation's id (so the id the inviter got
 * keeps naming the same person); the invitation is gone. Invitations of other
 * organizations for the same email stay as they are (their inviters learn nothing).
 */
export function acceptInvitation(
  database: OpenDatabase,
  invitation: InvitationRow,
  now = new Date().toISOString(),
): { user: UserRow; organization: OrganizationRow | null } {
  const id = invitation.id;
  deleteInvitation(database, invitation.id);
  database.sqlite
    .query("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
    .run(id, invitation.org_id, invitation.email, invitation.name, invitation.role, now, now);
  const user: UserRow = { id, org_id: invitation.org_id, email: invitation.email, name: invitation.name, role: invitation.role, last_login_at: null };
  return { user, organization: findOrganization(database, invitation.org_id) };
}
