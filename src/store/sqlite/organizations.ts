/** SQLite: the caller's organization, its renaming and its usage (API.md §3). */
import type { OpenDatabase } from "../../db/client";
import type { OrganizationQueries, OrganizationRecord, OrganizationUsage } from "../store";

export function sqliteOrganizations(database: OpenDatabase): OrganizationQueries {
  const { sqlite } = database;
  const byId = sqlite.query<OrganizationRecord, [string]>("SELECT id, name, plan, created_at, updated_at FROM organizations WHERE id = ?");
  const rename = sqlite.query<unknown, [string, string, string]>("UPDATE organizations SET name = ?, updated_at = ? WHERE id = ?");
  const usage = sqlite.query<OrganizationUsage, [string]>(`SELECT
    (SELECT COUNT(*) FROM users WHERE org_id = ?1) + (SELECT COUNT(*) FROM invitations WHERE org_id = ?1) AS users,
    (SELECT COUNT(*) FROM sections WHERE org_id = ?1) AS sections,
    (SELECT COUNT(*) FROM subnets WHERE org_id = ?1) AS subnets,
    (SELECT COUNT(*) FROM addresses WHERE org_id = ?1) AS addresses,
    (SELECT COUNT(*) FROM api_keys WHERE org_id = ?1) AS api_keys`);
  return {
    get: async (orgId) => byId.get(orgId),
    async rename(orgId, name, at) {
      rename.run(name, at, orgId);
    },
    usage: async (orgId) => usage.get(orgId)!,
  };
}
