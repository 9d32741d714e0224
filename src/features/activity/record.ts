/**
 * Recording a write in the activity log (API.md §8), for the features not yet on the store
 * (store/store.ts, TODO table; converted ones call `q.activity.record`). Call it inside the
 * write's own transaction (db/tx.ts) so that the change and its record commit or vanish
 * together. `changes` maps a field to [old, new]; never put a secret (key, token, hash) in it.
 */
import type { OpenDatabase } from "../../db/client";
import { insertActivity } from "../../store/sqlite/activity";
import type { ActivityEntry } from "../../store/store";

export type { Actor, ActivityEntry } from "../../store/store";

export function recordActivity(database: OpenDatabase, entry: ActivityEntry): void {
  insertActivity(database, entry); // with its change-feed event and webhook outbox rows
}
