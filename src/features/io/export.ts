/**
 * Exports as lazy sequences of text chunks, one keyset page (EXPORT_PAGE rows) per chunk,
 * so that memory stays flat however many rows an organization has: the HTTP routes wrap
 * them in a ReadableStream (read as the client reads), the CLI writes them to a file.
 *
 * Order: subnets by (vrf, family, network, prefix length) — parents before children, the
 * order an import needs; addresses by (vrf, numeric IP). Each page is one indexed range
 * scan after the last row's key. A long export is not a snapshot: rows written while it
 * runs may or may not appear, but no row appears twice and none written before it began
 * is missed unless deleted meanwhile.
 */
import type { Database } from "bun:sqlite";
import { ADDRESS_COLUMNS, SUBNET_COLUMNS } from "./columns";
import { csvLine } from "./csv";

export const EXPORT_PAGE = 1000;

/** A piece of an export: its text and how many subnet or address rows it holds (progress). */
export interface ExportChunk {
  text: string;
  rows: number;
}

interface SubnetExportRow {
  id: string;
  cidr: string;
  vrf: string;
  family: number;
  network_key: Uint8Array;
  prefix_length: number;
  name: string;
  description: string;
  section_id: string | null;
  section: string | null;
  vlan: number | null;
  parent_id: string | null;
  created_at: string;
  updated_at: string;
}

interface AddressExportRow {
  id: string;
  subnet_id: string;
  ip: string;
  vrf: string;
  ip_key: Uint8Array;
  hostname: string;
  status: string;
  owner: string;
  mac: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

interface SectionExportRow {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

/** Every subnet of an organization, a page at a time, in nesting order. */
function* subnetPages(sqlite: Database, orgId: string, pageSize: number): Generator<SubnetExportRow[]> {
  const select = `SELECT n.id, n.cidr, n.vrf, n.family, n.network_key, n.prefix_length, n.name, n.description,
      n.section_id, s.name AS section, n.vlan, n.parent_id, n.created_at, n.updated_at
    FROM subnets n LEFT JOIN sections s ON s.id = n.section_id WHERE n.org_id = ?`;
  const order = "ORDER BY n.vrf, n.family, n.network_key, n.prefix_length LIMIT ?";
  const firstPage = sqlite.query<SubnetExportRow, [string, number]>(`${select} ${order}`);
  const nextPage = sqlite.query<SubnetExportRow, [string, string, number, Uint8Array, number, number]>(
    `${select} AND (n.vrf, n.family, n.network_key, n.prefix_length) > (?, ?, ?, ?) ${order}`,
  );
  let rows = firstPage.all(orgId, pageSize);
  while (rows.length > 0) {
    yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    rows = nextPage.all(orgId, last.vrf, last.family, last.network_key, last.prefix_length, pageSize);
  }
}

/** Every address record of an organization, a page at a time, in (vrf, IP) order. */
function* addressPages(sqlite: Database, orgId: string, pageSize: number): Generator<AddressExportRow[]> {
  const select = `SELECT id, subnet_id, ip, vrf, ip_key, hostname, status, owner, mac, description, created_at, updated_at
    FROM addresses WHERE org_id = ?`;
  const firstPage = sqlite.query<AddressExportRow, [string, number]>(`${select} ORDER BY vrf, ip_key LIMIT ?`);
  const nextPage = sqlite.query<AddressExportRow, [string, string, Uint8Array, number]>(
    `${select} AND (vrf, ip_key) > (?, ?) ORDER BY vrf, ip_key LIMIT ?`,
  );
  let rows = firstPage.all(orgId, pageSize);
  while (rows.length > 0) {
    yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    rows = nextPage.all(orgId, last.vrf, last.ip_key, pageSize);
  }
}

/** subnets.csv: the header, then one chunk per page. */
export function* subnetsCsv(sqlite: Database, orgId: string, pageSize = EXPORT_PAGE): Generator<ExportChunk> {
  yield { text: csvLine(SUBNET_COLUMNS), rows: 0 };
  for (const page of subnetPages(sqlite, orgId, pageSize)) {
    let chunk = "";
    for (const s of page) chunk += csvLine([s.cidr, s.vrf, s.name, s.description, s.section, s.vlan]);
    yield { text: chunk, rows: page.length };
  }
}

/** addresses.csv: the header, then one chunk per page. */
export function* addressesCsv(sqlite: Database, orgId: string, pageSize = EXPORT_PAGE): Generator<ExportChunk> {
  yield { text: csvLine(ADDRESS_COLUMNS), rows: 0 };
  for (const page of addressPages(sqlite, orgId, pageSize)) {
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
export function* organizationJson(sqlite: Database, orgId: string, pageSize = EXPORT_PAGE): Generator<ExportChunk> {
  const org = sqlite.query<{ id: string; name: string }, [string]>("SELECT id, name FROM organizations WHERE id = ?").get(orgId);
  const text = (value: string): ExportChunk => ({ text: value, rows: 0 });
  yield text(
    `{"format":"ipcraft-export","version":1,"exported_at":${JSON.stringify(new Date().toISOString())},` +
      `"organization":${JSON.stringify({ id: orgId, name: org?.name ?? "" })},"sections":[`,
  );
  const sections = sqlite
    .query<SectionExportRow, [string]>(
      "SELECT id, name, description, created_at, updated_at FROM sections WHERE org_id = ? ORDER BY name_key, id",
    )
    .all(orgId); // bounded by the plan's section limit; small
  yield text(sections.map((s) => JSON.stringify(s)).join(","));
  const vrfs = sqlite
    .query<SectionExportRow, [string]>("SELECT id, name, description, created_at, updated_at FROM vrfs WHERE org_id = ? ORDER BY name, id")
    .all(orgId); // few per organization
  yield text(`],"vrfs":[${vrfs.map((v) => JSON.stringify(v)).join(",")}`);
  yield text(`],"subnets":[`);
  let first = true;
  for (const page of subnetPages(sqlite, orgId, pageSize)) {
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
  for (const page of addressPages(sqlite, orgId, pageSize)) {
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

/** A ReadableStream that pulls one chunk of `chunks` each time the client wants more. */
export function streamOf(chunks: Generator<ExportChunk>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.text));
      },
      cancel() {
        chunks.return(undefined);
      },
    },
    // Ask for the next page only when the previous one has been taken.
    { highWaterMark: 0 },
  );
}
