/**
 * SQLite: the SQL of sections. Every statement filters on org_id, so a foreign id simply
 * finds nothing. Statements are prepared once per connection (hot paths, STACK.md).
 */
import type { OpenDatabase } from "../../db/client";
import { ApiError } from "../../http/errors";
import { escapeLike } from "../../ipam/codec";
import { DUPLICATE_SECTION_SENTENCE, type SectionPage, type SectionQueries, type SectionRecord } from "../store";
import { isUniqueViolation } from "./errors";

interface SectionRow extends SectionRecord {
  name_key: string;
}

const SELECT = `SELECT s.id, s.name, s.name_key, s.description, s.number, s.created_at, s.updated_at,
  (SELECT COUNT(*) FROM subnets n WHERE n.section_id = s.id) AS subnet_count FROM sections s`;

/** The synchronous statements, prepared once; the store's repository below wraps them. */
export function sectionStatements(database: OpenDatabase) {
  const { sqlite } = database;
  const byId = sqlite.query<SectionRow, [string, string]>(`${SELECT} WHERE s.org_id = ? AND s.id = ?`);
  const byNameKey = sqlite.query<{ id: string; name: string }, [string, string]>(
    "SELECT id, name FROM sections WHERE org_id = ? AND name_key = ?",
  );
  const insert = sqlite.query<unknown, [string, string, string, string, string, string, string]>(
    "INSERT INTO sections (id, org_id, name, name_key, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const update = sqlite.query<unknown, [string, string, string, string, string, string]>(
    "UPDATE sections SET name = ?, name_key = ?, description = ?, updated_at = ? WHERE org_id = ? AND id = ?",
  );
  // `+org_id`: by the folder index, not a walk of the organization's subnets (SQLite has no statistics).
  const unfile = sqlite.query<unknown, [string, string]>("UPDATE subnets SET section_id = NULL WHERE +org_id = ? AND section_id = ?");
  const remove = sqlite.query<unknown, [string, string]>("DELETE FROM sections WHERE org_id = ? AND id = ?");

  return {
    get(orgId: string, id: string): SectionRecord | null {
      const row = byId.get(orgId, id);
      return row ? toSection(row) : null;
    },
    findByName(orgId: string, nameKey: string): { id: string; name: string } | null {
      return byNameKey.get(orgId, nameKey);
    },
    insert(orgId: string, s: { id: string; name: string; description: string; at: string }): void {
      insert.run(s.id, orgId, s.name, s.name.toLowerCase(), s.description, s.at, s.at);
    },
    update(orgId: string, id: string, s: { name: string; description: string; at: string }): void {
      update.run(s.name, s.name.toLowerCase(), s.description, s.at, orgId, id);
    },
    remove(orgId: string, id: string): number {
      const { changes } = unfile.run(orgId, id);
      remove.run(orgId, id);
      return changes;
    },
    list(orgId: string, opts: { limit: number; after?: [string, string]; q?: string }): SectionPage {
      const where = ["s.org_id = ?"];
      const params: (string | number)[] = [orgId];
      if (opts.q) {
        where.push("s.name_key LIKE ? ESCAPE '\\'");
        params.push(`%${escapeLike(opts.q.toLowerCase())}%`);
      }
      const total = (sqlite.query(`SELECT COUNT(*) AS n FROM sections s WHERE ${where.join(" AND ")}`).get(...params) as { n: number }).n;
      if (opts.after) {
        where.push("(s.name_key, s.id) > (?, ?)");
        params.push(...opts.after);
      }
      const rows = sqlite
        .query<SectionRow, (string | number)[]>(`${SELECT} WHERE ${where.join(" AND ")} ORDER BY s.name_key, s.id LIMIT ?`)
        .all(...params, opts.limit + 1);
      const more = rows.length > opts.limit;
      const page = more ? rows.slice(0, opts.limit) : rows;
      const last = page[page.length - 1];
      return { items: page.map(toSection), total, last: more && last ? [last.name_key, last.id] : null };
    },
  };
}

/** The store's repository: the statements above, async, with unique violations as ApiErrors. */
export function sqliteSections(database: OpenDatabase): SectionQueries {
  const s = sectionStatements(database);
  return {
    get: async (orgId, id) => s.get(orgId, id),
    byNameKey: async (orgId, nameKey) => s.findByName(orgId, nameKey),
    insert: async (orgId, section) => uniqueName(orgId, section.name, () => s.insert(orgId, section)),
    update: async (orgId, id, section) => uniqueName(orgId, section.name, () => s.update(orgId, id, section)),
    remove: async (orgId, id) => s.remove(orgId, id),
    list: async (orgId, opts) => s.list(orgId, opts),
  };

  function uniqueName(orgId: string, name: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const clash = s.findByName(orgId, name.toLowerCase());
      throw new ApiError("duplicate_name", DUPLICATE_SECTION_SENTENCE(clash?.name ?? name), { field: "name", existing_id: clash?.id ?? null });
    }
  }
}

function toSection(row: SectionRow): SectionRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    subnet_count: row.subnet_count,
    number: row.number,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
