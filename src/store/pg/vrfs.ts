/**
 * PostgreSQL: the SQL of VRFs; the twin of src/store/sqlite/vrfs.ts. Every statement filters
 * on org_id (and row-level security hides other organizations anyway). Orderings use
 * COLLATE "C" so that names and the keyset cursor sort bytewise, as in SQLite.
 */
import type { TransactionSQL } from "bun";
import { ApiError } from "../../http/errors";
import { DEFAULT_VRF, DUPLICATE_VRF_SENTENCE, type VrfQueries, type VrfRecord } from "../store";
import { iso, isUniqueViolation } from "./errors";

interface VrfRow {
  id: string;
  name: string;
  description: string;
  subnet_count: number;
  created_at: Date;
  updated_at: Date;
}

export function pgVrfs(tx: TransactionSQL): VrfQueries {
  const one = async (rows: Promise<unknown[]>) => {
    const [row] = await rows;
    return row ? toVrf(row as VrfRow) : null;
  };

  return {
    get: (orgId, id) =>
      one(tx`
        SELECT v.id, v.name, v.description, v.created_at, v.updated_at,
               (SELECT count(*)::int FROM subnets n WHERE n.org_id = v.org_id AND n.vrf = v.name) AS subnet_count
          FROM vrfs v WHERE v.org_id = ${orgId} AND v.id = ${id}`),

    byName: (orgId, name) =>
      one(tx`
        SELECT v.id, v.name, v.description, v.created_at, v.updated_at,
               (SELECT count(*)::int FROM subnets n WHERE n.org_id = v.org_id AND n.vrf = v.name) AS subnet_count
          FROM vrfs v WHERE v.org_id = ${orgId} AND v.name = ${name}`),

    async names(orgId) {
      const rows = (await tx`SELECT name FROM vrfs WHERE org_id = ${orgId} ORDER BY name COLLATE "C"`) as { name: string }[];
      return rows.map((r) => r.name);
    },

    async insert(orgId, v) {
      // ON CONFLICT keeps the transaction usable (an error would abort it).
      const inserted = await tx`
        INSERT INTO vrfs (id, org_id, name, description, created_at, updated_at)
        VALUES (${v.id}, ${orgId}, ${v.name}, ${v.description}, ${v.at}, ${v.at})
        ON CONFLICT (org_id, name) DO NOTHING`;
      if (inserted.count === 0) throw duplicate(v.name);
    },

    async update(orgId, id, v) {
      try {
        // A savepoint, so that a unique violation leaves the transaction usable.
        await tx.savepoint(
          (sp) => sp`UPDATE vrfs SET name = ${v.name}, description = ${v.description}, updated_at = ${v.at} WHERE org_id = ${orgId} AND id = ${id}`,
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate(v.name);
        throw error;
      }
    },

    async remove(orgId, id) {
      await tx`DELETE FROM vrfs WHERE org_id = ${orgId} AND id = ${id}`;
    },

    async ensureDefault(orgId, at) {
      await tx`
        INSERT INTO vrfs (id, org_id, name, description, created_at, updated_at)
        VALUES (${crypto.randomUUID()}, ${orgId}, ${DEFAULT_VRF}, '', ${at}, ${at})
        ON CONFLICT (org_id, name) DO NOTHING`;
    },

    async list(orgId, opts) {
      const [afterName, afterId] = opts.after ?? [null, null];
      const [{ n: total }] = await tx`SELECT count(*)::int AS n FROM vrfs WHERE org_id = ${orgId}`;
      const rows = (await tx`
        SELECT v.id, v.name, v.description, v.created_at, v.updated_at,
               (SELECT count(*)::int FROM subnets n WHERE n.org_id = v.org_id AND n.vrf = v.name) AS subnet_count
          FROM vrfs v
         WHERE v.org_id = ${orgId}
           AND (${afterName}::text IS NULL OR (v.name COLLATE "C", v.id COLLATE "C") > (${afterName}::text, ${afterId}::text))
         ORDER BY v.name COLLATE "C", v.id COLLATE "C"
         LIMIT ${opts.limit + 1}`) as VrfRow[];
      const more = rows.length > opts.limit;
      const page = more ? rows.slice(0, opts.limit) : rows;
      const last = page[page.length - 1];
      return { items: page.map(toVrf), total: total as number, last: more && last ? [last.name, last.id] : null };
    },
  };
}

function duplicate(name: string): ApiError {
  return new ApiError("duplicate_name", DUPLICATE_VRF_SENTENCE(name), { field: "name" });
}

function toVrf(row: VrfRow): VrfRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    subnet_count: row.subnet_count,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
