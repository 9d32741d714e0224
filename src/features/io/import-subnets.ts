/**
 * Importing subnets from CSV (columns: SUBNET_COLUMNS). Each row is placed by the very code
 * of POST /subnets (subnets/placement.ts) — automatic nesting, adoption of existing subnets,
 * records of the parent moving into the new child and the network/broadcast refusal, duplicates
 * refused per VRF — and the whole file is one transaction.
 *
 * Rows are applied sorted by (vrf, family, network, prefix length): a container always comes
 * before what it contains, so rows of the file never adopt each other; records still move down
 * row by row (an existing /8's record goes to the file's /16, then on to the file's /24).
 * Sections are named: missing ones are created. VRFs must exist: a row naming an unknown one is
 * a row error with "did you mean …?" (features/vrfs/check.ts `vrfProblem`).
 * One activity entry (`subnet.import`) records the counts, not one per row.
 */
import { checkPlanAllows } from "../../auth/plans";
import { ApiError } from "../../http/errors";
import { nowIso } from "../../ipam/codec";
import { placeSubnet } from "../subnets/placement";
import { vrfProblem } from "../vrfs/check";
import type { RowError } from "./csv";
import { isRowError, readSubnetRow, SUBNET_COLUMNS, type SubnetImportRow } from "./columns";
import { COLLECT_EVERY, deferred, type ImportDeps, importStore, type ImportInput, openCsv, PROGRESS_EVERY, runImport } from "./import-run";

/** What a subnet import did (or, for a dry run, would do). */
export interface SubnetImportResult {
  dry_run: boolean;
  rows: number;
  created: { subnets: number; sections: number };
}

export function importSubnets(deps: ImportDeps, input: ImportInput): Promise<SubnetImportResult> {
  const { orgId } = input;
  const store = importStore(deps);
  const memory = store.ipam.memory;
  const file = openCsv(input.csv, SUBNET_COLUMNS);
  const { errors } = file;
  // Unlike addresses, subnets are placed in nesting order, so the checked rows are kept (as
  // typed values; the file's text is read a piece at a time and not kept).
  const rows: SubnetImportRow[] = [];
  let records = 0;
  let done = 0;
  for (const item of file.items) {
    if (++done % COLLECT_EVERY === 0) Bun.gc(false);
    if ("error" in item) {
      errors.push(item);
      continue;
    }
    records++;
    const read = readSubnetRow(item, file.positions);
    if (isRowError(read)) errors.push(read);
    else rows.push(read);
  }
  rows.sort(nestingOrder);

  return runImport(store, input, errors, async (q, journal) => {
    const at = nowIso();
    // Sections by lowercased name: existing ones, then the ones this file introduces.
    const sectionIds = new Map<string, string>();
    const newSections: { id: string; name: string }[] = [];
    for (const row of rows) {
      if (row.section === null) continue;
      const key = row.section.toLowerCase();
      if (sectionIds.has(key)) continue;
      const existing = await q.sections.byNameKey(orgId, key);
      const id = existing?.id ?? crypto.randomUUID();
      sectionIds.set(key, id);
      if (!existing) newSections.push({ id, name: row.section });
    }
    // Plan limits are checked before anything is written (the sections counted once: they
    // are not inserted yet) but raised after the rows (bad rows come first).
    const limit =
      (await deferred(() => checkPlanAllows(q, orgId, "sections", newSections.length))) ??
      (await deferred(() => checkPlanAllows(q, orgId, "subnets", rows.length)));
    for (const section of newSections) await q.sections.insert(orgId, { ...section, description: "", at });

    const createdAtRow = new Map<string, number>();
    const vrfProblems = new Map<string, string | null>();
    let done = 0;
    for (const row of rows) {
      if (!vrfProblems.has(row.vrf)) vrfProblems.set(row.vrf, await vrfProblem(q, orgId, row.vrf));
      const problem = vrfProblems.get(row.vrf);
      if (problem) {
        errors.push({ row: row.row, error: problem } satisfies RowError);
        continue;
      }
      try {
        const id = crypto.randomUUID();
        await placeSubnet(q, memory, journal, {
          id,
          orgId,
          vrf: row.vrf,
          prefix: row.prefix,
          sectionId: row.section === null ? null : sectionIds.get(row.section.toLowerCase())!,
          name: row.name,
          description: row.description,
          vlan: row.vlan,
          at,
        });
        createdAtRow.set(id, row.row);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        errors.push({ row: row.row, error: rowError(error, row, createdAtRow) } satisfies RowError);
      }
      if (++done % PROGRESS_EVERY === 0) input.onProgress?.(done, rows.length);
    }
    input.onProgress?.(done, rows.length);
    if (errors.length === 0 && limit) throw limit;

    const result: SubnetImportResult = {
      dry_run: input.dryRun,
      rows: records,
      created: { subnets: rows.length, sections: newSections.length },
    };
    if (rows.length > 0 && !input.dryRun) {
      await q.activity.record({
        orgId,
        actor: input.actor,
        action: "subnet.import",
        target: { type: "organization", id: orgId, label: "subnets CSV" },
        at,
        changes: {
          subnets_created: [0, rows.length],
          ...(newSections.length ? { sections_created: [0, newSections.length] } : {}),
        },
      });
    }
    return result;
  });
}

/** A placement refusal as a row error; a duplicate of an earlier row names that row. */
function rowError(error: ApiError, row: SubnetImportRow, createdAtRow: Map<string, number>): string {
  if (error.code !== "subnet_overlap") return error.message;
  const existingId = (error.details as { existing_id?: string } | undefined)?.existing_id;
  const earlier = existingId === undefined ? undefined : createdAtRow.get(existingId);
  return earlier !== undefined ? `duplicate of row ${earlier} (${row.cidr} in VRF ${row.vrf})` : `${error.message} (VRF ${row.vrf})`;
}

/** (vrf, family, network, prefix length): containers before their contents. */
function nestingOrder(a: SubnetImportRow, b: SubnetImportRow): number {
  if (a.vrf !== b.vrf) return a.vrf < b.vrf ? -1 : 1;
  if (a.prefix.family !== b.prefix.family) return a.prefix.family - b.prefix.family;
  if (a.prefix.network !== b.prefix.network) return a.prefix.network < b.prefix.network ? -1 : 1;
  return a.prefix.length - b.prefix.length;
}
