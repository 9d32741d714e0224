/** SQL for sections. Every statement filters on org_id: a foreign id simply finds nothing. */
import type { OpenDatabase } from "../../db/client";
import { escapeLike } from "../../ipam/codec";
import type { Section } from "./model";

interface SectionRow {
  id: string;
  name: string;
  name_key: string;
  description: string;
  subnet_count: number;
  created_at: string;
  updated_at: string;
}

const SELECT = `SELECT s.id, s.name, s.name_key, s.description, s.created_at, s.updated_at,
  (SELECT COUNT(*) FROM subnets n WHERE n.section_id = s.id) AS subnet_count FROM sections s`;

export function sectionRepo(database: OpenDatabase) {
  const { sqlite } = database;
  const byId = sqlite.query<SectionRow, [string, string]>(`${SELECT} WHERE s.org_id = ? AND s.id = ?`);
  const byNameKey = sqlite.query<{ id: string; name: string }, [string, string]>(
    "SELECT id, name FROM sections WHERE org_id = ? AND name_key = ?",
  );
  const insert = sqlite.query(
    "INSERT INTO sections (id, org_id, name, name_key, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const update = sqlite.query("UPDATE sections SET name = ?, name_key = ?, description = ?, updated_at = ? WHERE org_id = ? AND id = ?");
  const unfile = sqlite.query("UPDATE subnets SET section_id = NULL WHERE org_id = ? AND section_id = ?");
  const remove = sqlite.query("DELETE FROM sections WHERE org_id = ? AND id = ?");

  return {
    get(orgId: string, id: string): Section | null {
      const row = byId.get(orgId, id);
      return row ? toSection(row) : null;
    },
    findByName(orgId: string, nameKey: string) {
      return byNameKey.get(orgId, nameKey);
    },
    insert(orgId: string, s: { id: string; name: string; description: string; at: string }) {
      insert.run(s.id, orgId, s.name, s.name.toLowerCase(), s.description, s.at, s.at);
    },
    update(orgId: string, id: string, s: { name: string; description: string; at: string }) {
      update.run(s.name, s.name.toLowerCase(), s.description, s.at, orgId, id);
    },
    /** Deletes the section; its subnets stay, unfiled. Returns how many were unfiled. */
    remove(orgId: string, id: string): number {
      const { changes } = unfile.run(orgId, id);
      remove.run(orgId, id);
      return changes;
    },
    /** A page in name order (case-insensitive), keyset on (name_key, id). */
    list(orgId: string, opts: { limit: number; after?: [string, string]; q?: string }) {
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
      return { items: page.map(toSection), total, last: more && last ? ([last.name_key, last.id] as [string, string]) : null };
    },
  };
}

function toSection(row: SectionRow): Section {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    subnet_count: row.subnet_count,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

