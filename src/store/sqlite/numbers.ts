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
import type { FlushParticipant } from "../../ipam/group-commit";

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

/**
 * The numbers of one group commit's jobs (ipam/group-commit.ts): each counter read once per
 * flush, written once before its COMMIT (the flush holds the write lock throughout, so nobody
 * else moves it meanwhile). A job that rolls back leaves a gap: numbers are never reused, not
 * dense.
 */
export function flushNumbers(sqlite: Database): FlushParticipant & { take(orgId: string, kind: NumberedTable, n: number): number } {
  const read = sqlite.query<{ next: number }, [string, string]>("SELECT next FROM number_counters WHERE org_id = ? AND kind = ?");
  const write = sqlite.query<null, [string, string, number]>(
    "INSERT INTO number_counters (org_id, kind, next) VALUES (?, ?, ?) ON CONFLICT (org_id, kind) DO UPDATE SET next = excluded.next",
  );
  /** "org\nkind" → the next number to hand out */
  const next = new Map<string, { orgId: string; kind: NumberedTable; next: number }>();
  return {
    take(orgId, kind, n) {
      const key = `${orgId}\n${kind}`;
      let counter = next.get(key);
      if (!counter) next.set(key, (counter = { orgId, kind, next: read.get(orgId, kind)?.next ?? 1 }));
      const first = counter.next;
      counter.next += n;
      return first;
    },
    mark: () => 0,
    undo: () => {},
    finish() {
      for (const c of next.values()) write.run(c.orgId, c.kind, c.next);
    },
    reset: () => next.clear(),
  };
}
