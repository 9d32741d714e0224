/**
 * Plans are named limit sets (API.md §3). `null` = no limit. A self-hosted install
 * defaults to `unlimited`; an operator picks another with `ipcraft org set-plan`.
 */
import type { Scope } from "./principal";

export type PlanName = "free" | "pro" | "teams" | "unlimited";

export interface PlanLimits {
  users: number | null;
  sections: number | null;
  subnets: number | null;
  addresses: number | null;
  api: Scope;
  /** requests per second; null = the server's --rate-limit */
  rateLimit: number | null;
  activityDays: number;
}

export const PLANS: Record<PlanName, PlanLimits> = {
  free: { users: 1, sections: 5, subnets: 100, addresses: 1500, api: "read", rateLimit: 10, activityDays: 7 },
  pro: { users: 1, sections: 25, subnets: 500, addresses: 7000, api: "write", rateLimit: 30, activityDays: 14 },
  teams: { users: 5, sections: 50, subnets: 500, addresses: 7000, api: "write", rateLimit: 50, activityDays: 90 },
  unlimited: { users: null, sections: null, subnets: null, addresses: null, api: "write", rateLimit: null, activityDays: 90 },
};

export function planLimits(plan: string): PlanLimits {
  return PLANS[(plan in PLANS ? plan : "unlimited") as PlanName];
}
