/**
 * SQLite: reading the change feed, which is the activity log's entries in `seq` order (the
 * writer is store/sqlite/activity.ts; ordering and why: src/store/events.ts).
 */
import type { OpenDatabase } from "../../db/client";
import { eventOfRow, type FeedRow } from "../events";
import type { EventQueries } from "../store";

export function sqliteEvents(database: OpenDatabase): EventQueries {
  const { sqlite } = database;
  const after = sqlite.query<FeedRow, [string, number, number]>(
    `SELECT id, seq, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes
       FROM activity WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  const bounds = sqlite.query<{ oldest: number | null; head: number | null }, [string, string]>(
    "SELECT (SELECT min(seq) FROM activity WHERE org_id = ? AND seq IS NOT NULL) AS oldest, (SELECT seq FROM event_counters WHERE org_id = ?) AS head",
  );
  return {
    async after(orgId, from, limit) {
      // Both in one turn of the event loop with no write in between (one connection): consistent.
      const rows = after.all(orgId, from, limit);
      const { oldest, head } = bounds.get(orgId, orgId)!;
      return { rows: rows.map((row) => eventOfRow(orgId, row)), oldest, head: head ?? 0 };
    },
  };
}
