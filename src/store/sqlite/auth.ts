/** SQLite: credentials by the hash of their secret, and their debounced bookkeeping writes. */
import type { OpenDatabase } from "../../db/client";
import type { AuthQueries, KeyCredential, SessionCredential } from "../store";

export function sqliteAuth(database: OpenDatabase): AuthQueries {
  const { sqlite } = database;
  const keyByHash = sqlite.query<KeyCredential, [string]>(
    `SELECT k.id, k.name, k.prefix, k.key_hash AS keyHash, k.scope, k.expires_at AS expiresAt, k.last_used_at AS lastUsedAt,
            u.id AS userId, u.email, u.role, o.id AS orgId, o.plan
       FROM api_keys k JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = k.org_id
      WHERE k.key_hash = ?`,
  );
  const sessionByHash = sqlite.query<SessionCredential, [string]>(
    `SELECT s.id, s.token_hash AS tokenHash, s.expires_at AS expiresAt, s.last_seen_at AS lastSeenAt,
            u.id AS userId, u.email, u.role, o.id AS orgId, o.plan
       FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id
      WHERE s.token_hash = ?`,
  );
  const touchKey = sqlite.query<unknown, [string, string, string]>("UPDATE api_keys SET last_used_at = ? WHERE org_id = ? AND id = ?");
  const touchSession = sqlite.query<unknown, [string, string, string, string]>(
    "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ? AND user_id IN (SELECT id FROM users WHERE org_id = ?)",
  );
  const deleteKey = sqlite.query<unknown, [string, string]>("DELETE FROM api_keys WHERE org_id = ? AND id = ?");
  const deleteSession = sqlite.query<unknown, [string, string]>(
    "DELETE FROM sessions WHERE id = ? AND user_id IN (SELECT id FROM users WHERE org_id = ?)",
  );
  return {
    keyByHash: async (hash) => keyByHash.get(hash),
    sessionByHash: async (hash) => sessionByHash.get(hash),
    async touchKey(orgId, keyId, at) {
      touchKey.run(at, orgId, keyId);
    },
    async touchSession(orgId, sessionId, seenAt, expiresAt) {
      touchSession.run(seenAt, expiresAt, sessionId, orgId);
    },
    deleteSession: async (orgId, sessionId) => deleteSession.run(sessionId, orgId).changes > 0,
    deleteKey: async (orgId, keyId) => deleteKey.run(orgId, keyId).changes > 0,
  };
}
