/**
 * Importing address records from CSV (columns: ADDRESS_COLUMNS). Each address goes to the
 * most specific subnet of its VRF that contains it, as everywhere else (API.md §6); it must
 * be usable there and free. The whole file is one transaction; one activity entry
 * (`address.import`) records the count.
 *
 * Cost per row: a tree lookup (≤ 129 map probes), one allocator insert (memory, journaled)
 * and one prepared INSERT — no per-row queries, no allocator rebuilds. Rows are placed as they
 * are read, so the import holds the file's bytes and what each row leaves behind (its place
 * in the allocator and one map entry, ~40 bytes), never every row at once.
 */
import { SQLiteError } from "bun:sqlite";
import { assertPlanAllows } from "../../auth/plans";
import { formatIp, type Ip, isUsable } from "../../ip";
import { keyOf, nowIso } from "../../ipam/codec";
import { Journal } from "../../ipam/journal";
import { recordActivity } from "../activity/record";
import { addressRepo } from "../addresses/repo";
import { vrfChecker } from "../vrfs/check";
import { ADDRESS_COLUMNS, type AddressImportRow, isRowError, readAddressRow } from "./columns";
import { COLLECT_EVERY, deferred, type ImportDeps, type ImportInput, openCsv, PROGRESS_EVERY, runImport } from "./import-run";

/** What an address import did (or, for a dry run, would do). */
export interface AddressImportResult {
  dry_run: boolean;
  rows: number;
  created: { addresses: number };
}

export function importAddresses(deps: ImportDeps, input: ImportInput): Promise<AddressImportResult> {
  const { database, registry } = deps;
  const { orgId } = input;
  const file = openCsv(input.csv, ADDRESS_COLUMNS);
  const { errors, total } = file;
  const repo = addressRepo(database);
  const vrfs = vrfChecker(database);

  return runImport(deps, input, errors, (journal) => {
    // Checked against the file's row count before the rows, raised after them (bad rows come
    // first); for a clean file that count is exactly the rows created.
    const limit = deferred(() => assertPlanAllows(database.sqlite, orgId, "addresses", total));
    const at = nowIso();
    /**
     * vrf → address value → row of every address this file took: names the earlier row of a
     * duplicate, and undoes the takes on rollback. Numbers for IPv4 (no object per row).
     */
    const seen = new Map<string, Map<number | bigint, number>>();
    // The journal keeps one closure per change (~150 bytes with what it captures: 15 MB for
    // 100,000 rows). The takes are journaled once instead, as `seen`, which holds them anyway;
    // each take's own journal entry goes to a journal that is dropped at once.
    journal.onRollback(() => {
      let released = 0;
      for (const [vrf, values] of seen) {
        const tree = registry.tree(orgId, vrf)!;
        for (const key of values.keys()) {
          const ip: Ip = typeof key === "number" ? { family: 4, value: BigInt(key) } : { family: 6, value: key };
          registry.release(new Journal(), registry.subnet(orgId, tree.mostSpecific(ip)!)!, ip.value);
          if (++released % COLLECT_EVERY === 0) Bun.gc(false);
        }
      }
    });
    let done = 0;
    let rows = 0;
    let created = 0;
    // One row at a time: read, checked, placed and written, then dropped.
    for (const item of file.items) {
      if ("error" in item) errors.push(item);
      else {
        rows++;
        const row = readAddressRow(item, file.positions);
        const error = isRowError(row) ? row.error : place(row);
        if (error) errors.push({ row: item.row, error });
      }
      if (++done % PROGRESS_EVERY === 0) input.onProgress?.(done, total);
      if (done % COLLECT_EVERY === 0) Bun.gc(false);
    }
    input.onProgress?.(done, total);
    if (errors.length === 0 && limit) throw limit;

    if (created > 0 && !input.dryRun) {
      recordActivity(database, {
        orgId,
        actor: input.actor,
        action: "address.import",
        target: { type: "organization", id: orgId, label: "addresses CSV" },
        at,
        changes: { addresses_created: [0, created] },
      });
    }
    return { dry_run: input.dryRun, rows, created: { addresses: created } };

    /** Records one row; returns why it cannot be, or null. */
    function place(row: AddressImportRow): string | null {
      const text = formatIp(row.ip);
      const subnetId = registry.tree(orgId, row.vrf)?.mostSpecific(row.ip) ?? null;
      if (subnetId === null) return vrfs.problem(orgId, row.vrf) ?? `no subnet in VRF ${row.vrf} contains ${text}; import the subnets first`;
      const state = registry.subnet(orgId, subnetId)!;
      if (!isUsable(state.prefix, row.ip.value)) {
        const which =
          row.ip.value !== state.prefix.network
            ? "the broadcast address"
            : state.prefix.family === 4 ? "the network address" : "the subnet-router anycast address";
        return `${text} is ${which} of ${state.cidr} and cannot be recorded`;
      }
      let inVrf = seen.get(row.vrf);
      if (!inVrf) seen.set(row.vrf, (inVrf = new Map()));
      const key = row.ip.family === 4 ? Number(row.ip.value) : row.ip.value;
      if (registry.take(new Journal(), state, row.ip.value) !== "ok") {
        const earlier = inVrf.get(key);
        if (earlier !== undefined) return `${text} is listed twice (first on row ${earlier})`;
        const existing = repo.getByKey(orgId, row.vrf, keyOf(row.ip.family, row.ip.value));
        return `${text} is already in use${existing?.hostname ? ` by ${existing.hostname}` : ""}`;
      }
      inVrf.set(key, row.row);
      try {
        repo.insert(orgId, {
          // Time-ordered ids append to the primary-key index (see addresses/writer.ts).
          id: Bun.randomUUIDv7(),
          subnetId: state.id,
          vrf: row.vrf,
          ip: text,
          ipKey: keyOf(row.ip.family, row.ip.value),
          ...row.fields,
          at,
        });
      } catch (error) {
        // The UNIQUE (org, vrf, ip_key) backstop, as in addresses/writer.ts: memory said free,
        // the table disagrees. A bad row (the import rolls back), never a raw 500.
        if (error instanceof SQLiteError && error.code === "SQLITE_CONSTRAINT_UNIQUE") return `${text} is already in use`;
        throw error;
      }
      created++;
      return null;
    }
  });
}
