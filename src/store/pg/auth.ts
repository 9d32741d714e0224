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
 * API key (every API request): the steps are one plpgsql function, called as one statement
 * (drizzle/pg/0015_key_credential.sql) — outside any unit by Store.keyCredential, inside one
 * by auth.keyByHash. Session: the steps are pipelined in the unit (sent together, one round
 * trip; PostgreSQL runs them in order, and the final read filters on the declared
 * organization); the first rides on the unit's opening statement when the scope names the
 * hash (`{ orgId: null, lookup }`, as the auth guard does): one statement less.
 */
import type { SQL } from "bun";
import type { AuthQueries, KeyCredential, Scope, SessionCredential } from "../store";
import { iso } from "./errors";

/** Sends `queries` in order without waiting between them; resolves with every result. */
function pipelined<T extends unknown[]>(...queries: { [K in keyof T]: { execute(): PromiseLike<T[K]> } }): Promise<T> {
  return Promise.all(queries.map((query) => query.execute())) as Promise<T>;
}

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

export function pgAuth(tx: SQL, scope: Scope): AuthQueries {
  function preAuthOnly(): void {
    // Re-declaring the organization is only sound before one was declared.
    if (scope.orgId !== null) throw new Error("credential lookups run in a unit with scope { orgId: null }");
  }

  /** Opens the window on `hash`, unless the unit's scope already did (store.ts inScope): then nothing is sent. */
  function declareLookup(hash: string): { execute(): PromiseLike<unknown> } {
    if (scope.orgId === null && scope.lookup === hash) return { execute: async () => undefined };
    return tx`SELECT set_config('app.lookup', ${hash}, true)`;
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
      const [, , , rows] = await pipelined(
        declareLookup(hash),
        tx`SELECT set_config('app.lookup', coalesce((SELECT user_id FROM sessions WHERE token_hash = ${hash}), ''), true)`,
        tx`SELECT set_config('app.org_id', coalesce((SELECT org_id FROM users WHERE id = current_setting('app.lookup', true)), ''), true),
                  set_config('app.lookup', '', true)`,
        tx`SELECT s.id, s.token_hash AS "tokenHash", s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt",
                  u.id AS "userId", u.email, u.role, o.id AS "orgId", o.plan
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id
            WHERE s.token_hash = ${hash} AND u.org_id = current_setting('app.org_id', true)`,
      );
      const [row] = rows;
      if (!row) return null;
      return { ...row, expiresAt: iso(row.expiresAt), lastSeenAt: iso(row.lastSeenAt) } as SessionCredential;
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
