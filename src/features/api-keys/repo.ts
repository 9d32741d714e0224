/**
 * SQL for API keys. Nothing here reads or returns `key_hash`: the only query that touches
 * it is the guard's lookup (auth/guard.ts).
 */
import type { Scope } from "../../auth/principal";
import type { OpenDatabase } from "../../db/client";
import type { ApiKeyItem } from "./model";

interface KeyRow {
  id: string;
  org_id: string;
  user_id: string;
  email: string;
  name: string;
  prefix: string;
  scope: Scope;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

const COLUMNS = `k.id, k.org_id, k.user_id, u.email, k.name, k.prefix, k.scope, k.created_at, k.last_used_at, k.expires_at
  FROM api_keys k JOIN users u ON u.id = k.user_id`;

export type StoredKey = KeyRow;

export function toItem(row: KeyRow): ApiKeyItem {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
    created_by: { id: row.user_id, email: row.email },
  };
}

export interface NewKey {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  prefix: string;
  hash: string;
  scope: Scope;
  createdAt: string;
  expiresAt: string | null;
}

export function insertKey(database: OpenDatabase, k: NewKey): void {
  database.sqlite
    .query(
      "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .run(k.id, k.orgId, k.userId, k.name, k.prefix, k.hash, k.scope, k.createdAt, k.expiresAt);
}

/** A key of organization `orgId` (any organization when null). */
export function findKey(database: OpenDatabase, orgId: string | null, id: string): KeyRow | null {
  return orgId === null
    ? database.sqlite.query<KeyRow, [string]>(`SELECT ${COLUMNS} WHERE k.id = ?`).get(id)
    : database.sqlite.query<KeyRow, [string, string]>(`SELECT ${COLUMNS} WHERE k.id = ? AND k.org_id = ?`).get(id, orgId);
}

/** Keys (of any organization) whose display prefix is `prefix` — for the CLI's `keys revoke ipc_a1b2c3d4`. */
export function findKeysByPrefix(database: OpenDatabase, prefix: string): KeyRow[] {
  return database.sqlite.query<KeyRow, [string]>(`SELECT ${COLUMNS} WHERE k.prefix = ?`).all(prefix);
}

export function deleteKey(database: OpenDatabase, id: string): void {
  database.sqlite.query("DELETE FROM api_keys WHERE id = ?").run(id);
}

export interface KeyFilter {
  orgId: string;
  /** only this user's keys; all of the organization's when undefined */
  userId?: string;
}

/** Newest first; `after` is the (created_at, id) of the last item of the previous page. */
export function listKeys(database: OpenDatabase, filter: KeyFilter, limit: number, after?: { createdAt: string; id: string }) {
  const where = ["k.org_id = ?"];
  const args: string[] = [filter.orgId];
  if (filter.userId !== undefined) {
    where.push("k.user_id = ?");
    args.push(filter.userId);
  }
  const total = (
    database.sqlite.query(`SELECT COUNT(*) AS n FROM api_keys k WHERE ${where.join(" AND ")}`).get(...args) as { n: number }
  ).n;
  if (after) {
    where.push("(k.created_at < ? OR (k.created_at = ? AND k.id < ?))");
    args.push(after.createdAt, after.createdAt, after.id);
  }
  const rows = database.sqlite
    .query<KeyRow, (string | number)[]>(`SELECT ${COLUMNS} WHERE ${where.join(" AND ")} ORDER BY k.created_at DESC, k.id DESC LIMIT ?`)
    .all(...args, limit + 1);
  return { rows: rows.slice(0, limit), more: rows.length > limit, total };
}
