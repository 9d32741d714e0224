/**
 * SQLite: address records, for the Store. The statements still live in
 * features/addresses/repo.ts (prepared once; the hot path, GroupCommit, uses them
 * synchronously too); the export pages' statements live here.
 */
import { SQLiteError } from "bun:sqlite";
import type { OpenDatabase } from "../../db/client";
import { type AddressRow, addressRepo, type NewAddress } from "../../features/addresses/repo";
import { AddressInUse } from "../ipam";
import { takeNumbers } from "./numbers";
import type { AddressQueries } from "../store";

const EXPORT_SELECT = `SELECT id, subnet_id, ip, vrf, ip_key, hostname, status, owner, mac, description, created_at, updated_at
  FROM addresses WHERE org_id = ?`;

export function sqliteAddresses(database: OpenDatabase): AddressQueries {
  const repo = addressRepo(database);
  const { sqlite } = database;
  const exportFirst = sqlite.query<AddressRow, [string, number]>(`${EXPORT_SELECT} ORDER BY vrf, ip_key LIMIT ?`);
  const exportNext = sqlite.query<AddressRow, [string, string, Uint8Array, number]>(
    `${EXPORT_SELECT} AND (vrf, ip_key) > (?, ?) ORDER BY vrf, ip_key LIMIT ?`,
  );
  return {
    get: async (orgId, id, liveAt) => repo.get(orgId, id, liveAt),
    getByKey: async (orgId, vrf, key) => repo.getByKey(orgId, vrf, key),
    insertMany: async (orgId, rows) => insertAll(repo, orgId, rows, (n) => takeNumbers(sqlite, orgId, "address", n)),
    keysInRange: async (subnetId, first, last) => repo.keysInRange(subnetId, first, last),
    keysOfSubnet: async (subnetId) => repo.keysOfSubnet(subnetId),
    async moveRange(toId, fromId, first, last) {
      repo.moveRange(toId, fromId, first, last);
    },
    async moveAll(toId, fromId) {
      repo.moveAll(toId, fromId);
    },
    deleteAll: async (subnetId) => repo.deleteAll(subnetId),
    async remove(orgId, id) {
      repo.remove(orgId, id);
    },
    async update(orgId, id, a) {
      repo.update(orgId, id, a);
    },
    list: async (orgId, f, limit, after) => repo.list(orgId, f, limit, after),
    byKeys: async (orgId, vrf, keys) => keys.map((key) => repo.getByKey(orgId, vrf, key)).filter((row) => row !== null),
    exportPage: async (orgId, limit, after) => (after ? exportNext.all(orgId, after[0], after[1], limit) : exportFirst.all(orgId, limit)),
    removeExpiredKey: async (orgId, vrf, key, now) => repo.removeExpiredKey(orgId, vrf, key, now),
    removeExpired: async (orgId, now, limit) => repo.removeExpired(orgId, now, limit),
  };
}

/**
 * INSERTs, numbered from `takeNumbers` (one counter statement, numbers.ts); answers the first number (0: no rows). The UNIQUE (org, vrf, ip_key)
 * backstop becomes AddressInUse; the caller's transaction (or savepoint) rolls the counter
 * back with the rows.
 */
export function insertAll(repo: ReturnType<typeof addressRepo>, orgId: string, rows: readonly NewAddress[], takeNumbers: (n: number) => number): number {
  if (rows.length === 0) return 0;
  const first = takeNumbers(rows.length);
  let number = first;
  for (const row of rows) {
    try {
      repo.insert(orgId, row, number++);
    } catch (error) {
      if (error instanceof SQLiteError && error.code === "SQLITE_CONSTRAINT_UNIQUE") throw new AddressInUse(row.vrf, row.ipKey, row.ip, "ip");
      throw error;
    }
  }
  return first;
}
