/**
 * @todo Legacy shim: features/users (removal revokes the user's keys inside its own
 * synchronous transaction) still needs a synchronous revoke. The SQL lives in
 * store/sqlite/api-keys.ts; delete this file when users is on the store (store/store.ts, TODO table).
 */
import type { OpenDatabase } from "../../db/client";
import { apiKeyStatements } from "../../store/sqlite/api-keys";
import type { Actor, StoredKey } from "../../store/store";
import { recordActivity } from "../activity/record";
import { revokeEntry } from "./service";

export function findKey(database: OpenDatabase, orgId: string, id: string): StoredKey | null {
  return apiKeyStatements(database).get(orgId, id);
}

/** Deletes a key and records api_key.revoke; call inside a write transaction. */
export function revokeStoredKey(database: OpenDatabase, key: StoredKey, actor: Actor): void {
  apiKeyStatements(database).remove(key.org_id, key.id);
  recordActivity(database, revokeEntry(key, actor));
}
