/**
 * SQL for the people of one organization: its users and its pending invitations (listed
 * together, invitations with `invited: true`). Every query is scoped by `org_id`, so an id
 * of another organization simply finds nothing (and the service answers 404).
 */
import type { Role } from "../../auth/principal";
import type { OpenDatabase } from "../../db/client";
import type { UserItem } from "./model";

export interface StoredUser {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
  last_login_at: string | null;
  /** 1 for a pending invitation (a row of `invitations`, not of `users`) */
  pending?: number;
}

const COLUMNS = "id, org_id, email, name, role, created_at, last_login_at FROM users";

export function toItem(row: StoredUser): UserItem {
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

/** User `id` of organization `orgId`, or null. */
export function findUser(database: OpenDatabase, orgId: string, id: string): StoredUser | null {
  return database.sqlite.query<StoredUser, [string, string]>(`SELECT ${COLUMNS} WHERE id = ? AND org_id = ?`).get(id, orgId);
}

/** The user of this organization with this (normalised) email, if any. Other organizations are never looked at. */
export function memberByEmail(database: OpenDatabase, orgId: string, email: string): StoredUser | null {
  return database.sqlite.query<StoredUser, [string, string]>(`SELECT ${COLUMNS} WHERE org_id = ? AND email = ?`).get(orgId, email);
}

const INVITATION_COLUMNS = "id, org_id, email, name, role, created_at, NULL AS last_login_at, 1 AS pending FROM invitations";

/** Pending invitation `id` of organization `orgId`, or null. */
export function findInvitationIn(database: OpenDatabase, orgId: string, id: string): StoredUser | null {
  return database.sqlite.query<StoredUser, [string, string]>(`SELECT ${INVITATION_COLUMNS} WHERE id = ? AND org_id = ?`).get(id, orgId);
}

/** This organization's pending invitation of `email`, if any. */
export function invitationByEmail(database: OpenDatabase, orgId: string, email: string): StoredUser | null {
  return database.sqlite.query<StoredUser, [string, string]>(`SELECT ${INVITATION_COLUMNS} WHERE org_id = ? AND email = ?`).get(orgId, email);
}

export function insertInvitation(database: OpenDatabase, invitation: Omit<StoredUser, "last_login_at">): void {
  database.sqlite
    .query("INSERT INTO invitations (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
    .run(invitation.id, invitation.org_id, invitation.email, invitation.name, invitation.role, invitation.created_at, invitation.created_at);
}

export function updateInvitation(database: OpenDatabase, id: string, fields: { role: Role; name: string }, now: string): void {
  database.sqlite.query("UPDATE invitations SET role = ?, name = ?, updated_at = ? WHERE id = ?").run(fields.role, fields.name, now, id);
}

export function countOwners(database: OpenDatabase, orgId: string): number {
  return (database.sqlite.query("SELECT COUNT(*) AS n FROM users WHERE org_id = ? AND role = 'owner'").get(orgId) as { n: number }).n;
}

export function insertUser(database: OpenDatabase, user: Omit<StoredUser, "last_login_at">): void {
  database.sqlite
    .query("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
    .run(user.id, user.org_id, user.email, user.name, user.role, user.created_at, user.created_at);
}

export function updateUser(database: OpenDatabase, id: string, fields: { role: Role; name: string }, now: string): void {
  database.sqlite.query("UPDATE users SET role = ?, name = ?, updated_at = ? WHERE id = ?").run(fields.role, fields.name, now, id);
}

/** Ids of the API keys a user holds (each is revoked, and logged, on removal). */
export function keyIdsOf(database: OpenDatabase, userId: string): string[] {
  return (database.sqlite.query("SELECT id FROM api_keys WHERE user_id = ?").all(userId) as { id: string }[]).map((r) => r.id);
}

/**
 * Deletes a user with everything that could still let them in: sessions, API keys and
 * pending sign-in links. Explicit deletes rather than relying on ON DELETE CASCADE, so the
 * rule holds even on a connection where foreign keys are off. Returns the sessions ended.
 */
export function deleteUserAndCredentials(database: OpenDatabase, user: Pick<StoredUser, "id" | "email">): number {
  const { sqlite } = database;
  const sessions = sqlite.query("DELETE FROM sessions WHERE user_id = ?").run(user.id).changes;
  sqlite.query("DELETE FROM api_keys WHERE user_id = ?").run(user.id);
  // Their plain links; another organization's invitation of this email is that organization's.
  sqlite.query("DELETE FROM login_tokens WHERE email = ? AND invitation_id IS NULL").run(user.email);
  sqlite.query("DELETE FROM users WHERE id = ?").run(user.id);
  return sessions;
}

/**
 * Users and pending invitations, oldest first (the founder leads); `after` is the
 * (created_at, id) of the previous page's last item.
 */
export function listUsers(database: OpenDatabase, orgId: string, limit: number, after?: { createdAt: string; id: string }) {
  const total = (
    database.sqlite
      .query("SELECT (SELECT COUNT(*) FROM users WHERE org_id = ?1) + (SELECT COUNT(*) FROM invitations WHERE org_id = ?1) AS n")
      .get(orgId) as { n: number }
  ).n;
  const people = `SELECT * FROM (SELECT id, org_id, email, name, role, created_at, last_login_at, 0 AS pending FROM users WHERE org_id = ?1 UNION ALL SELECT ${INVITATION_COLUMNS} WHERE org_id = ?1)`;
  const rows = after
    ? database.sqlite
        .query<StoredUser, [string, number, string, string]>(
          `${people} WHERE created_at > ?3 OR (created_at = ?3 AND id > ?4) ORDER BY created_at, id LIMIT ?2`,
        )
        .all(orgId, limit + 1, after.createdAt, after.id)
    : database.sqlite.query<StoredUser, [string, number]>(`${people} ORDER BY created_at, id LIMIT ?2`).all(orgId, limit + 1);
  return { rows: rows.slice(0, limit), more: rows.length > limit, total };
}
