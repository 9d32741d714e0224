/**
 * PostgreSQL: the SQL of subnets; the twin of features/subnets/repo.ts (SQLite). Every
 * statement filters on org_id (row-level security hides other organizations anyway). Text
 * orderings use COLLATE "C" so that cursors sort bytewise as in SQLite; LIKE becomes ILIKE
 * (SQLite's LIKE ignores ASCII case).
 */
import type { TransactionSQL } from "bun";
import type { NewSubnet, SubnetRow } from "../../features/subnets/repo";
import { containsPattern } from "../../ipam/codec";
import type { SubnetExportRow, SubnetQueries } from "../store";
import { iso } from "./errors";
import { takePgNumbers } from "./numbers";

const COLUMNS = "id, section_id, parent_id, vrf, family, network_key, prefix_length, cidr, name, description, vlan, number, created_at, updated_at";
/** COLUMNS of `subnets n`, for the export's join with sections. */
const EXPORT_COLUMNS = COLUMNS.split(", ").map((c) => `n.${c}`).join(", ");
/** Rows per INSERT (PostgreSQL takes at most 65,535 parameters per statement). */
const CHUNK = 4000;

export function pgSubnets(tx: TransactionSQL): SubnetQueries {
  return {
    async get(orgId, id) {
      const [row] = await tx.unsafe(`SELECT ${COLUMNS} FROM subnets WHERE org_id = $1 AND id = $2`, [orgId, id]);
      return row ? toRow(row) : null;
    },

    async insertMany(orgId, rows) {
      if (rows.length === 0) return 0;
      const first = await takePgNumbers(tx, orgId, "subnet", rows.length);
      for (let i = 0; i < rows.length; i += CHUNK) {
        const values = rows.slice(i, i + CHUNK).map((s: NewSubnet, j) => ({
          id: s.id,
          org_id: orgId,
          section_id: s.sectionId,
          parent_id: s.parentId,
          vrf: s.vrf,
          family: s.family,
          network_key: s.networkKey,
          prefix_length: s.prefixLength,
          cidr: s.cidr,
          name: s.name,
          description: s.description,
          vlan: s.vlan,
          number: first + i + j,
          created_at: s.at,
          updated_at: s.at,
        }));
        await tx`INSERT INTO subnets ${tx(values)}`;
      }
      return first;
    },

    async setParent(orgId, ids, parentId) {
      for (let i = 0; i < ids.length; i += CHUNK) {
        await tx`UPDATE subnets SET parent_id = ${parentId} WHERE org_id = ${orgId} AND id IN ${tx(ids.slice(i, i + CHUNK))}`;
      }
    },

    async reparentChildren(orgId, fromId, toId) {
      await tx`UPDATE subnets SET parent_id = ${toId} WHERE org_id = ${orgId} AND parent_id = ${fromId}`;
    },

    async update(orgId, id, s) {
      await tx`UPDATE subnets SET name = ${s.name}, description = ${s.description}, section_id = ${s.sectionId}, vlan = ${s.vlan},
                      updated_at = ${s.at} WHERE org_id = ${orgId} AND id = ${id}`;
    },

    async remove(orgId, id) {
      await tx`DELETE FROM subnets WHERE org_id = ${orgId} AND id = ${id}`;
    },

    async childrenAfter(orgId, parentId, vrf, family, after, limit) {
      const rows = await tx.unsafe(
        `SELECT ${COLUMNS} FROM subnets
          WHERE org_id = $1 AND vrf = $2 AND family = $3 AND (network_key, prefix_length) > ($4, $5) AND parent_id = $6
          ORDER BY network_key, prefix_length LIMIT $7`,
        [orgId, vrf, family, Buffer.from(after[0]), after[1], parentId, limit],
      );
      return rows.map(toRow);
    },

    async list(orgId, f, limit, after) {
      const params: unknown[] = [orgId];
      const p = (value: unknown) => (params.push(value), `$${params.length}`);
      const where = ["org_id = $1"];
      if (f.sectionId !== undefined) where.push(`section_id = ${p(f.sectionId)}`);
      if (f.vrf !== undefined) where.push(`vrf = ${p(f.vrf)}`);
      if (f.parentId !== undefined) where.push(`parent_id = ${p(f.parentId)}`);
      if (f.root === true) where.push("parent_id IS NULL");
      if (f.root === false) where.push("parent_id IS NOT NULL");
      if (f.family !== undefined) where.push(`family = ${p(f.family)}`);
      if (f.ids !== undefined) where.push(f.ids.length === 0 ? "false" : `id IN (${f.ids.map(p).join(", ")})`);
      if (f.q !== undefined && f.q !== "") {
        const like = p(containsPattern(f.q));
        where.push(`(cidr ILIKE ${like} ESCAPE '\\' OR name ILIKE ${like} ESCAPE '\\' OR description ILIKE ${like} ESCAPE '\\')`);
      }
      const [{ n }] = await tx.unsafe(`SELECT count(*)::int AS n FROM subnets WHERE ${where.join(" AND ")}`, params);
      if (f.within) {
        where.push(`vrf = ${p(f.within.vrf)} AND family = ${p(f.within.family)} AND network_key BETWEEN ${p(Buffer.from(f.within.first))} AND ${p(Buffer.from(f.within.last))}`);
      }
      if (after) where.push(`(vrf COLLATE "C", family, network_key, prefix_length) > (${p(after[0])}::text COLLATE "C", ${p(after[1])}::int, ${p(Buffer.from(after[2]))}::bytea, ${p(after[3])}::int)`);
      const rows = await tx.unsafe(
        `SELECT ${COLUMNS} FROM subnets WHERE ${where.join(" AND ")}
          ORDER BY vrf COLLATE "C", family, network_key, prefix_length LIMIT ${p(limit + 1)}`,
        params,
      );
      const more = rows.length > limit;
      return { rows: (more ? rows.slice(0, limit) : rows).map(toRow), total: n as number, more };
    },

    async exportPage(orgId, limit, after) {
      const params: unknown[] = [orgId, limit];
      let keyset = "";
      if (after) {
        params.push(after[0], after[1], Buffer.from(after[2]), after[3]);
        keyset = "AND (n.vrf, n.family, n.network_key, n.prefix_length) > ($3::text, $4::int, $5::bytea, $6::int)";
      }
      // The database's collation (see addresses' exportPage): the UNIQUE (org_id, vrf, family,
      // network_key, prefix_length) index serves the keyset. No sort, whatever the statistics say (addresses' exportPage).
      await tx.unsafe("SET LOCAL enable_sort = off");
      const rows = await tx.unsafe(
        `SELECT ${EXPORT_COLUMNS}, s.name AS section FROM subnets n LEFT JOIN sections s ON s.id = n.section_id
          WHERE n.org_id = $1 ${keyset}
          ORDER BY n.vrf, n.family, n.network_key, n.prefix_length LIMIT $2`,
        params,
      );
      return rows.map((row: any) => toRow(row) as SubnetExportRow);
    },
  };
}

function toRow(row: any): SubnetRow {
  return { ...row, created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}
