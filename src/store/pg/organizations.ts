/** PostgreSQL: the caller's organization, its renaming and its usage; the twin of src/store/sqlite/organizations.ts. */
import type { SQL } from "bun";
import type { OrganizationQueries, OrganizationUsage } from "../store";
import { iso } from "./errors";

export function pgOrganizations(tx: SQL): OrganizationQueries {
  return {
    async get(orgId) {
      const [row] = await tx`SELECT id, name, plan, created_at, updated_at FROM organizations WHERE id = ${orgId}`;
      return row ? { id: row.id, name: row.name, plan: row.plan, created_at: iso(row.created_at), updated_at: iso(row.updated_at) } : null;
    },
    async rename(orgId, name, at) {
      await tx`UPDATE organizations SET name = ${name}, updated_at = ${at} WHERE id = ${orgId}`;
    },
    async usage(orgId) {
      const [row] = await tx`SELECT
        ((SELECT count(*) FROM users WHERE org_id = ${orgId}) + (SELECT count(*) FROM invitations WHERE org_id = ${orgId}))::int AS users,
        (SELECT count(*) FROM sections WHERE org_id = ${orgId})::int AS sections,
        (SELECT count(*) FROM subnets WHERE org_id = ${orgId})::int AS subnets,
        (SELECT count(*) FROM addresses WHERE org_id = ${orgId})::int AS addresses,
        (SELECT count(*) FROM api_keys WHERE org_id = ${orgId})::int AS api_keys`;
      return row as OrganizationUsage;
    },
  };
}
