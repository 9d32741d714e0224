/**
 * SQLite: subnets, for the Store. The statements themselves still live in
 * features/subnets/repo.ts (prepared once); the export pages' statements live here.
 */
import type { OpenDatabase } from "../../db/client";
import { subnetRepo } from "../../features/subnets/repo";
import type { SubnetExportRow, SubnetQueries } from "../store";
import { takeNumbers } from "./numbers";

const EXPORT_SELECT = `SELECT n.id, n.section_id, n.parent_id, n.vrf, n.family, n.network_key, n.prefix_length, n.cidr, n.name,
    n.description, n.vlan, n.created_at, n.updated_at, s.name AS section
  FROM subnets n LEFT JOIN sections s ON s.id = n.section_id WHERE n.org_id = ?`;
const EXPORT_ORDER = "ORDER BY n.vrf, n.family, n.network_key, n.prefix_length LIMIT ?";

export function sqliteSubnets(database: OpenDatabase): SubnetQueries {
  const repo = subnetRepo(database);
  const { sqlite } = database;
  const exportFirst = sqlite.query<SubnetExportRow, [string, number]>(`${EXPORT_SELECT} ${EXPORT_ORDER}`);
  const exportNext = sqlite.query<SubnetExportRow, [string, string, number, Uint8Array, number, number]>(
    `${EXPORT_SELECT} AND (n.vrf, n.family, n.network_key, n.prefix_length) > (?, ?, ?, ?) ${EXPORT_ORDER}`,
  );
  return {
    get: async (orgId, id) => repo.get(orgId, id),
    async insertMany(orgId, rows) {
      if (rows.length === 0) return 0;
      const first = takeNumbers(sqlite, orgId, "subnet", rows.length);
      rows.forEach((row, i) => repo.insert(orgId, row, first + i));
      return first;
    },
    async setParent(orgId, ids, parentId) {
      for (const id of ids) repo.setParent(orgId, id, parentId);
    },
    async reparentChildren(orgId, fromId, toId) {
      repo.reparentChildren(orgId, fromId, toId);
    },
    async update(orgId, id, s) {
      repo.update(orgId, id, s);
    },
    async remove(orgId, id) {
      repo.remove(orgId, id);
    },
    childrenAfter: async (orgId, parentId, vrf, family, after, limit) => repo.childrenAfter(orgId, parentId, vrf, family, after, limit),
    list: async (orgId, f, limit, after) => repo.list(orgId, f, limit, after),
    exportPage: async (orgId, limit, after) => (after ? exportNext.all(orgId, ...after, limit) : exportFirst.all(orgId, limit)),
  };
}
