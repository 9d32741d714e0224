/**
 * `ipcraft check` on either backend: the SQLite file through check.ts's own read-only
 * connection, or a PostgreSQL database through store/pg/check.ts. The checks on the rows are
 * the same code (check.ts `checkRows`); so is the output.
 *
 * PostgreSQL's utilization check rebuilds each subnet's allocator the way a loader does
 * (every stored key, then its direct children as taken blocks: ipam/org-loader.ts) and
 * compares it with plain counting.
 */
import { databaseKind } from "../config";
import { SubnetAllocator } from "../ip";
import { readForCheck } from "../store/pg/check";
import { checkDatabaseFile, checkNumbers, type CheckReport, checkRows, checkUtilization, type Problem, type ProblemKind } from "./check";

export type { CheckReport } from "./check";

export async function checkAny(db: string): Promise<CheckReport> {
  return databaseKind(db) === "postgres" ? checkPostgres(db) : checkDatabaseFile(db);
}

export async function checkPostgres(url: string): Promise<CheckReport> {
  const rows = await readForCheck(url);
  const problems: Problem[] = [];
  const report = (kind: ProblemKind, message: string) => problems.push({ kind, message });
  for (const table of rows.unprotected) report("postgres", `table ${table} is not under forced row-level security (tenant isolation's second wall)`);
  const found = checkRows(rows.subnets, rows.addresses, report);
  checkNumbers(rows.numbers, rows.counters, report);
  checkUtilization(found.known, found.trees, report, () => {
    const used = new Map<string, bigint>();
    for (const subnet of found.known.values()) {
      const tree = found.trees.get(`${subnet.row.org_id}\u0000${subnet.row.vrf}`)!;
      const keys = [...subnet.keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const children = tree.childrenOf(subnet.row.id).map((id) => found.known.get(id)!.prefix);
      used.set(subnet.row.id, SubnetAllocator.fromTaken(subnet.prefix, keys, children).counts().used);
    }
    return (_orgId, subnetId) => used.get(subnetId);
  });
  return { backend: "postgres", problems, counts: { organizations: rows.organizations, subnets: found.subnets, addresses: found.addresses } };
}
