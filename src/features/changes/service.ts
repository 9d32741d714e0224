/**
 * The change feed (issue 14): the organization's events in commit order, after a cursor,
 * for scripts that cannot receive webhooks. The cursor is the last `seq` seen; seqs count
 * from 1 without holes in commit order (store/events.ts), so "everything after n" never skips
 * a committed change, however writes interleave. Long-poll: with `wait`, an empty answer is
 * held until an event arrives or the wait ends.
 */
import type { Principal } from "../../auth/principal";
import { ApiError } from "../../http/errors";
import type { EventPayload } from "../../store/events";
import type { Store } from "../../store/store";

/** How often a long-poll looks again (one indexed read per look). */
const POLL_MS = 250;

export interface FeedRequest {
  after?: number;
  limit: number;
  /** seconds to hold an empty answer (already capped by the route) */
  waitSeconds: number;
  signal?: AbortSignal;
}

export interface FeedPage {
  items: EventPayload[];
  /** pass as `after` next time; the same cursor when nothing came */
  next_cursor: string;
}

export async function readFeed(store: Store, p: Principal, request: FeedRequest): Promise<FeedPage> {
  const deadline = Date.now() + request.waitSeconds * 1000;
  for (;;) {
    const { rows, oldest, head } = await store.read({ orgId: p.orgId }, (q) => q.events.after(p.orgId, request.after ?? 0, request.limit));
    const after = request.after ?? (oldest === null ? head : oldest - 1);
    if (request.after !== undefined) refuseGap(request.after, oldest, head);
    if (rows.length > 0) {
      return { items: rows, next_cursor: String(rows.at(-1)!.seq) };
    }
    if (Date.now() >= deadline || request.signal?.aborted) return { items: [], next_cursor: String(after) };
    await Bun.sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

/** A cursor the feed cannot continue from without a gap: its next events were pruned, or it is ahead of this feed. */
function refuseGap(after: number, oldest: number | null, head: number): void {
  const firstKept = oldest ?? head + 1;
  if (after + 1 < firstKept || after > head) {
    throw new ApiError(
      "cursor_expired",
      after > head
        ? `cursor ${after} is ahead of this feed (last event ${head}): was the database restored? Resync, then follow from next_cursor`
        : `events after ${after} are no longer kept (the oldest kept is ${firstKept}): resync, then follow from the oldest`,
      { after, oldest: oldest, last: head },
    );
  }
}
