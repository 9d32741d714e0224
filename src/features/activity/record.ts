/**
 * Recording a write in the activity log (API.md §8). Call it inside the write's own
 * transaction (db/tx.ts) so that the change and its record commit or vanish together.
 * `changes` maps a field to [old, new]; never put a secret (key, token, hash) in it.
 */
import type { OpenDatabase } from "../../db/client";

export interface Actor {
  type: "user" | "api_key" | "system";
  id: string | null;
  label: string;
}

export interface ActivityEntry {
  orgId: string;
  actor: Actor;
  /** `<target type>.<verb>`, e.g. subnet.create, address.update, api_key.revoke */
  action: string;
  target: { type: string; id: string | null; label: string };
  changes?: Record<string, [unknown, unknown]>;
  at?: string;
}

const statements = new WeakMap<OpenDatabase, ReturnType<typeof prepare>>();

function prepare(database: OpenDatabase) {
  return database.sqlite.query(
    `INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
}

export function recordActivity(database: OpenDatabase, entry: ActivityEntry): void {
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
