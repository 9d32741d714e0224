/**
 * PostgreSQL: sign-in links (login_tokens); the twin of src/store/sqlite/sign-in.ts.
 * login_tokens is the one table outside row-level security (keyed by email, used before
 * anyone is known: drizzle/pg/0001_row_level_security.sql); only hashes are stored.
 */
import type { SQL } from "bun";
import type { SignInQueries } from "../store";

export function pgSignIn(tx: SQL): SignInQueries {
  return {
    async insertToken(t) {
      await tx`DELETE FROM login_tokens WHERE expires_at <= ${t.createdAt}`;
      await tx`INSERT INTO login_tokens (token_hash, email, created_at, expires_at, invitation_id)
               VALUES (${t.hash}, ${t.email}, ${t.createdAt}, ${t.expiresAt}, ${t.invitationId})`;
    },
    async dropInvitationLinks(invitationId) {
      await tx`DELETE FROM login_tokens WHERE invitation_id = ${invitationId}`;
    },
  };
}
