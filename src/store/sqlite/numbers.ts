/**
 * SQLite: the integer `number` of new subnets and addresses (phpIPAM's ids, issue 14), taken
 * by the inserting code from the organization's counter, n at a time, in the inserting
 * transaction (a rollback gives them back). Not by an insert trigger as for sections: on
 * SQLite a table with an AFTER INSERT trigger pays for it on every row even when its WHEN
 * clause is false, and the trigger's UPDATE of the new row on top — a 10,000-address bulk
 * allocation took ~2.2× as long (drizzle/0011 dropped those two triggers). Every insert of
 * subnets and addresses goes through store/sqlite/{subnets,addresses}.ts; `ipcraft check`
 * reports a row without a number.
 */
import type { Database } from "bun:sqlite";

export type NumberedTable = "subnet" | "address";

const prepared = new WeakMap<Database, ReturnType<typeof prepare>>();

function prepare(sqlite: Database) {
  // The counter holds the next number to hand out (as the sections trigger keeps it).
  return sqlite.query<{ next: number }, [string, string, number, number]>(
    "INSERT INTO number_counters (org_id, kind, next) VALUES (?, ?, ? + 1) ON CONFLICT (org_id, kind) DO UPDATE SET next = next + ? RETURNING next",
  );
}

/** The first of `n` consecutive numbers now taken for `orgId`'s new rows of `kind`. */
export function takeNumbers(sqlite: Database, orgId: string, kind: NumberedTable, n: number): number {
  let reserve = prepared.get(sqlite);
  if (!reserve) prepared.set(sqlite, (reserve = prepare(sqlite)));
  return reserve.get(orgId, kind, n, n)!.next - n;
}
