/**
 * Retention (API.md §3, §8): entries older than the organization's plan keeps are deleted; the
 * unlimited plan keeps them for --activity-retention-days, or forever when it is not set.
 * Run at boot and then hourly by the server; cheap thanks to the (org_id, at) index. On
 * PostgreSQL every replica runs it, and one at a time actually prunes (store/pg/activity.ts).
 */
import { PLANS } from "../../auth/plans";
import type { Store } from "../../store/store";

const KEEP_EVERYTHING = "1970-01-01T00:00:00.000Z";

/**
 * Deletes expired entries; returns how many went, or undefined when it was postponed (the
 * write lock taken by another process, a full disk, or another replica pruning right now).
 */
export async function pruneActivity(store: Store, now: Date = new Date(), retentionDays?: number): Promise<number | undefined> {
  // The unlimited plan (self-hosted) keeps what the admin set, else everything: a cutoff
  // before any entry could have been written deletes nothing.
  const days = (limits: (typeof PLANS)[keyof typeof PLANS]) => limits.activityDays ?? retentionDays;
  const cutoffs = Object.fromEntries(
    Object.values(PLANS).map((limits) => {
      const kept = days(limits);
      return [limits.name, kept === undefined ? KEEP_EVERYTHING : new Date(now.getTime() - kept * 86400_000).toISOString()];
    }),
  );
  // An unknown plan name counts as unlimited, as planLimits() does.
  const removed = await store.tryWrite({ orgId: null }, (q) => q.activity.prune(cutoffs, cutoffs.unlimited!));
  return removed ?? undefined;
}
