/** PostgreSQL: what plan limits are checked against; the twin of src/store/sqlite/plans.ts. */
import type { SQL } from "bun";
import type { CountedResource, PlanQueries } from "../store";

export function pgPlans(tx: SQL): PlanQueries {
  const counts: Record<CountedResource, (orgId: string) => Promise<{ n: number }[]>> = {
    // Pending invitations hold a seat: accepting one must not exceed the plan.
    users: (orgId) =>
      tx`SELECT ((SELECT count(*) FROM users WHERE org_id = ${orgId}) + (SELECT count(*) FROM invitations WHERE org_id = ${orgId}))::int AS n`,
    sections: (orgId) => tx`SELECT count(*)::int AS n FROM sections WHERE org_id = ${orgId}`,
    subnets: (orgId) => tx`SELECT count(*)::int AS n FROM subnets WHERE org_id = ${orgId}`,
    addresses: (orgId) => tx`SELECT count(*)::int AS n FROM addresses WHERE org_id = ${orgId}`,
  };
  return {
    async planOf(orgId) {
      const [row] = await tx`SELECT plan FROM organizations WHERE id = ${orgId}`;
      return (row?.plan as string | undefined) ?? null;
    },
    async count(orgId, resource) {
      const [row] = await counts[resource](orgId);
      return Number(row!.n);
    },
  };
}
