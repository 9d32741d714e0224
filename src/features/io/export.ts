/**
 * Exports as lazy sequences of text chunks, one keyset page (EXPORT_PAGE rows) per chunk,
 * so that memory stays flat however many rows an organization has: the HTTP routes wrap
 * them in a ReadableStream (read as the client reads), the CLI writes them to a file.
 * Each page is one Store read (`exportPage`: on PostgreSQL one short transaction of 1,000
 * rows, never a long-held snapshot; on SQLite one indexed range scan), so the same code
 * exports from either backend.
 *
 * Order: subnets by (vrf, family, network, prefix length) — parents before children, the
 * order an import needs; addresses by (vrf, numeric IP). A long export is not a snapshot:
 * rows written while it runs may or may not appear, but no row appears twice and none
 * written before it began is missed unless deleted meanwhile.
 */
import type { AddressRow } from "../addresses/repo";
import type { SubnetSortKey } from "../subnets/repo";
import type { Store, SubnetExportRow } from "../../store/store";
import { ADDRESS_COLUMNS, SUBNET_COLUMNS } from "./columns";
import { csvLine } from "./csv";

export const EXPORT_PAGE = 1000;

/** A piece of an export: its text and how many subnet or address rows it holds (progress). */
export interface ExportChunk {
  text: string;
  rows: number;
}

/** What an export reads through: the Store (organization-scoped reads). */
export type ExportSource = Pick<Store, "read">;

/** Every subnet of an organization, a page at a time, in nesting order. */
async function* subnetPages(store: ExportSource, orgId: string, pageSize: number): AsyncGenerator<SubnetExportRow[]> {
  let after: SubnetSortKey | undefined;
  for (;;) {
    const rows = await store.read({ orgId }, (q) => q.subnets.exportPage(orgId, pageSize, after));
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = [last.vrf, last.family, last.network_key, last.prefix_length];
  }
}

/** Every address record of an organization, a page at a time, in (vrf, IP) order. */
async function* addressPages(store: ExportSource, orgId: string, pageSize: number): AsyncGenerator<AddressRow[]> {
  let after: [string, Uint8Array] | undefined;
  for (;;) {
    const rows = await store.read({ orgId }, (q) => q.addresses.exportPage(orgId, pageSize, after));
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = [last.vrf, last.ip_key];
  }
}

/** subnets.csv: the header, then one chunk per page. */
export async function* subnetsCsv(store: ExportSource, orgId: string, pageSize = EXPORT_PAGE): AsyncGenerator<ExportChunk> {
  yield { text: csvLine(SUBNET_COLUMNS), rows: 0 };
  for await (const page of subnetPages(store, orgId, pageSize)) {
    let chunk = "";
    for (const s of page) chunk += csvLine([s.cidr, s.vrf, s.name, s.description, s.section, s.vlan]);
    yield { text: chunk, rows: page.length };
  }
}

/** addresses.csv: the header, then one chunk per page. */
export async function* addressesCsv(store: ExportSource, orgId: string, pageSize = EXPORT_PAGE): AsyncGenerator<ExportChunk> {
  yield { text: csvLine(ADDRESS_COLUMNS), rows: 0 };
  for await (const page of addressPages(store, orgId, pageSize)) {
    let chunk = "";
    for (const a of page) chunk += csvLine([a.ip, a.vrf, a.hostname, a.status, a.owner, a.mac, a.description]);
    yield { text: chunk, rows: page.length };
  }
}

/**
 * export.json: the whole organization — its name, sections, VRFs, subnets (with their section's
 * name and parent id) and address records. No users, keys, sessions or activity: nothing
 * secret or personal. Streamed like the CSVs; the text is one JSON document.
 */
export async function* organizationJson(store: ExportSource, orgId: string, pageSize = EXPORT_PAGE): AsyncGenerator<ExportChunk> {
  const org = await store.read({ orgId }, (q) => q.organizations.get(orgId));
  const text = (value: string): ExportChunk => ({ text: value, rows: 0 });
  yield text(
    `{"format":"ipcraft-export","version":1,"exported_at":${JSON.stringify(new Date().toISOString())},` +
      `"organization":${JSON.stringify({ id: orgId, name: org?.name ?? "" })},"sections":[`,
  );
  // Sections (bounded by the plan's limit) and VRFs (few), in name order, a page at a time all the same.
  yield* named((after) => store.read({ orgId }, (q) => q.sections.list(orgId, { limit: pageSize, after })));
  yield text(`],"vrfs":[`);
  yield* named((after) => store.read({ orgId }, (q) => q.vrfs.list(orgId, { limit: pageSize, after })));
  yield text(`],"subnets":[`);
  let first = true;
  for await (const page of subnetPages(store, orgId, pageSize)) {
    const items = page.map((s) =>
      JSON.stringify({
        id: s.id,
        cidr: s.cidr,
        vrf: s.vrf,
        name: s.name,
        description: s.description,
        section_id: s.section_id,
        section: s.section,
        vlan: s.vlan,
        parent_id: s.parent_id,
        created_at: s.created_at,
        updated_at: s.updated_at,
      }),
    );
    yield { text: (first ? "" : ",") + items.join(","), rows: page.length };
    first = false;
  }
  yield text(`],"addresses":[`);
  first = true;
  for await (const page of addressPages(store, orgId, pageSize)) {
    const items = page.map((a) =>
      JSON.stringify({
        id: a.id,
        subnet_id: a.subnet_id,
        ip: a.ip,
        vrf: a.vrf,
        hostname: a.hostname,
        status: a.status,
        owner: a.owner,
        mac: a.mac,
        description: a.description,
        created_at: a.created_at,
        updated_at: a.updated_at,
      }),
    );
    yield { text: (first ? "" : ",") + items.join(","), rows: page.length };
    first = false;
  }
  yield text("]}\n");
}

/** The JSON items of a named list (sections, VRFs) read a keyset page at a time, comma-separated across pages. */
async function* named(
  page: (after?: [string, string]) => Promise<{ items: { id: string; name: string; description: string; created_at: string; updated_at: string }[]; last: [string, string] | null }>,
): AsyncGenerator<ExportChunk> {
  let first = true;
  let after: [string, string] | undefined;
  for (;;) {
    const { items, last } = await page(after);
    if (items.length > 0) {
      const json = items.map(({ id, name, description, created_at, updated_at }) => JSON.stringify({ id, name, description, created_at, updated_at }));
      yield { text: (first ? "" : ",") + json.join(","), rows: 0 };
      first = false;
    }
    if (last === null) return;
    after = last;
  }
}

/** A ReadableStream that pulls one chunk of `chunks` each time the client wants more. */
export function streamOf(chunks: AsyncGenerator<ExportChunk>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.text));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    // Ask for the next page only when the previous one has been taken.
    { highWaterMark: 0 },
  );
}
