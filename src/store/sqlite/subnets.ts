/**
 * SQLite: subnets, for the Store. The statements themselves still live in
 * features/subnets/repo.ts (prepared once; the CSV import uses them synchronously too).
 */
import type { OpenDatabase } from "../../db/client";
import { subnetRepo } from "../../features/subnets/repo";
import type { SubnetQueries } from "../store";

export function sqliteSubnets(database: OpenDatabase): SubnetQueries {
  const repo = subnetRepo(database);
  return {
    get: async (orgId, id) => repo.get(orgId, id),
    async insertMany(orgId, rows) {
      for (const row of rows) repo.insert(orgId, row);
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
  };
}
