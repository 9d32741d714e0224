/**
 * Retention (API.md §3, §8): entries older than the organization's plan keeps are deleted.
 * Run at boot and then hourly by the server; cheap thanks to the (org_id, at) index.
 */
import { PLANS, type PlanName } from "../../auth/plans";
import type { OpenDatabase } from "../../db/client";

/** Deletes expired entries; returns how many went. */
export function pruneActivity(database: OpenDatabase, now: Date = new Date()): number {
  let removed = 0;
  for (const [plan, limits] of Object.entries(PLANS) as [PlanName, (typeof PLANS)[PlanName]][]) {
    const cutoff = new Date(now.getTime() - limits.activityDays * 86400_000).toISOString();
    const result = database.sqlite
      .query(
        `DELETE FROM activity WHERE at < ? AND org_id IN (SELECT id FROM organizations WHERE plan = ?${plan === "unlimited" ? " OR plan NOT IN ('free','pro','teams','unlimited')" : ""})`,
      )
      .run(cutoff, plan);
    removed += result.changes;
  }
  return removed;
}
