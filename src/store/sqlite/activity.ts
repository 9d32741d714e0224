/** SQLite: appending to the activity log (API.md §8). */
import type { OpenDatabase } from "../../db/client";
import type { ActivityEntry, ActivityQueries } from "../store";

const statements = new WeakMap<OpenDatabase, ReturnType<typeof prepare>>();

function prepare(database: OpenDatabase) {
  return database.sqlite.query(
    `INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
}

/** Synchronous insert; features/activity/record.ts (legacy writers) and the store share it. */
export function insertActivity(database: OpenDatabase, entry: ActivityEntry): void {
  let insert = statements.get(database);
  if (!insert) {
    insert = prepare(database);
    statements.set(database, insert);
  }
  insert.run(
    // Time-ordered ids append to the primary-key index instead of dirtying a random page.
    Bun.randomUUIDv7(),
    entry.orgId,
    entry.at ?? new Date().toISOString(),
    entry.actor.type,
    entry.actor.id,
    entry.actor.label,
    entry.action,
    entry.target.type,
    entry.target.id,
    entry.target.label,
    JSON.stringify(entry.changes ?? {}),
  );
}

export function sqliteActivity(database: OpenDatabase): ActivityQueries {
  return { record: async (entry) => insertActivity(database, entry) };
}
