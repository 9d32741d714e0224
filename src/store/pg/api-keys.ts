/**
 * PostgreSQL: the SQL of API-key management; the twin of src/store/sqlite/api-keys.ts. Never
 * reads `key_hash`. The keyset orders ids with COLLATE "C" (bytewise, as SQLite does).
 */
import type { SQL } from "bun";
import type { ApiKeyQueries, StoredKey } from "../store";
import { iso } from "./errors";

type KeyRow = Omit<StoredKey, "created_at" | "last_used_at" | "expires_at"> & {
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
};

function toStored(row: KeyRow): StoredKey {
  return { ...row, created_at: iso(row.created_at), last_used_at: iso(row.last_used_at), expires_at: iso(row.expires_at) };
}

export function pgApiKeys(tx: SQL): ApiKeyQueries {
  return {
    async get(orgId, id) {
      const [row] = await tx`
        SELECT k.id, k.org_id, k.user_id, u.email, k.name, k.prefix, k.scope, k.created_at, k.last_used_at, k.expires_at
          FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.org_id = ${orgId} AND k.id = ${id}`;
      return row ? toStored(row as KeyRow) : null;
    },

    async insert(k) {
      await tx`
        INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at, expires_at)
        VALUES (${k.id}, ${k.orgId}, ${k.userId}, ${k.name}, ${k.prefix}, ${k.hash}, ${k.scope}, ${k.createdAt}, ${k.expiresAt})`;
    },

    async list(orgId, opts) {
      const userId = opts.userId ?? null;
      const afterAt = opts.after?.createdAt ?? null;
      const afterId = opts.after?.id ?? null;
      const [{ n: total }] = await tx`
        SELECT count(*)::int AS n FROM api_keys k WHERE k.org_id = ${orgId} AND (${userId}::text IS NULL OR k.user_id = ${userId}::text)`;
      const rows = (await tx`
        SELECT k.id, k.org_id, k.user_id, u.email, k.name, k.prefix, k.scope, k.created_at, k.last_used_at, k.expires_at
          FROM api_keys k JOIN users u ON u.id = k.user_id
         WHERE k.org_id = ${orgId}
           AND (${userId}::text IS NULL OR k.user_id = ${userId}::text)
           AND (${afterAt}::timestamptz IS NULL OR (k.created_at, k.id COLLATE "C") < (${afterAt}::timestamptz, ${afterId}::text))
         ORDER BY k.created_at DESC, k.id COLLATE "C" DESC
         LIMIT ${opts.limit + 1}`) as KeyRow[];
      return { rows: rows.slice(0, opts.limit).map(toStored), more: rows.length > opts.limit, total: total as number };
    },

    async idsOfUser(orgId, userId) {
      const rows = await tx`SELECT id FROM api_keys WHERE org_id = ${orgId} AND user_id = ${userId} ORDER BY id COLLATE "C"`;
      return (rows as { id: string }[]).map((r) => r.id);
    },
  };
}
