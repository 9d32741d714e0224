/**
 * PostgreSQL: the people of one organization; the twin of src/store/sqlite/users.ts. Every
 * statement filters on org_id (and row-level security hides other organizations anyway).
 * The keyset orders ids with COLLATE "C" (bytewise, as SQLite does).
 */
import type { SQL } from "bun";
import type { PersonRecord, UserQueries } from "../store";
import { iso } from "./errors";

type PersonRow = Omit<PersonRecord, "created_at" | "last_login_at"> & { created_at: Date; last_login_at: Date | null };

function toPerson(row: PersonRow): PersonRecord {
  return { ...row, created_at: iso(row.created_at), last_login_at: iso(row.last_login_at) };
}

function one(rows: unknown[]): PersonRecord | null {
  const [row] = rows as PersonRow[];
  return row ? toPerson(row) : null;
}

export function pgUsers(tx: SQL): UserQueries {
  const member = (orgId: string, column: "id" | "email", value: string) =>
    tx`SELECT id, org_id, email, name, role, created_at, last_login_at, 0 AS pending FROM users
        WHERE org_id = ${orgId} AND ${tx(column)} = ${value}`;
  const invitation = (orgId: string, column: "id" | "email", value: string) =>
    tx`SELECT id, org_id, email, name, role, created_at, NULL::timestamptz AS last_login_at, 1 AS pending FROM invitations
        WHERE org_id = ${orgId} AND ${tx(column)} = ${value}`;

  return {
    member: async (orgId, id) => one(await member(orgId, "id", id)),
    invitation: async (orgId, id) => one(await invitation(orgId, "id", id)),
    memberByEmail: async (orgId, email) => one(await member(orgId, "email", email)),
    invitationByEmail: async (orgId, email) => one(await invitation(orgId, "email", email)),

    async insertInvitation(i) {
      await tx`INSERT INTO invitations (id, org_id, email, name, role, created_at, updated_at)
               VALUES (${i.id}, ${i.org_id}, ${i.email}, ${i.name}, ${i.role}, ${i.created_at}, ${i.created_at})`;
    },
    async updateInvitation(orgId, id, f, at) {
      await tx`UPDATE invitations SET role = ${f.role}, name = ${f.name}, updated_at = ${at} WHERE org_id = ${orgId} AND id = ${id}`;
    },
    async updateMember(orgId, id, f, at) {
      await tx`UPDATE users SET role = ${f.role}, name = ${f.name}, updated_at = ${at} WHERE org_id = ${orgId} AND id = ${id}`;
    },
    async countOwners(orgId) {
      const [row] = await tx`SELECT count(*)::int AS n FROM users WHERE org_id = ${orgId} AND role = 'owner'`;
      return row.n as number;
    },

    async list(orgId, opts) {
      const afterAt = opts.after?.createdAt ?? null;
      const afterId = opts.after?.id ?? null;
      const [{ n: total }] = await tx`
        SELECT ((SELECT count(*) FROM users WHERE org_id = ${orgId}) + (SELECT count(*) FROM invitations WHERE org_id = ${orgId}))::int AS n`;
      const rows = (await tx`
        SELECT * FROM (
          SELECT id, org_id, email, name, role, created_at, last_login_at, 0 AS pending FROM users WHERE org_id = ${orgId}
          UNION ALL
          SELECT id, org_id, email, name, role, created_at, NULL::timestamptz, 1 FROM invitations WHERE org_id = ${orgId}
        ) people
        WHERE ${afterAt}::timestamptz IS NULL OR (created_at, id COLLATE "C") > (${afterAt}::timestamptz, ${afterId}::text)
        ORDER BY created_at, id COLLATE "C"
        LIMIT ${opts.limit + 1}`) as PersonRow[];
      return { rows: rows.slice(0, opts.limit).map(toPerson), more: rows.length > opts.limit, total: total as number };
    },

    async removeMember(orgId, m) {
      const sessions = await tx`DELETE FROM sessions WHERE user_id = ${m.id} AND user_id IN (SELECT id FROM users WHERE org_id = ${orgId})`;
      await tx`DELETE FROM api_keys WHERE org_id = ${orgId} AND user_id = ${m.id}`;
      // Their plain links; another organization's invitation of this email is that organization's.
      await tx`DELETE FROM login_tokens WHERE email = ${m.email} AND invitation_id IS NULL`;
      await tx`DELETE FROM users WHERE org_id = ${orgId} AND id = ${m.id}`;
      return sessions.count;
    },

    async removeInvitation(orgId, id) {
      await tx`DELETE FROM login_tokens WHERE invitation_id = ${id} AND invitation_id IN (SELECT id FROM invitations WHERE org_id = ${orgId})`;
      await tx`DELETE FROM invitations WHERE org_id = ${orgId} AND id = ${id}`;
    },
  };
}
