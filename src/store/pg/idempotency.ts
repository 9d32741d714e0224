/**
 * PostgreSQL: Idempotency-Key rows (store/idempotency.ts). Replicas racing with one key meet
 * on the (org_id, key) primary key: `ON CONFLICT DO NOTHING` waits for the other transaction,
 * then inserts nothing if it committed (IdempotencyTaken: this unit rolls back) or inserts if
 * it rolled back. Pruning is system work through the 'idempotency' maintenance window
 * (drizzle/pg/0011_idempotency.sql).
 */
import type { TransactionSQL } from "bun";
import { IdempotencyTaken, type IdempotencyQueries, type IdempotencyRow } from "../idempotency";
import type { Scope } from "../store";
import { iso } from "./errors";

type Stored = Omit<IdempotencyRow, "created_at"> & { created_at: Date | string };

/** The statements that store `row` in `tx` (the hot path sends them pipelined with its batch). */
export async function savePgIdempotency(tx: TransactionSQL, row: IdempotencyRow, since: string): Promise<void> {
  const [, inserted] = await Promise.all([
    tx`DELETE FROM idempotency_keys WHERE org_id = ${row.org_id} AND key = ${row.key} AND created_at < ${since}`.execute(),
    tx`INSERT INTO idempotency_keys ${tx(row)} ON CONFLICT (org_id, key) DO NOTHING RETURNING key`.execute(),
  ]);
  if (inserted.length === 0) throw new IdempotencyTaken();
}

export function pgIdempotency(tx: TransactionSQL, scope: Scope): IdempotencyQueries {
  return {
    async get(orgId, key, since) {
      const [row] = (await tx`
        SELECT org_id, key, request_hash, status, response, state, created_at FROM idempotency_keys
         WHERE org_id = ${orgId} AND key = ${key} AND created_at >= ${since}`) as Stored[];
      return row ? { ...row, created_at: iso(row.created_at) } : null;
    },
    save: (row, since) => savePgIdempotency(tx, row, since),
    async prune(cutoff) {
      if (scope.orgId !== null) throw new Error("pruning is system work: run it in a unit with scope { orgId: null }");
      const [, deleted] = await Promise.all([
        tx`SELECT set_config('app.maintenance', 'idempotency', true)`.execute(),
        tx`DELETE FROM idempotency_keys WHERE created_at < ${cutoff}`.execute(),
        tx`SELECT set_config('app.maintenance', '', true)`.execute(),
      ]);
      return deleted.count;
    },
  };
}
