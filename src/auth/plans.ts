/**
 * Plans are named limit sets (API.md §3). `null` = no limit. A self-hosted install
 * defaults to `unlimited`; an operator picks another with `ipcraft org set-plan`.
 */
import type { Database } from "bun:sqlite";
import { ApiError } from "../http/errors";
import { planStatements } from "../store/sqlite/plans";
import type { CountedResource, Queries } from "../store/store";
import { planLimits, type PlanName } from "./plan-table";

// The table itself is data only (plan-table.ts), so that the web app can read it too.
export { PLAN_NAMES, PLANS, planLimits, type PlanLimits, type PlanName } from "./plan-table";

export type { CountedResource } from "../store/store";

/** How a sentence names one of each resource ("allows 1 user", "allows 1,500 addresses"). */
const SINGULAR: Record<CountedResource, string> = { users: "user", sections: "section", subnets: "subnet", addresses: "address" };

function countOf(n: number, resource: CountedResource): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? SINGULAR[resource] : resource}`;
}

/**
 * Throws 402 plan_limit when adding `adding` more of `resource` would exceed the
 * organization's plan. Call it inside the write's unit of work, before writing. Unlimited
 * resources cost nothing: the count runs only when the plan has a limit.
 */
export async function checkPlanAllows(q: Queries, orgId: string, resource: CountedResource, adding = 1): Promise<void> {
  const plan = (await q.plans.planOf(orgId)) ?? "unlimited";
  const limit = planLimits(plan)[resource];
  if (limit === null) return;
  refuseOverLimit(plan, resource, limit, await q.plans.count(orgId, resource), adding);
}

/**
 * The synchronous twin for features not yet on the store (store/store.ts, TODO table):
 * same rule, same SQL (store/sqlite/plans.ts), inside a legacy writeTransaction.
 */
export function assertPlanAllows(sqlite: Database, orgId: string, resource: CountedResource, adding = 1): void {
  const statements = planStatements(sqlite);
  const plan = statements.planOf(orgId) ?? "unlimited";
  const limit = planLimits(plan)[resource];
  if (limit === null) return;
  refuseOverLimit(plan, resource, limit, statements.count(orgId, resource), adding);
}

/** Throws 402 plan_limit when `n` held plus `adding` would exceed `limit`. */
export function refuseOverLimit(plan: string, resource: CountedResource, limit: number, n: number, adding: number): void {
  if (n + adding > limit) {
    throw new ApiError(
      "plan_limit",
      `your plan (${plan}) allows ${countOf(limit, resource)}; you have ${n.toLocaleString("en-US")}${adding > 1 ? ` and asked for ${adding.toLocaleString("en-US")} more` : ""}`,
      { resource, limit, current: n, requested: adding },
    );
  }
}
