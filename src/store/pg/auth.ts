/**
 * PostgreSQL: credentials by the hash of their secret; the twin of src/store/sqlite/auth.ts.
 *
 * The lookups run before the organization is known, in a unit with scope `{ orgId: null }`
 * (every tenant row hidden). They open exactly one narrow window
 * (drizzle/pg/0003_pre_auth_lookups.sql), learn the organization from the row behind it,
 * declare that organization, close the window, and read the rest under tenant isolation:
 *
 *   API key                                      session
 *   set app.lookup = key hash                    set app.lookup = token hash
 *   set app.org_id = (org of that key)           set app.lookup = (user of that session)
 *                                                set app.org_id = (org of that user)
 *   ── app.lookup = '' ─────────────────────────────────────────────────────────────────
 *   key ⋈ user ⋈ organization                    session ⋈ user ⋈ organization
 *     WHERE key_hash = $1 AND org_id = $2          WHERE token_hash = $1 AND org_id = $2
 *
 * A `set_config(…, (SELECT …), true)` reads its argument (under the settings in force)
 * before it sets anything, so each step is one statement. No row: app.org_id becomes '' and
 * the final read finds nothing.
 *
 * Each column is one plpgsql function taking those steps in order, called as one statement
 * (drizzle/pg/0015_key_credential.sql, 0017_session_credential.sql): outside any unit by
 * Store.keyCredential / sessionCredential (every request; the settings last as long as that
 * statement's own transaction), inside one by auth.keyByHash / sessionByHash.
 */
import type { SQL } from "bun";
import type { AuthQueries, KeyCredential, Scope, SessionCredential } from "../store";
import { iso } from "./errors";

/**
 * The API key whose secret hashes to `hash`, with its user and organization, in one statement
 * (drizzle/pg/0015_key_credential.sql). Outside a unit (Store.keyCredential, every API
 * request) its settings live only as long as that statement's own transaction.
 */
export async function keyCredentialOn(sql: SQL, hash: string): Promise<KeyCredential | null> {
  const [row] = await sql`SELECT * FROM ipcraft_key_credential(${hash})`;
  if (!row) return null;
  return { ...row, expiresAt: iso(row.expiresAt), lastUsedAt: iso(row.lastUsedAt) } as KeyCredential;
}

/** The session whose token hashes to `hash`, with its user and organization, in one statement (drizzle/pg/0017_session_credential.sql). */
export async function sessionCredentialOn(sql: SQL, hash: string): Promise<SessionCredential | null> {
  const [row] = await sql`SELECT * FROM ipcraft_session_credential(${hash})`;
  if (!row) return null;
  return { ...row, expiresAt: iso(row.expiresAt), lastSeenAt: iso(row.lastSeenAt) } as SessionCredential;
}

export function pgAuth(tx: SQL, scope: Scope): AuthQueries {
  function preAuthOnly(): void {
    // Re-declaring the organization is only sound before one was declared.
    if (scope.orgId !== null) throw new Error("credential lookups run in a unit with scope { orgId: null }");
  }

  return {
    async keyByHash(hash) {
      preAuthOnly();
      // The function takes the steps drawn above (drizzle/pg/0015_key_credential.sql); in this
      // unit it leaves the key's organization declared and the window closed, as they did.
      return keyCredentialOn(tx, hash);
    },

    async sessionByHash(hash) {
      preAuthOnly();
      // The steps drawn above in one function (drizzle/pg/0017_session_credential.sql); in this
      // unit it leaves the user's organization declared and the windows closed, as they did.
      return sessionCredentialOn(tx, hash);
    },

    async touchKey(orgId, keyId, at) {
      await tx`UPDATE api_keys SET last_used_at = ${at} WHERE org_id = ${orgId} AND id = ${keyId}`;
    },

    async touchSession(orgId, sessionId, seenAt, expiresAt) {
      await tx`UPDATE sessions SET last_seen_at = ${seenAt}, expires_at = ${expiresAt}
                WHERE id = ${sessionId} AND user_id IN (SELECT id FROM users WHERE org_id = ${orgId})`;
    },

    async deleteSession(orgId, sessionId) {
      const deleted = await tx`DELETE FROM sessions WHERE id = ${sessionId} AND user_id IN (SELECT id FROM users WHERE org_id = ${orgId})`;
      return deleted.count > 0;
    },

    async deleteKey(orgId, keyId) {
      const deleted = await tx`DELETE FROM api_keys WHERE org_id = ${orgId} AND id = ${keyId}`;
      return deleted.count > 0;
    },
  };
}
