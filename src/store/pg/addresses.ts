/**
 * PostgreSQL: the SQL of address records; the twin of features/addresses/repo.ts (SQLite).
 * Orderings by (vrf COLLATE "C", ip_key): bytewise, as in SQLite.
 */
import type { SQL, TransactionSQL } from "bun";
import type { AddressRow, ExpiredRow, NewAddress } from "../../features/addresses/repo";
import { macSearchText } from "../../features/addresses/model";
import { containsPattern } from "../../ipam/codec";
import { AddressInUse } from "../ipam";
import type { AddressKey, AddressQueries } from "../store";
import { iso, isUniqueViolation, settled } from "./errors";
import { takePgNumbers } from "./numbers";
import { vrfsOfOrg } from "../vrf-seek";

const COLUMNS = "id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, number, expires_at, created_at, updated_at";
/** Rows per INSERT (at most 65,535 parameters per statement; 13 columns). */
const CHUNK = 4000;

/** The rows of an INSERT, as Bun.SQL's `tx(values)` takes them. */
/** The rows to INSERT; `firstNumber`: the first of the numbers takePgNumbers took for them, in order. */
export function addressValues(orgId: string, rows: NewAddress[], firstNumber: number) {
  return rows.map((a, i) => ({
    id: a.id,
    org_id: orgId,
    subnet_id: a.subnetId,
    vrf: a.vrf,
    ip: a.ip,
    ip_key: a.ipKey,
    hostname: a.hostname,
    status: a.status,
    owner: a.owner,
    mac: a.mac,
    description: a.description,
    expires_at: a.expiresAt ?? null,
    number: firstNumber + i,
    created_at: a.at,
    updated_at: a.at,
  }));
}

/**
 * INSERT of new address rows as one statement whose text never changes: the rows travel as
 * one jsonb parameter (ip_key in hex), numbered from `firstNumber` in order. A multi-row
 * VALUES list is a new statement for every row count, which each pooled connection parses
 * and plans afresh (a batch of 1…32 allocations met up to 32 texts per connection); this one
 * is prepared once per connection and planned like any other. Not awaited: the caller
 * pipelines it.
 */
export function insertAddressesJson(tx: SQL, orgId: string, rows: NewAddress[], firstNumber: number) {
  const values = JSON.stringify(
    rows.map((a) => [a.id, a.subnetId, a.vrf, a.ip, Buffer.from(a.ipKey).toString("hex"), a.hostname, a.status, a.owner, a.mac, a.description, a.expiresAt ?? null, a.at]),
  );
  return tx`INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, expires_at, number, created_at, updated_at)
            SELECT e.v->>0, ${orgId}::text, e.v->>1, e.v->>2, e.v->>3, decode(e.v->>4, 'hex'), e.v->>5, e.v->>6, e.v->>7, e.v->>8, e.v->>9,
                   (e.v->>10)::timestamptz, ${firstNumber}::int + e.k::int - 1, (e.v->>11)::timestamptz, (e.v->>11)::timestamptz
              FROM jsonb_array_elements(${values}::text::jsonb) WITH ORDINALITY AS e(v, k)`.execute();
}

export function pgAddresses(tx: TransactionSQL): AddressQueries {
  return {
    async get(orgId, id, liveAt) {
      const [row] = liveAt === undefined
        ? await tx.unsafe(`SELECT ${COLUMNS} FROM addresses WHERE org_id = $1 AND id = $2`, [orgId, id])
        : await tx.unsafe(`SELECT ${COLUMNS} FROM addresses WHERE org_id = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)`, [orgId, id, liveAt]);
      return row ? toRow(row) : null;
    },
    async removeExpiredKey(orgId, vrf, key, now) {
      const [row] = await tx`DELETE FROM addresses WHERE org_id = ${orgId} AND vrf = ${vrf} AND ip_key = ${Buffer.from(key)} AND expires_at <= ${now} RETURNING id, ip`;
      return (row as { id: string; ip: string } | undefined) ?? null;
    },
    removeExpired: async (orgId, now, limit) =>
      (await tx`DELETE FROM addresses WHERE id IN (SELECT id FROM addresses WHERE org_id = ${orgId} AND expires_at <= ${now} LIMIT ${limit})
                RETURNING id, subnet_id, vrf, ip, ip_key`) as ExpiredRow[],
    async getByKey(orgId, vrf, key) {
      const [row] = await tx.unsafe(`SELECT ${COLUMNS} FROM addresses WHERE org_id = $1 AND vrf = $2 AND ip_key = $3`, [orgId, vrf, Buffer.from(key)]);
      return row ? toRow(row) : null;
    },
    async insertMany(orgId, rows) {
      if (rows.length === 0) return 0;
      const first = await takePgNumbers(tx, orgId, "address", rows.length);
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        try {
          await tx.savepoint((sp) => sp`INSERT INTO addresses ${sp(addressValues(orgId, chunk, first + i))}`);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const row = chunk[0]!;
          throw new AddressInUse(row.vrf, row.ipKey, row.ip, "ip");
        }
      }
      return first;
    },
    keysInRange: async (subnetId, first, last) =>
      (await tx`SELECT id, ip, ip_key FROM addresses WHERE subnet_id = ${subnetId} AND ip_key BETWEEN ${Buffer.from(first)} AND ${Buffer.from(last)} ORDER BY ip_key`) as AddressKey[],
    keysOfSubnet: async (subnetId) => (await tx`SELECT id, ip, ip_key FROM addresses WHERE subnet_id = ${subnetId} ORDER BY ip_key`) as AddressKey[],
    async moveRange(toId, fromId, first, last) {
      await tx`UPDATE addresses SET subnet_id = ${toId} WHERE subnet_id = ${fromId} AND ip_key BETWEEN ${Buffer.from(first)} AND ${Buffer.from(last)}`;
    },
    async moveAll(toId, fromId) {
      await tx`UPDATE addresses SET subnet_id = ${toId} WHERE subnet_id = ${fromId}`;
    },
    deleteAll: async (subnetId) => (await tx`DELETE FROM addresses WHERE subnet_id = ${subnetId}`).count,
    async remove(orgId, id) {
      await tx`DELETE FROM addresses WHERE org_id = ${orgId} AND id = ${id}`;
    },
    async update(orgId, id, a) {
      await tx`UPDATE addresses SET hostname = ${a.hostname}, status = ${a.status}, owner = ${a.owner}, mac = ${a.mac},
                      description = ${a.description}, expires_at = ${a.expires_at}, updated_at = ${a.at} WHERE org_id = ${orgId} AND id = ${id}`;
    },
    async list(orgId, f, limit, after) {
      const params: unknown[] = [orgId];
      const p = (value: unknown) => (params.push(value), `$${params.length}`);
      const where = ["org_id = $1"];
      if (f.subnetId !== undefined) where.push(`subnet_id = ${p(f.subnetId)}`);
      if (f.vrf !== undefined) where.push(`vrf = ${p(f.vrf)}`);
      if (f.ipKey !== undefined) {
        // One IP in every VRF: one lookup per VRF (store/vrf-seek.ts), not a walk of the organization.
        if (f.subnetId === undefined && f.vrf === undefined) where.push(`vrf IN (${vrfsOfOrg("addresses", "$1")})`);
        where.push(`ip_key = ${p(Buffer.from(f.ipKey))}`);
      }
      if (f.status !== undefined) where.push(`status = ${p(f.status)}`);
      if (f.liveAt !== undefined) where.push(`(expires_at IS NULL OR expires_at > ${p(f.liveAt)})`);
      if (f.q !== undefined && f.q !== "") {
        const like = p(containsPattern(f.q));
        const mac = p(containsPattern(macSearchText(f.q)));
        where.push(
          `(ip ILIKE ${like} ESCAPE '\\' OR hostname ILIKE ${like} ESCAPE '\\' OR owner ILIKE ${like} ESCAPE '\\' OR mac ILIKE ${mac} ESCAPE '\\' OR description ILIKE ${like} ESCAPE '\\')`,
        );
      }
      const [{ n }] = await tx.unsafe(`SELECT count(*)::int AS n FROM addresses WHERE ${where.join(" AND ")}`, params);
      const bySubnet = f.subnetId !== undefined;
      if (after) {
        if (bySubnet) where.push(`ip_key > ${p(Buffer.from(after[1]))}`);
        else where.push(`(vrf COLLATE "C", ip_key) > (${p(after[0])}::text COLLATE "C", ${p(Buffer.from(after[1]))}::bytea)`);
      }
      const rows = await tx.unsafe(
        `SELECT ${COLUMNS} FROM addresses WHERE ${where.join(" AND ")} ORDER BY ${bySubnet ? "ip_key" : 'vrf COLLATE "C", ip_key'} LIMIT ${p(limit + 1)}`,
        params,
      );
      const more = rows.length > limit;
      return { rows: (more ? rows.slice(0, limit) : rows).map(toRow), total: n as number, more };
    },
    async byKeys(orgId, vrf, keys) {
      // One lookup per key on the whole UNIQUE (org_id, vrf, ip_key) index, pipelined (one
      // round trip for the lot). Not `ip_key IN (…)`: without statistics (a table just filled
      // by an import) the planner matched only (org_id, vrf) on the index and filtered every
      // record of the VRF, per query.
      const rows: any[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const found = await settled(
          keys.slice(i, i + CHUNK).map((key) => tx.unsafe(`SELECT ${COLUMNS} FROM addresses WHERE org_id = $1 AND vrf = $2 AND ip_key = $3`, [orgId, vrf, Buffer.from(key)])),
        );
        for (const result of found) rows.push(...result);
      }
      return rows.map(toRow);
    },
    async exportPage(orgId, limit, after) {
      // The database's own collation, not COLLATE "C" as in list(): only then does the UNIQUE
      // (org_id, vrf, ip_key) index serve the keyset (0.3 ms a page of 1,000 instead of a scan
      // and sort of the organization, ~45 ms at 100,000 records). Paging is exact in any
      // collation; in the C locale the README asks for, the order is SQLite's too.
      // And no sort: right after a large import, before autovacuum has analyzed the table, the
      // planner guessed ~100 rows and chose a bitmap scan plus sort of everything after the
      // key, every page (an export of 100,000 records took 13-20 s instead of 4).
      await tx.unsafe("SET LOCAL enable_sort = off");
      const rows = after
        ? await tx.unsafe(
            `SELECT ${COLUMNS} FROM addresses WHERE org_id = $1 AND (vrf, ip_key) > ($3::text, $4::bytea) ORDER BY vrf, ip_key LIMIT $2`,
            [orgId, limit, after[0], Buffer.from(after[1])],
          )
        : await tx.unsafe(`SELECT ${COLUMNS} FROM addresses WHERE org_id = $1 ORDER BY vrf, ip_key LIMIT $2`, [orgId, limit]);
      return rows.map(toRow);
    },
  };
}

function toRow(row: any): AddressRow {
  return { ...row, expires_at: row.expires_at == null ? null : iso(row.expires_at), created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}
