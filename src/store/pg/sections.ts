/**
 * PostgreSQL: the SQL of sections; the twin of src/store/sqlite/sections.ts. Every statement
 * filters on org_id (and row-level security hides other organizations anyway). Orderings use
 * COLLATE "C" so that names and the keyset cursor sort bytewise, as in SQLite, whatever the
 * database's locale.
 */
import type { TransactionSQL } from "bun";
import { ApiError } from "../../http/errors";
import { escapeLike } from "../../ipam/codec";
import { DUPLICATE_SECTION_SENTENCE, type SectionQueries, type SectionRecord } from "../store";
import { iso, isUniqueViolation } from "./errors";

interface SectionRow {
  id: string;
  name: string;
  name_key: string;
  description: string;
  subnet_count: number;
  number: number;
  created_at: Date;
  updated_at: Date;
}

export function pgSections(tx: TransactionSQL): SectionQueries {
  async function byNameKey(orgId: string, nameKey: string) {
    const [row] = await tx`SELECT id, name FROM sections WHERE org_id = ${orgId} AND name_key = ${nameKey}`;
    return (row as { id: string; name: string } | undefined) ?? null;
  }

  async function duplicate(orgId: string, name: string): Promise<never> {
    const clash = await byNameKey(orgId, name.toLowerCase());
    throw new ApiError("duplicate_name", DUPLICATE_SECTION_SENTENCE(clash?.name ?? name), { field: "name", existing_id: clash?.id ?? null });
  }

  return {
    async get(orgId, id) {
      const [row] = await tx`
        SELECT s.id, s.name, s.name_key, s.description, s.number, s.created_at, s.updated_at,
               (SELECT count(*)::int FROM subnets n WHERE n.section_id = s.id) AS subnet_count
          FROM sections s WHERE s.org_id = ${orgId} AND s.id = ${id}`;
      return row ? toSection(row as SectionRow) : null;
    },

    byNameKey,

    async insert(orgId, s) {
      // ON CONFLICT keeps the transaction usable (an error would abort it), so the clash can be named.
      const inserted = await tx`
        INSERT INTO sections (id, org_id, name, name_key, description, created_at, updated_at)
        VALUES (${s.id}, ${orgId}, ${s.name}, ${s.name.toLowerCase()}, ${s.description}, ${s.at}, ${s.at})
        ON CONFLICT (org_id, name_key) DO NOTHING`;
      if (inserted.count === 0) await duplicate(orgId, s.name);
    },

    async update(orgId, id, s) {
      try {
        // A savepoint, so that a unique violation leaves the transaction usable.
        await tx.savepoint(
          (sp) => sp`
            UPDATE sections SET name = ${s.name}, name_key = ${s.name.toLowerCase()}, description = ${s.description}, updated_at = ${s.at}
             WHERE org_id = ${orgId} AND id = ${id}`,
        );
      } catch (error) {
        if (isUniqueViolation(error)) await duplicate(orgId, s.name);
        throw error;
      }
    },

    async remove(orgId, id) {
      const unfiled = await tx`UPDATE subnets SET section_id = NULL WHERE org_id = ${orgId} AND section_id = ${id}`;
      await tx`DELETE FROM sections WHERE org_id = ${orgId} AND id = ${id}`;
      return unfiled.count;
    },

    async list(orgId, opts) {
      const pattern = opts.q ? `%${escapeLike(opts.q.toLowerCase())}%` : null;
      const [afterKey, afterId] = opts.after ?? [null, null];
      const [{ n: total }] = await tx`
        SELECT count(*)::int AS n FROM sections s
         WHERE s.org_id = ${orgId} AND (${pattern}::text IS NULL OR s.name_key LIKE ${pattern}::text ESCAPE '\\')`;
      const rows = (await tx`
        SELECT s.id, s.name, s.name_key, s.description, s.number, s.created_at, s.updated_at,
               (SELECT count(*)::int FROM subnets n WHERE n.section_id = s.id) AS subnet_count
          FROM sections s
         WHERE s.org_id = ${orgId}
           AND (${pattern}::text IS NULL OR s.name_key LIKE ${pattern}::text ESCAPE '\\')
           AND (${afterKey}::text IS NULL OR (s.name_key COLLATE "C", s.id COLLATE "C") > (${afterKey}::text, ${afterId}::text))
         ORDER BY s.name_key COLLATE "C", s.id COLLATE "C"
         LIMIT ${opts.limit + 1}`) as SectionRow[];
      const more = rows.length > opts.limit;
      const page = more ? rows.slice(0, opts.limit) : rows;
      const last = page[page.length - 1];
      return { items: page.map(toSection), total: total as number, last: more && last ? [last.name_key, last.id] : null };
    },
  };
}

function toSection(row: SectionRow): SectionRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    subnet_count: row.subnet_count,
    number: row.number,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
