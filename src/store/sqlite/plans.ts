/** SQLite: what plan limits are checked against (auth/plans.ts holds the rules). */
import type { Database } from "bun:sqlite";
import type { OpenDatabase } from "../../db/client";
import type { CountedResource, PlanQueries } from "../store";

const COUNT_SQL: Record<CountedResource, string> = {
  // Pending invitations hold a seat: accepting one must not exceed the plan.
  users: "SELECT (SELECT COUNT(*) FROM users WHERE org_id = ?1) + (SELECT COUNT(*) FROM invitations WHERE org_id = ?1) AS n",
  sections: "SELECT COUNT(*) AS n FROM sections WHERE org_id = ?1",
  subnets: "SELECT COUNT(*) AS n FROM subnets WHERE org_id = ?1",
  addresses: "SELECT COUNT(*) AS n FROM addresses WHERE org_id = ?1",
};

const cache = new WeakMap<Database, ReturnType<typeof prepare>>();

/** Synchronous, prepared once per connection; also used by auth/plans.ts assertPlanAllows (legacy writers). */
export function planStatements(sqlite: Database) {
  let statements = cache.get(sqlite);
  if (!statements) {
    statements = prepare(sqlite);
    cache.set(sqlite, statements);
  }
  return statements;
}

function prepare(sqlite: Database) {
  const plan = sqlite.query<{ plan: string }, [string]>("SELECT plan FROM organizations WHERE id = ?");
  const counts = Object.fromEntries(
    Object.entries(COUNT_SQL).map(([resource, sql]) => [resource, sqlite.query<{ n: number }, [string]>(sql)]),
  ) as Record<CountedResource, ReturnType<typeof sqlite.query<{ n: number }, [string]>>>;
  return {
    planOf: (orgId: string): string | null => plan.get(orgId)?.plan ?? null,
    count: (orgId: string, resource: CountedResource): number => counts[resource].get(orgId)!.n,
  };
}

export function sqlitePlans(database: OpenDatabase): PlanQueries {
  const s = planStatements(database.sqlite);
  return { planOf: async (orgId) => s.planOf(orgId), count: async (orgId, resource) => s.count(orgId, resource) };
}
