/**
 * SQLite: the SQL of API-key management. Nothing here reads or returns `key_hash`: the only
 * query that touches it is the credential lookup (auth.ts).
 */
import type { OpenDatabase } from "../../db/client";
import type { ApiKeyQueries, NewKey, StoredKey } from "../store";

const COLUMNS = `k.id, k.org_id, k.user_id, u.email, k.name, k.prefix, k.scope, k.created_at, k.last_used_at, k.expires_at
  FROM api_keys k JOIN users u ON u.id = k.user_id`;

/**
 * The synchronous statements. The store's repository below wraps them; the CLI's
 * `keys revoke <id|prefix>` (any organization) calls them directly.
 */
export function apiKeyStatements(database: OpenDatabase) {
  const { sqlite } = database;
  const byId = sqlite.query<StoredKey, [string, string]>(`SELECT ${COLUMNS} WHERE k.org_id = ? AND k.id = ?`);
  const anyById = sqlite.query<StoredKey, [string]>(`SELECT ${COLUMNS} WHERE k.id = ?`);
  const byPrefix = sqlite.query<StoredKey, [string]>(`SELECT ${COLUMNS} WHERE k.prefix = ?`);
  const insert = sqlite.query<unknown, [string, string, string, string, string, string, string, string, string | null]>(
    "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const idsOfUser = sqlite.query<{ id: string }, [string, string]>("SELECT id FROM api_keys WHERE org_id = ? AND user_id = ? ORDER BY id");
  return {
    get: (orgId: string, id: string): StoredKey | null => byId.get(orgId, id),
    /** A key of any organization (the CLI). */
    anyOrg: (id: string): StoredKey | null => anyById.get(id),
    /** Keys of any organization whose display prefix is `prefix` (the CLI's `keys revoke ipc_a1b2c3d4`). */
    byPrefix: (prefix: string): StoredKey[] => byPrefix.all(prefix),
    insert(k: NewKey): void {
      insert.run(k.id, k.orgId, k.userId, k.name, k.prefix, k.hash, k.scope, k.createdAt, k.expiresAt);
    },
    idsOfUser: (orgId: string, userId: string): string[] => idsOfUser.all(orgId, userId).map((r) => r.id),
    list(orgId: string, opts: { userId?: string; limit: number; after?: { createdAt: string; id: string } }) {
      const where = ["k.org_id = ?"];
      const args: string[] = [orgId];
      if (opts.userId !== undefined) {
        where.push("k.user_id = ?");
        args.push(opts.userId);
      }
      const total = (sqlite.query(`SELECT COUNT(*) AS n FROM api_keys k WHERE ${where.join(" AND ")}`).get(...args) as { n: number }).n;
      if (opts.after) {
        where.push("(k.created_at < ? OR (k.created_at = ? AND k.id < ?))");
        args.push(opts.after.createdAt, opts.after.createdAt, opts.after.id);
      }
      const rows = sqlite
        .query<StoredKey, (string | number)[]>(`SELECT ${COLUMNS} WHERE ${where.join(" AND ")} ORDER BY k.created_at DESC, k.id DESC LIMIT ?`)
        .all(...args, opts.limit + 1);
      return { rows: rows.slice(0, opts.limit), more: rows.length > opts.limit, total };
    },
  };
}

export function sqliteApiKeys(database: OpenDatabase): ApiKeyQueries {
  const s = apiKeyStatements(database);
  return {
    get: async (orgId, id) => s.get(orgId, id),
    insert: async (key) => s.insert(key),
    list: async (orgId, opts) => s.list(orgId, opts),
    idsOfUser: async (orgId, userId) => s.idsOfUser(orgId, userId),
  };
}
