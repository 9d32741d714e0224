/**
 * SQLite: Idempotency-Key rows (store/idempotency.ts). Synchronous statements, prepared once
 * per connection, so that GroupCommit's synchronous address jobs can store a key in their
 * savepoint too. One server per database: two requests with one key never race here (the HTTP
 * half queues them), the primary key is the backstop.
 */
import type { Database } from "bun:sqlite";
import type { OpenDatabase } from "../../db/client";
import { IdempotencyTaken, type IdempotencyQueries, type IdempotencyRow } from "../idempotency";

const cache = new WeakMap<Database, ReturnType<typeof prepare>>();

/** The statements of `sqlite`, prepared on first use. */
export function idempotencyStatements(sqlite: Database) {
  let statements = cache.get(sqlite);
  if (!statements) cache.set(sqlite, (statements = prepare(sqlite)));
  return statements;
}

function prepare(sqlite: Database) {
  const get = sqlite.query<IdempotencyRow, [string, string, string]>(
    "SELECT org_id, key, request_hash, status, response, state, created_at FROM idempotency_keys WHERE org_id = ? AND key = ? AND created_at >= ?",
  );
  const dropStale = sqlite.query("DELETE FROM idempotency_keys WHERE org_id = ? AND key = ? AND created_at < ?");
  const insert = sqlite.query(
    `INSERT INTO idempotency_keys (org_id, key, request_hash, status, response, state, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, key) DO NOTHING`,
  );
  const prune = sqlite.query("DELETE FROM idempotency_keys WHERE created_at < ?");
  return {
    get: (orgId: string, key: string, since: string): IdempotencyRow | null => get.get(orgId, key, since),
    save(row: IdempotencyRow, since: string): void {
      dropStale.run(row.org_id, row.key, since);
      const { changes } = insert.run(row.org_id, row.key, row.request_hash, row.status, row.response, row.state, row.created_at);
      if (changes === 0) throw new IdempotencyTaken();
    },
    prune: (cutoff: string): number => prune.run(cutoff).changes,
  };
}

export function sqliteIdempotency(database: OpenDatabase): IdempotencyQueries {
  const s = idempotencyStatements(database.sqlite);
  return {
    get: async (orgId, key, since) => s.get(orgId, key, since),
    save: async (row, since) => s.save(row, since),
    prune: async (cutoff) => s.prune(cutoff),
  };
}
