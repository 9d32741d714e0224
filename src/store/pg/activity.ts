/** PostgreSQL: appending to the activity log; the twin of src/store/sqlite/activity.ts. */
import type { SQL } from "bun";
import type { ActivityQueries } from "../store";

export function pgActivity(tx: SQL): ActivityQueries {
  return {
    async record(e) {
      await tx`
        INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes)
        VALUES (${Bun.randomUUIDv7()}, ${e.orgId}, ${e.at ?? new Date().toISOString()}, ${e.actor.type}, ${e.actor.id}, ${e.actor.label},
                ${e.action}, ${e.target.type}, ${e.target.id}, ${e.target.label}, ${JSON.stringify(e.changes ?? {})})`;
    },
  };
}
