/**
 * PostgreSQL: signing in; the twin of src/store/sqlite/sign-in.ts. login_tokens is the one
 * table outside row-level security (keyed by email, used before anyone is known; only hashes
 * are stored). The member or invitation a link leads to is read through a narrow window
 * (drizzle/pg/0003, 0004, 0018): `app.lookup` is set to the email or id just taken from the spent
 * link's row, the one row is read, the window is closed again, all in one round trip. Then
 * `enter` declares the organization learnt from that row, and everything after it (the
 * member, the session, the activity entry) is written under tenant isolation.
 */
import type { SQL } from "bun";
import type { InvitationRecord, Scope, SignInQueries, SignInUser } from "../store";
import { iso } from "./errors";

/** Sends `queries` in order without waiting between them; resolves with every result. */
function pipelined<T extends unknown[]>(...queries: { [K in keyof T]: SQL.Query<T[K]> }): Promise<T> {
  return Promise.all(queries.map((query) => query.execute())) as Promise<T>;
}

export function pgSignIn(tx: SQL, scope: Scope): SignInQueries {
  let entered = false;
  function preAuthOnly(): void {
    // Seeing across organizations, or declaring one, is only sound before one was declared.
    if (scope.orgId !== null || entered) throw new Error("sign-in lookups run in a unit with scope { orgId: null }, before enter()");
  }

  return {
    async insertToken(t) {
      await tx`DELETE FROM login_tokens WHERE expires_at <= ${t.createdAt}`;
      await tx`INSERT INTO login_tokens (token_hash, email, created_at, expires_at, invitation_id)
               VALUES (${t.hash}, ${t.email}, ${t.createdAt}, ${t.expiresAt}, ${t.invitationId})`;
    },
    async dropInvitationLinks(invitationId) {
      await tx`DELETE FROM login_tokens WHERE invitation_id = ${invitationId}`;
    },
    async linksSince(email, since) {
      const [row] = await tx`SELECT count(*)::int AS n, min(created_at) AS oldest FROM login_tokens
                              WHERE email = ${email} AND invitation_id IS NULL AND created_at > ${since}`;
      return { n: row.n as number, oldest: iso(row.oldest as Date | null) };
    },
    async spendToken(hash, at) {
      const [row] = await tx`UPDATE login_tokens SET used_at = ${at}
                              WHERE token_hash = ${hash} AND used_at IS NULL AND expires_at > ${at} RETURNING email, invitation_id`;
      return row ? { email: row.email as string, invitationId: (row.invitation_id as string | null) ?? null } : null;
    },
    async userByEmail(email) {
      preAuthOnly();
      const [, rows] = await pipelined(
        tx`SELECT set_config('app.lookup', ${email}, true)`,
        tx`SELECT id, org_id, email, name, role FROM users WHERE email = ${email}`,
        tx`SELECT set_config('app.lookup', '', true)`,
      );
      return ((rows as SignInUser[])[0] as SignInUser | undefined) ?? null;
    },
    async invitationById(id) {
      preAuthOnly();
      const [, rows] = await pipelined(
        tx`SELECT set_config('app.lookup', ${id}, true)`,
        tx`SELECT id, org_id, email, name, role FROM invitations WHERE id = ${id}`,
        tx`SELECT set_config('app.lookup', '', true)`,
      );
      return ((rows as InvitationRecord[])[0] as InvitationRecord | undefined) ?? null;
    },
    async onlyInvitationFor(email) {
      preAuthOnly();
      // The same window, matching by email (drizzle/pg/0018_invitation_by_email.sql).
      const [, rows] = await pipelined(
        tx`SELECT set_config('app.lookup', ${email}, true)`,
        tx`SELECT id, org_id, email, name, role FROM invitations WHERE email = ${email} LIMIT 2`,
        tx`SELECT set_config('app.lookup', '', true)`,
      );
      const found = rows as InvitationRecord[];
      return found.length === 1 ? found[0]! : null;
    },
    async enter(orgId) {
      preAuthOnly();
      entered = true;
      await tx`SELECT set_config('app.org_id', ${orgId}, true), set_config('app.lookup', '', true)`;
    },
    async insertMember(orgId, u) {
      await tx`INSERT INTO users (id, org_id, email, name, role, created_at, updated_at)
               VALUES (${u.id}, ${orgId}, ${u.email}, ${u.name}, ${u.role}, ${u.at}, ${u.at})`;
    },
    async markSignedIn(orgId, userId, at) {
      await tx`UPDATE users SET last_login_at = ${at}, updated_at = ${at} WHERE org_id = ${orgId} AND id = ${userId}`;
    },
    async insertSession(_orgId, x) {
      await tx`INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at)
               VALUES (${x.id}, ${x.tokenHash}, ${x.userId}, ${x.at}, ${x.at}, ${x.expiresAt})`;
    },
  };
}
