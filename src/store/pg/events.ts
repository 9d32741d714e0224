/**
 * PostgreSQL: reading the change feed, the activity log's entries in `seq` order; the twin of
 * src/store/sqlite/events.ts (the writer is activity.ts insertPgActivity; why seq is commit
 * order: src/store/events.ts).
 */
import type { SQL } from "bun";
import { eventOfRow, type FeedRow } from "../events";
import type { EventQueries } from "../store";
import { iso } from "./errors";

export function pgEvents(tx: SQL): EventQueries {
  return {
    async after(orgId, after, limit) {
      const [rows, [bounds]] = (await Promise.all([
        tx`SELECT id, seq, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes
             FROM activity WHERE org_id = ${orgId} AND seq > ${after} ORDER BY seq LIMIT ${limit}`.execute(),
        tx`SELECT (SELECT min(seq) FROM activity WHERE org_id = ${orgId} AND seq IS NOT NULL) AS oldest,
                  (SELECT seq FROM event_counters WHERE org_id = ${orgId}) AS head`.execute(),
      ])) as [(Omit<FeedRow, "seq" | "at"> & { seq: string | number; at: Date })[], { oldest: string | number | null; head: string | number | null }[]];
      return {
        rows: rows.map((r) => eventOfRow(orgId, { ...r, seq: Number(r.seq), at: iso(r.at) })),
        oldest: bounds!.oldest === null ? null : Number(bounds!.oldest),
        head: bounds!.head === null ? 0 : Number(bounds!.head),
      };
    },
  };
}
