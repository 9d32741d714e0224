/**
 * Importing address records from CSV (columns: ADDRESS_COLUMNS). Each address goes to the
 * most specific subnet of its VRF that contains it, as everywhere else (API.md §6); it must
 * be usable there and free. The whole file is one transaction; one activity entry
 * (`address.import`) records the count.
 *
 * Cost per row: a tree lookup (≤ 129 map probes), one allocator insert (memory, journaled)
 * and one prepared INSERT — no per-row queries, no allocator rebuilds.
 */
import { SQLiteError } from "bun:sqlite";
import { assertPlanAllows } from "../../auth/plans";
import { formatIp, isUsable } from "../../ip";
import { keyOf, nowIso } from "../../ipam/codec";
import { recordActivity } from "../activity/record";
import { addressRepo } from "../addresses/repo";
import { parseCsv, type RowError } from "./csv";
import { ADDRESS_COLUMNS, type AddressImportRow, isRowError, readAddressRow, readHeader } from "./columns";
import { deferred, type ImportDeps, type ImportInput, importFailed, PROGRESS_EVERY, runImport } from "./import-run";

/** What an address import did (or, for a dry run, would do). */
export interface AddressImportResult {
  dry_run: boolean;
  rows: number;
  created: { addresses: number };
}

export function importAddresses(deps: ImportDeps, input: ImportInput): Promise<AddressImportResult> {
  const { database, registry } = deps;
  const { orgId } = input;
  const { records, errors } = parseCsv(input.text);
  const header = readHeader(records[0], ADDRESS_COLUMNS);
  if (!header.ok) throw importFailed([header.error, ...errors]);
  const rows: AddressImportRow[] = [];
  for (const record of records.slice(1)) {
    const read = readAddressRow(record, header.positions);
    if (isRowError(read)) errors.push(read);
    else rows.push(read);
  }
  const repo = addressRepo(database);

  return runImport(deps, input, errors, (journal) => {
    const limit = deferred(() => assertPlanAllows(database.sqlite, orgId, "addresses", rows.length));
    const at = nowIso();
    /** `${vrf} ${value}` → row, to name the earlier row of a duplicate. */
    const seen = new Map<string, number>();
    let done = 0;
    let created = 0;
    for (const row of rows) {
      const error = place(row);
      if (error) errors.push({ row: row.row, error });
      if (++done % PROGRESS_EVERY === 0) input.onProgress?.(done, rows.length);
    }
    input.onProgress?.(done, rows.length);
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
    return { dry_run: input.dryRun, rows: records.length - 1, created: { addresses: created } };

    /** Records one row; returns why it cannot be, or null. */
    function place(row: AddressImportRow): string | null {
      const text = formatIp(row.ip);
      const subnetId = registry.tree(orgId, row.vrf)?.mostSpecific(row.ip) ?? null;
      if (subnetId === null) return `no subnet in VRF ${row.vrf} contains ${text}; import the subnets first`;
      const state = registry.subnet(orgId, subnetId)!;
      if (!isUsable(state.prefix, row.ip.value)) {
        const which =
          row.ip.value !== state.prefix.network
            ? "the broadcast address"
            : state.prefix.family === 4 ? "the network address" : "the subnet-router anycast address";
        return `${text} is ${which} of ${state.cidr} and cannot be recorded`;
      }
      const key = `${row.vrf} ${row.ip.value}`;
      if (registry.take(journal, state, row.ip.value) !== "ok") {
        const earlier = seen.get(key);
        if (earlier !== undefined) return `${text} is listed twice (first on row ${earlier})`;
        const existing = repo.getByKey(orgId, row.vrf, keyOf(row.ip.family, row.ip.value));
        return `${text} is already in use${existing?.hostname ? ` by ${existing.hostname}` : ""}`;
      }
      seen.set(key, row.row);
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
