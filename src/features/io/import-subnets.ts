/**
 * Importing subnets from CSV (columns: SUBNET_COLUMNS). The same rules as POST /subnets —
 * automatic nesting, adoption of existing subnets, records of a parent moving into a new
 * child, duplicates refused per VRF — applied to the whole file in one transaction.
 *
 * Rows are applied sorted by (vrf, family, network, prefix length): a container always comes
 * before what it contains, so inside the file nothing is ever adopted or moved and the cost
 * per row is a tree insert and one INSERT. Sections are named: missing ones are created.
 * One activity entry (`subnet.import`) records the counts, not one per row.
 */
import { assertPlanAllows } from "../../auth/plans";
import { ApiError } from "../../http/errors";
import { formatCidr, isUsable, lastAddress } from "../../ip";
import { keyOf, nowIso, valueOfKey } from "../../ipam/codec";
import { recordActivity } from "../activity/record";
import { addressRepo } from "../addresses/repo";
import { sectionRepo } from "../sections/repo";
import { subnetRepo } from "../subnets/repo";
import { unusableName } from "../subnets/service";
import { parseCsv, type RowError } from "./csv";
import { isRowError, readHeader, readSubnetRow, SUBNET_COLUMNS, type SubnetImportRow } from "./columns";
import { deferred, type ImportDeps, type ImportInput, importFailed, PROGRESS_EVERY, runImport } from "./import-run";

/** What a subnet import did (or, for a dry run, would do). */
export interface SubnetImportResult {
  dry_run: boolean;
  rows: number;
  created: { subnets: number; sections: number };
}

export function importSubnets(deps: ImportDeps, input: ImportInput): Promise<SubnetImportResult> {
  const { database, registry } = deps;
  const { orgId } = input;
  const { records, errors } = parseCsv(input.text);
  const header = readHeader(records[0], SUBNET_COLUMNS);
  if (!header.ok) throw importFailed([header.error, ...errors]);
  const rows: SubnetImportRow[] = [];
  for (const record of records.slice(1)) {
    const read = readSubnetRow(record, header.positions);
    if (isRowError(read)) errors.push(read);
    else rows.push(read);
  }
  rows.sort(nestingOrder);

  const subnets = subnetRepo(database);
  const sections = sectionRepo(database);
  const addresses = addressRepo(database);

  return runImport(deps, input.dryRun, errors, (journal) => {
    const at = nowIso();
    // Sections by lowercased name: existing ones, then the ones this file introduces.
    const sectionIds = new Map<string, string>();
    const newSections: string[] = [];
    for (const row of rows) {
      if (row.section === null) continue;
      const key = row.section.toLowerCase();
      if (sectionIds.has(key)) continue;
      const existing = sections.findByName(orgId, key);
      if (existing) sectionIds.set(key, existing.id);
      else {
        const id = crypto.randomUUID();
        sectionIds.set(key, id);
        newSections.push(row.section);
        sections.insert(orgId, { id, name: row.section, description: "", at });
      }
    }
    // Plan limits are checked before the rows but raised after them (bad rows come first).
    const limit =
      deferred(() => assertPlanAllows(database.sqlite, orgId, "sections", newSections.length)) ??
      deferred(() => assertPlanAllows(database.sqlite, orgId, "subnets", rows.length));

    const createdAtRow = new Map<string, number>();
    let done = 0;
    for (const row of rows) {
      try {
        const id = crypto.randomUUID();
        const tree = registry.tree(orgId, row.vrf);
        const parentId = tree?.parentOf(row.prefix) ?? null;
        const first = keyOf(row.prefix.family, row.prefix.network);
        const last = keyOf(row.prefix.family, lastAddress(row.prefix));
        // Records of an existing parent inside the new block move into it (never the case
        // for a parent made by this file: its records are not imported yet).
        const moving = parentId === null || createdAtRow.has(parentId) ? [] : addresses.keysInRange(parentId, first, last);
        const onBoundary = moving.filter((r) => !isUsable(row.prefix, valueOfKey(r.ip_key, row.prefix.family)));
        if (onBoundary.length > 0) {
          throw new ApiError(
            "address_on_boundary",
            `${onBoundary.map((r) => r.ip).join(", ")} would become ${unusableName(row.prefix)} of ${formatCidr(row.prefix)}`,
          );
        }
        const added = registry.addSubnet(journal, {
          id,
          orgId,
          vrf: row.vrf,
          prefix: row.prefix,
          moved: moving.map((r) => valueOfKey(r.ip_key, row.prefix.family)),
        });
        if (!added.ok) {
          const earlier = createdAtRow.get(added.existing.id);
          throw new ApiError(
            "subnet_overlap",
            earlier !== undefined
              ? `duplicate of row ${earlier} (${row.cidr} in VRF ${row.vrf})`
              : `Subnet overlaps with existing subnet ${added.existing.cidr} (VRF ${row.vrf})`,
          );
        }
        createdAtRow.set(id, row.row);
        subnets.insert(orgId, {
          id,
          sectionId: row.section === null ? null : sectionIds.get(row.section.toLowerCase())!,
          parentId: added.parentId,
          vrf: row.vrf,
          family: row.prefix.family,
          networkKey: first,
          prefixLength: row.prefix.length,
          cidr: row.cidr,
          name: row.name,
          description: row.description,
          vlan: row.vlan,
          at,
        });
        for (const childId of added.adopted) subnets.setParent(orgId, childId, id);
        if (parentId !== null && moving.length > 0) addresses.moveRange(id, parentId, first, last);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        errors.push({ row: row.row, error: error.message } satisfies RowError);
      }
      if (++done % PROGRESS_EVERY === 0) input.onProgress?.(done, rows.length);
    }
    input.onProgress?.(done, rows.length);
    if (errors.length === 0 && limit) throw limit;

    const result: SubnetImportResult = {
      dry_run: input.dryRun,
      rows: records.length - 1,
      created: { subnets: rows.length, sections: newSections.length },
    };
    if (rows.length > 0 && !input.dryRun) {
      recordActivity(database, {
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

/** (vrf, family, network, prefix length): containers before their contents. */
function nestingOrder(a: SubnetImportRow, b: SubnetImportRow): number {
  if (a.vrf !== b.vrf) return a.vrf < b.vrf ? -1 : 1;
  if (a.prefix.family !== b.prefix.family) return a.prefix.family - b.prefix.family;
  if (a.prefix.network !== b.prefix.network) return a.prefix.network < b.prefix.network ? -1 : 1;
  return a.prefix.length - b.prefix.length;
}
