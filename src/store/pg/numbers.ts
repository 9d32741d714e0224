/**
 * PostgreSQL: the integer `number` of new subnets and addresses (phpIPAM's ids, issue 14),
 * taken by the inserting code, n at a time, from the organization's counter in the inserting
 * transaction — as on SQLite (store/sqlite/numbers.ts). The BEFORE INSERT triggers that did it
 * per row (drizzle/pg/0011) cost an address batch ~30 % of its throughput; drizzle/pg/0014
 * dropped them for these two tables (sections keep theirs). The counter row stays locked to
 * COMMIT, so numbers follow commit order per organization, as with the trigger.
 */
import type { TransactionSQL } from "bun";

/** The first of `n` consecutive numbers now taken for `orgId`'s new rows of `kind`. */
export async function takePgNumbers(tx: TransactionSQL, orgId: string, kind: "subnet" | "address", n: number): Promise<number> {
  const [row] = await tx`
    INSERT INTO number_counters AS c (org_id, kind, next) VALUES (${orgId}, ${kind}, ${n + 1})
    ON CONFLICT (org_id, kind) DO UPDATE SET next = c.next + ${n}
    RETURNING c.next - ${n} AS first`;
  return Number((row as { first: number | string }).first);
}
