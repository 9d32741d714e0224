/**
 * Retention (API.md §3, §8): entries older than the organization's plan keeps are deleted.
 * Run at boot and then hourly by the server; cheap thanks to the (org_id, at) index. On
 * PostgreSQL every replica runs it, and one at a time actually prunes (store/pg/activity.ts).
 */
import { PLANS } from "../../auth/plans";
import type { Store } from "../../store/store";

/**
 * Deletes expired entries; returns how many went, or undefined when it was postponed (the
 * write lock taken by another process, a full disk, or another replica pruning right now).
 */
export async function pruneActivity(store: Store, now: Date = new Date()): Promise<number | undefined> {
  const cutoffs = Object.fromEntries(
    Object.values(PLANS).map((limits) => [limits.name, new Date(now.getTime() - limits.activityDays * 86400_000).toISOString()]),
  );
  // An unknown plan name counts as unlimited, as planLimits() does.
  const removed = await store.tryWrite({ orgId: null }, (q) => q.activity.prune(cutoffs, cutoffs.unlimited!));
  return removed ?? undefined;
}
