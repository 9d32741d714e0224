/**
 * SQL for address records. Hot paths (allocation, lookups by key) use statements prepared
 * once; every statement filters on org_id or on a subnet id the caller already checked.
 * `ip_key` (16-byte ordered BLOB) gives numeric IP order and index range scans.
 */
import type { OpenDatabase } from "../../db/client";
import { containsPattern } from "../../ipam/codec";
import { type Address, macSearchText } from "./model";
import { vrfsOfOrg } from "../../store/vrf-seek";

export interface AddressRow extends Address {
  vrf: string;
  ip_key: Uint8Array;
}

export interface NewAddress {
  id: string;
  subnetId: string;
  vrf: string;
  ip: string;
  ipKey: Uint8Array;
  hostname: string;
  status: string;
  owner: string;
  mac: string | null;
  description: string;
  /** ISO deadline (expiry); absent or null: none */
  expiresAt?: string | null;
  at: string;
}

export interface AddressFilters {
  subnetId?: string;
  vrf?: string;
  ipKey?: Uint8Array;
  status?: string;
  q?: string;
  /** ISO now: hide records expired by then (expiry; their rows wait for the sweep) */
  liveAt?: string;
}

const COLUMNS = "id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, number, expires_at, created_at, updated_at";

export function addressRepo(database: OpenDatabase) {
  const { sqlite } = database;
  const insert = sqlite.query(
    `INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, expires_at, number, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const byId = sqlite.query<AddressRow, [string, string, string]>(
    `SELECT ${COLUMNS} FROM addresses WHERE org_id = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)`,
  );
  const byKey = sqlite.query<AddressRow, [string, string, Uint8Array]>(
    `SELECT ${COLUMNS} FROM addresses WHERE org_id = ? AND vrf = ? AND ip_key = ?`,
  );
  const keysInRange = sqlite.query<{ id: string; ip: string; ip_key: Uint8Array }, [string, Uint8Array, Uint8Array]>(
    "SELECT id, ip, ip_key FROM addresses WHERE subnet_id = ? AND ip_key BETWEEN ? AND ? ORDER BY ip_key",
  );
  const keysOfSubnet = sqlite.query<{ id: string; ip: string; ip_key: Uint8Array }, [string]>(
    "SELECT id, ip, ip_key FROM addresses WHERE subnet_id = ? ORDER BY ip_key",
  );
  const moveRange = sqlite.query("UPDATE addresses SET subnet_id = ? WHERE subnet_id = ? AND ip_key BETWEEN ? AND ?");
  const moveAll = sqlite.query("UPDATE addresses SET subnet_id = ? WHERE subnet_id = ?");
  const deleteAll = sqlite.query("DELETE FROM addresses WHERE subnet_id = ?");
  const anyInSubnet = sqlite.query<{ ip: string }, [string]>("SELECT ip FROM addresses WHERE subnet_id = ? LIMIT 1");
  const countInSubnet = sqlite.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM addresses WHERE subnet_id = ?");
  const update = sqlite.query(
    "UPDATE addresses SET hostname = ?, status = ?, owner = ?, mac = ?, description = ?, expires_at = ?, updated_at = ? WHERE org_id = ? AND id = ?",
  );
  const remove = sqlite.query("DELETE FROM addresses WHERE org_id = ? AND id = ?");
  const removeExpiredKey = sqlite.query<{ id: string; ip: string }, [string, string, Uint8Array, string]>(
    "DELETE FROM addresses WHERE org_id = ? AND vrf = ? AND ip_key = ? AND expires_at <= ? RETURNING id, ip",
  );
  const removeExpired = sqlite.query<ExpiredRow, [string, string, number]>(
    // By rowid (no lookup in the index on id), found through the partial index on expires_at
    // (`+org_id` keeps the planner off the organization's index, which would walk every record
    // of the organization to find the few that expired).
    `DELETE FROM addresses WHERE rowid IN (SELECT rowid FROM addresses WHERE +org_id = ? AND expires_at <= ? LIMIT ?)
     RETURNING id, subnet_id, vrf, ip, ip_key`,
  );
  // Every sweep (15 s) asks: through the partial index on expires_at, not a walk of every record
  // of every organization (21 ms per 100,000 records, which the planner chose for DISTINCT).
  const expiringOrgs = sqlite.query<{ org_id: string }, [string]>("SELECT DISTINCT org_id FROM addresses INDEXED BY addresses_expires_idx WHERE expires_at <= ?");

  return {
    /** `number`: from store/sqlite/numbers.ts takeNumbers. */
    insert(orgId: string, a: NewAddress, number: number): void {
      insert.run(a.id, orgId, a.subnetId, a.vrf, a.ip, a.ipKey, a.hostname, a.status, a.owner, a.mac, a.description, a.expiresAt ?? null, number, a.at, a.at);
    },
    /** A record by id; `liveAt` (ISO now): one expired by then is absent. */
    get: (orgId: string, id: string, liveAt = "") => byId.get(orgId, id, liveAt),
    /** Deletes the row of an expired record at (vrf, key), if it is still there. */
    removeExpiredKey: (orgId: string, vrf: string, key: Uint8Array, now: string) => removeExpiredKey.get(orgId, vrf, key, now),
    /** Deletes up to `limit` records of `orgId` expired at `now` (the sweep). */
    removeExpired: (orgId: string, now: string, limit: number) => removeExpired.all(orgId, now, limit),
    expiringOrgs: (now: string) => expiringOrgs.all(now).map((r) => r.org_id),
    getByKey: (orgId: string, vrf: string, key: Uint8Array) => byKey.get(orgId, vrf, key),
    /** Records of a subnet between two keys (inclusive), in IP order. */
    keysInRange: (subnetId: string, first: Uint8Array, last: Uint8Array) => keysInRange.all(subnetId, first, last),
    keysOfSubnet: (subnetId: string) => keysOfSubnet.all(subnetId),
    moveRange: (toId: string, fromId: string, first: Uint8Array, last: Uint8Array) => moveRange.run(toId, fromId, first, last),
    moveAll: (toId: string, fromId: string) => moveAll.run(toId, fromId),
    deleteAll: (subnetId: string) => deleteAll.run(subnetId).changes,
    anyInSubnet: (subnetId: string) => anyInSubnet.get(subnetId),
    countInSubnet: (subnetId: string) => countInSubnet.get(subnetId)!.n,
    update(orgId: string, id: string, a: { hostname: string; status: string; owner: string; mac: string | null; description: string; expires_at: string | null; at: string }) {
      update.run(a.hostname, a.status, a.owner, a.mac, a.description, a.expires_at, a.at, orgId, id);
    },
    remove: (orgId: string, id: string) => remove.run(orgId, id),

    /**
     * A page in IP order: by ip_key within one subnet, by (vrf, ip_key) across the
     * organization. Keyset pagination (never OFFSET): `after` is the last row's sort key.
     */
    list(orgId: string, f: AddressFilters, limit: number, after?: [string, Uint8Array]) {
      // Without statistics (no ANALYZE) SQLite would walk the organization's index for a
      // subnet's page and its count (23 ms per page of a /24 in an organization of 100,000
      // records): `+org_id` still filters but leaves the (subnet, ip_key) index to serve.
      const where = [f.subnetId !== undefined ? "+org_id = ?" : "org_id = ?"];
      const params: (string | Uint8Array | number)[] = [orgId];
      if (f.subnetId !== undefined) (where.push("subnet_id = ?"), params.push(f.subnetId));
      if (f.vrf !== undefined) (where.push("vrf = ?"), params.push(f.vrf));
      if (f.ipKey !== undefined) {
        if (f.subnetId === undefined && f.vrf === undefined) {
          // One IP in every VRF: one lookup per VRF (store/vrf-seek.ts), not a walk of every
          // record of the organization (34 ms for 100,000 records).
          where.push(`vrf IN (${vrfsOfOrg("addresses", "?")})`);
          params.push(orgId, orgId);
        }
        where.push("ip_key = ?");
        params.push(f.ipKey);
      }
      if (f.status !== undefined) (where.push("status = ?"), params.push(f.status));
      if (f.liveAt !== undefined) (where.push("(expires_at IS NULL OR expires_at > ?)"), params.push(f.liveAt));
      if (f.q !== undefined && f.q !== "") {
        const like = containsPattern(f.q);
        where.push(
          "(ip LIKE ? ESCAPE '\\' OR hostname LIKE ? ESCAPE '\\' OR owner LIKE ? ESCAPE '\\' OR mac LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')",
        );
        // MACs are stored as aa:bb:cc:dd:ee:ff: a MAC typed in another notation still finds them.
        params.push(like, like, like, containsPattern(macSearchText(f.q)), like);
      }
      const total = (sqlite.query(`SELECT COUNT(*) AS n FROM addresses WHERE ${where.join(" AND ")}`).get(...params) as { n: number }).n;
      const bySubnet = f.subnetId !== undefined;
      if (after) {
        if (bySubnet) (where.push("ip_key > ?"), params.push(after[1]));
        else (where.push("(vrf, ip_key) > (?, ?)"), params.push(after[0], after[1]));
      }
      const rows = sqlite
        .query<AddressRow, (string | Uint8Array | number)[]>(
          `SELECT ${COLUMNS} FROM addresses WHERE ${where.join(" AND ")} ORDER BY ${bySubnet ? "ip_key" : "vrf, ip_key"} LIMIT ?`,
        )
        .all(...params, limit + 1);
      const more = rows.length > limit;
      return { rows: more ? rows.slice(0, limit) : rows, total, more };
    },
  };
}

export type AddressRepo = ReturnType<typeof addressRepo>;

/** A row the sweep deleted. */
export interface ExpiredRow {
  id: string;
  subnet_id: string;
  vrf: string;
  ip: string;
  ip_key: Uint8Array;
}

/** The API form of a row (drops vrf and ip_key). */
export function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    subnet_id: row.subnet_id,
    ip: row.ip,
    hostname: row.hostname,
    status: row.status as Address["status"],
    owner: row.owner,
    mac: row.mac,
    description: row.description,
    // Read rows carry it; a row built in memory by an allocation has not learnt it (the insert takes it).
    ...(row.number != null ? { number: row.number } : {}),
    expires_at: row.expires_at ?? null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
