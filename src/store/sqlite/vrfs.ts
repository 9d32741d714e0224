/**
 * SQLite: the SQL of VRFs. Every statement filters on org_id. Statements are prepared once
 * per connection. `subnet_count` counts through the (org_id, vrf, …) unique index of subnets.
 */
import type { OpenDatabase } from "../../db/client";
import { ApiError } from "../../http/errors";
import { DEFAULT_VRF, DUPLICATE_VRF_SENTENCE, type VrfPage, type VrfQueries, type VrfRecord } from "../store";
import { isUniqueViolation } from "./errors";

const SELECT = `SELECT v.id, v.name, v.description, v.created_at, v.updated_at,
  (SELECT COUNT(*) FROM subnets n WHERE n.org_id = v.org_id AND n.vrf = v.name) AS subnet_count FROM vrfs v`;

/**
 * The synchronous statements. The store's repository below wraps them; subnet create and the
 * subnet import (not yet on the store) check a subnet's VRF with `byName`/`names` inside their
 * own synchronous transactions.
 */
export function vrfStatements(database: OpenDatabase) {
  const { sqlite } = database;
  const byId = sqlite.query<VrfRecord, [string, string]>(`${SELECT} WHERE v.org_id = ? AND v.id = ?`);
  const byName = sqlite.query<VrfRecord, [string, string]>(`${SELECT} WHERE v.org_id = ? AND v.name = ?`);
  const names = sqlite.query<{ name: string }, [string]>("SELECT name FROM vrfs WHERE org_id = ? ORDER BY name");
  const insert = sqlite.query<unknown, [string, string, string, string, string]>(
    "INSERT INTO vrfs (id, org_id, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
  );
  const ensureDefault = sqlite.query<unknown, [string, string, string]>(
    `INSERT INTO vrfs (id, org_id, name, description, created_at, updated_at) VALUES (?1, ?2, '${DEFAULT_VRF}', '', ?3, ?3)
     ON CONFLICT (org_id, name) DO NOTHING`,
  );
  const update = sqlite.query<unknown, [string, string, string, string, string]>(
    "UPDATE vrfs SET name = ?1, description = ?2, updated_at = ?3 WHERE org_id = ?4 AND id = ?5",
  );
  const remove = sqlite.query<unknown, [string, string]>("DELETE FROM vrfs WHERE org_id = ? AND id = ?");

  return {
    get: (orgId: string, id: string): VrfRecord | null => byId.get(orgId, id),
    byName: (orgId: string, name: string): VrfRecord | null => byName.get(orgId, name),
    names: (orgId: string): string[] => names.all(orgId).map((r) => r.name),
    insert(orgId: string, v: { id: string; name: string; description: string; at: string }): void {
      insert.run(v.id, orgId, v.name, v.description, v.at);
    },
    /** Every new organization's `default` (tenants.ts, auth/accounts.ts) and older ones' on first use. */
    ensureDefault(orgId: string, at: string): void {
      ensureDefault.run(crypto.randomUUID(), orgId, at);
    },
    update(orgId: string, id: string, v: { name: string; description: string; at: string }): void {
      update.run(v.name, v.description, v.at, orgId, id);
    },
    remove(orgId: string, id: string): void {
      remove.run(orgId, id);
    },
    list(orgId: string, opts: { limit: number; after?: [string, string] }): VrfPage {
      const total = (sqlite.query("SELECT COUNT(*) AS n FROM vrfs WHERE org_id = ?").get(orgId) as { n: number }).n;
      const [afterName, afterId] = opts.after ?? [null, null];
      const rows = sqlite
        .query<VrfRecord, [string, string | null, string | null, number]>(
          `${SELECT} WHERE v.org_id = ?1 AND (?2 IS NULL OR (v.name, v.id) > (?2, ?3)) ORDER BY v.name, v.id LIMIT ?4`,
        )
        .all(orgId, afterName, afterId, opts.limit + 1);
      const more = rows.length > opts.limit;
      const items = more ? rows.slice(0, opts.limit) : rows;
      const last = items[items.length - 1];
      return { items, total, last: more && last ? [last.name, last.id] : null };
    },
  };
}

/** The store's repository: the statements above, async, with unique violations as ApiErrors. */
export function sqliteVrfs(database: OpenDatabase): VrfQueries {
  const s = vrfStatements(database);
  return {
    get: async (orgId, id) => s.get(orgId, id),
    byName: async (orgId, name) => s.byName(orgId, name),
    names: async (orgId) => s.names(orgId),
    insert: async (orgId, v) => uniqueName(v.name, () => s.insert(orgId, v)),
    update: async (orgId, id, v) => uniqueName(v.name, () => s.update(orgId, id, v)),
    remove: async (orgId, id) => s.remove(orgId, id),
    ensureDefault: async (orgId, at) => s.ensureDefault(orgId, at),
    list: async (orgId, opts) => s.list(orgId, opts),
  };
}

function uniqueName(name: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ApiError("duplicate_name", DUPLICATE_VRF_SENTENCE(name), { field: "name" });
  }
}
