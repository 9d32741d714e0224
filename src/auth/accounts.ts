/**
 * Users, organizations and invitations as the sign-in flow and the CLI need them: look up
 * by email, create a new organization with its first owner (open signup, `ipcraft
 * login-link` on an empty database). Synchronous, for the CLI (the sign-in routes speak the
 * store: features/auth/service.ts). Call the writers inside a write transaction.
 */
import type { OpenDatabase } from "../db/client";
import type { PlanName } from "./plans";
import type { Role } from "./principal";
import { vrfStatements } from "../store/sqlite/vrfs";

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
  vrfStatements(database).ensureDefault(orgId, now);
  database.sqlite
    .query("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, '', 'owner', ?, ?)")
    .run(userId, orgId, normalised, now, now);
  return {
    user: { id: userId, org_id: orgId, email: normalised, name: "", role: "owner", last_login_at: null },
    organization: { id: orgId, name: orgName, plan: "unlimited", created_at: now, updated_at: now },
  };
}
