/**
 * SQLite: the people of one organization, its members and its pending invitations (listed
 * together, invitations with `pending: 1`). Every statement filters on org_id, so an id of
 * another organization simply finds nothing.
 */
import type { OpenDatabase } from "../../db/client";
import type { PersonRecord, UserQueries } from "../store";

const MEMBERS = "SELECT id, org_id, email, name, role, created_at, last_login_at, 0 AS pending FROM users";
const INVITATIONS = "SELECT id, org_id, email, name, role, created_at, NULL AS last_login_at, 1 AS pending FROM invitations";

export function sqliteUsers(database: OpenDatabase): UserQueries {
  const { sqlite } = database;
  const member = sqlite.query<PersonRecord, [string, string]>(`${MEMBERS} WHERE org_id = ? AND id = ?`);
  const invitation = sqlite.query<PersonRecord, [string, string]>(`${INVITATIONS} WHERE org_id = ? AND id = ?`);
  const memberByEmail = sqlite.query<PersonRecord, [string, string]>(`${MEMBERS} WHERE org_id = ? AND email = ?`);
  const invitationByEmail = sqlite.query<PersonRecord, [string, string]>(`${INVITATIONS} WHERE org_id = ? AND email = ?`);
  const insertInvitation = sqlite.query<unknown, [string, string, string, string, string, string, string]>(
    "INSERT INTO invitations (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const updateInvitation = sqlite.query<unknown, [string, string, string, string, string]>(
    "UPDATE invitations SET role = ?, name = ?, updated_at = ? WHERE org_id = ? AND id = ?",
  );
  const updateMember = sqlite.query<unknown, [string, string, string, string, string]>(
    "UPDATE users SET role = ?, name = ?, updated_at = ? WHERE org_id = ? AND id = ?",
  );
  const countOwners = sqlite.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM users WHERE org_id = ? AND role = 'owner'");
  const total = sqlite.query<{ n: number }, [string]>(
    "SELECT (SELECT COUNT(*) FROM users WHERE org_id = ?1) + (SELECT COUNT(*) FROM invitations WHERE org_id = ?1) AS n",
  );
  const people = `SELECT * FROM (${MEMBERS} WHERE org_id = ?1 UNION ALL ${INVITATIONS} WHERE org_id = ?1)`;
  const firstPage = sqlite.query<PersonRecord, [string, number]>(`${people} ORDER BY created_at, id LIMIT ?2`);
  const nextPage = sqlite.query<PersonRecord, [string, number, string, string]>(
    `${people} WHERE created_at > ?3 OR (created_at = ?3 AND id > ?4) ORDER BY created_at, id LIMIT ?2`,
  );
  const memberSessions = sqlite.query<unknown, [string, string]>(
    "DELETE FROM sessions WHERE user_id = ? AND user_id IN (SELECT id FROM users WHERE org_id = ?)",
  );
  const memberKeys = sqlite.query<unknown, [string, string]>("DELETE FROM api_keys WHERE org_id = ? AND user_id = ?");
  const plainLinks = sqlite.query<unknown, [string]>("DELETE FROM login_tokens WHERE email = ? AND invitation_id IS NULL");
  const deleteMember = sqlite.query<unknown, [string, string]>("DELETE FROM users WHERE org_id = ? AND id = ?");
  const invitationLinks = sqlite.query<unknown, [string, string]>(
    "DELETE FROM login_tokens WHERE invitation_id = ? AND invitation_id IN (SELECT id FROM invitations WHERE org_id = ?)",
  );
  const deleteInvitation = sqlite.query<unknown, [string, string]>("DELETE FROM invitations WHERE org_id = ? AND id = ?");

  return {
    member: async (orgId, id) => member.get(orgId, id),
    invitation: async (orgId, id) => invitation.get(orgId, id),
    memberByEmail: async (orgId, email) => memberByEmail.get(orgId, email),
    invitationByEmail: async (orgId, email) => invitationByEmail.get(orgId, email),
    async insertInvitation(i) {
      insertInvitation.run(i.id, i.org_id, i.email, i.name, i.role, i.created_at, i.created_at);
    },
    async updateInvitation(orgId, id, f, at) {
      updateInvitation.run(f.role, f.name, at, orgId, id);
    },
    async updateMember(orgId, id, f, at) {
      updateMember.run(f.role, f.name, at, orgId, id);
    },
    countOwners: async (orgId) => countOwners.get(orgId)!.n,
    async list(orgId, opts) {
      const rows = opts.after
        ? nextPage.all(orgId, opts.limit + 1, opts.after.createdAt, opts.after.id)
        : firstPage.all(orgId, opts.limit + 1);
      return { rows: rows.slice(0, opts.limit), more: rows.length > opts.limit, total: total.get(orgId)!.n };
    },
    // Explicit deletes rather than ON DELETE CASCADE, so the rule holds with foreign keys off too.
    async removeMember(orgId, m) {
      const { changes } = memberSessions.run(m.id, orgId);
      memberKeys.run(orgId, m.id);
      // Their plain links; another organization's invitation of this email is that organization's.
      plainLinks.run(m.email);
      deleteMember.run(orgId, m.id);
      return changes;
    },
    async removeInvitation(orgId, id) {
      invitationLinks.run(id, orgId);
      deleteInvitation.run(orgId, id);
    },
  };
}
