/**
 * The plans' limit sets (API.md §3), as data only: the server's checks (plans.ts) and the web
 * app (which offers a write-scoped API key only when the plan allows write API access) read
 * the same table. No imports, so the browser bundle can take it.
 */
export type PlanName = "free" | "pro" | "teams" | "unlimited";

export interface PlanLimits {
  name: PlanName;
  users: number | null;
  sections: number | null;
  subnets: number | null;
  addresses: number | null;
  /** API access: what an API key may do on this plan */
  api: "read" | "write";
  /** requests per second; null = the server's --rate-limit */
  rateLimit: number | null;
  /** days of activity kept; null = as the server says (--activity-retention-days, default forever) */
  activityDays: number | null;
}

export const PLANS: Record<PlanName, PlanLimits> = {
  free: { name: "free", users: 1, sections: 5, subnets: 100, addresses: 1500, api: "read", rateLimit: 10, activityDays: 7 },
  pro: { name: "pro", users: 1, sections: 25, subnets: 500, addresses: 7000, api: "write", rateLimit: 30, activityDays: 14 },
  teams: { name: "teams", users: 5, sections: 50, subnets: 500, addresses: 7000, api: "write", rateLimit: 50, activityDays: 90 },
  unlimited: { name: "unlimited", users: null, sections: null, subnets: null, addresses: null, api: "write", rateLimit: null, activityDays: null },
};

export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];

/** The limits of `plan`; an unknown name (never written by us) counts as `unlimited`. */
export function planLimits(plan: string): PlanLimits {
  return PLANS[(Object.hasOwn(PLANS, plan) ? plan : "unlimited") as PlanName];
}

