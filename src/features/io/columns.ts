/**
 * The CSV columns of exports and imports (README "CSV columns"), and the reading of one
 * import row into typed values with the same rules as the JSON API (text fields refuse
 * control characters, MACs normalised, VRF names, VLAN 1–4094, strict IP parsing, no
 * IPv4-mapped IPv6 space).
 */
import { z } from "zod";
import { lineText, multilineText } from "../../http/text";
import { formatCidr, ipv4MappedError, ipv4MappedPrefixError, parseCidr, parseIp, type Ip, type Prefix } from "../../ip";
import { Mac, normaliseMac, Status } from "../addresses/model";
import type { AddressFields } from "../addresses/writer";
import { VrfName } from "../subnets/model";
import { type CsvRecord, type RowError, unprotectCell } from "./csv";

export const SUBNET_COLUMNS = ["cidr", "vrf", "name", "description", "section", "vlan"] as const;
export const ADDRESS_COLUMNS = ["ip", "vrf", "hostname", "status", "owner", "mac", "description"] as const;

type Column<T extends readonly string[]> = T[number];

/**
 * Maps the header (row 1) to column positions. Columns may come in any order and in any
 * case; the first one (cidr / ip) is required, the others default when absent.
 */
export function readHeader<T extends readonly string[]>(
  header: CsvRecord | undefined,
  columns: T,
): { ok: true; positions: Map<Column<T>, number> } | { ok: false; error: RowError } {
  const expected = columns.join(",");
  if (!header) return { ok: false, error: { row: 1, error: `the file is empty; its first row must be the header ${expected}` } };
  const positions = new Map<Column<T>, number>();
  for (const [index, raw] of header.cells.entries()) {
    const name = raw.trim().toLowerCase();
    if (!(columns as readonly string[]).includes(name)) {
      return { ok: false, error: { row: header.row, error: `unknown column "${raw}" in the header; the columns are ${expected}` } };
    }
    if (positions.has(name)) return { ok: false, error: { row: header.row, error: `column "${name}" appears twice in the header` } };
    positions.set(name, index);
  }
  if (!positions.has(columns[0]!)) {
    return { ok: false, error: { row: header.row, error: `the header has no "${columns[0]}" column; the columns are ${expected}` } };
  }
  return { ok: true, positions };
}

/** The unprotected value of `column` in a record ("" when the column or cell is absent). */
function cellOf<T extends readonly string[]>(record: CsvRecord, positions: Map<Column<T>, number>, column: Column<T>): string {
  const at = positions.get(column);
  return at === undefined ? "" : unprotectCell(record.cells[at] ?? "");
}

function tooManyCells(record: CsvRecord, positions: Map<string, number>): string | null {
  return record.cells.length > positions.size
    ? `${record.cells.length} cells but the header names ${positions.size} columns (a comma inside an unquoted cell?)`
    : null;
}

/** One sentence for every zod issue of a row, naming the columns. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `column "${issue.path.join(".")}": ${issue.message}`).join("; ");
}

const SubnetFields = z.object({
  vrf: VrfName,
  name: lineText(200),
  description: multilineText(2000),
  section: lineText(100),
  vlan: z.string().regex(/^(|[1-9][0-9]{0,3})$/, "must be empty or a whole number 1–4094").refine((v) => v === "" || Number(v) <= 4094, "must be empty or a whole number 1–4094"),
});

/** A valid subnet row. */
export interface SubnetImportRow {
  row: number;
  prefix: Prefix;
  cidr: string;
  vrf: string;
  name: string;
  description: string;
  /** section name, or null for none */
  section: string | null;
  vlan: number | null;
}

export function readSubnetRow(record: CsvRecord, positions: Map<Column<typeof SUBNET_COLUMNS>, number>): SubnetImportRow | RowError {
  const extra = tooManyCells(record, positions);
  if (extra) return { row: record.row, error: extra };
  const cell = (c: Column<typeof SUBNET_COLUMNS>) => cellOf(record, positions, c);
  const problems: string[] = [];
  const cidrText = cell("cidr").trim();
  const parsed = cidrText === "" ? null : parseCidr(cidrText);
  // The same refusals as POST /subnets: strict parsing, then no IPv4-mapped IPv6 space.
  const refused = parsed === null || !parsed.ok ? null : ipv4MappedPrefixError(parsed.value);
  if (parsed === null) problems.push('column "cidr": must not be empty');
  else if (!parsed.ok) problems.push(`column "cidr": ${parsed.error.message}`);
  else if (refused) problems.push(`column "cidr": ${refused.message}`);
  const vrf = cell("vrf").trim();
  const fields = SubnetFields.safeParse({
    vrf: vrf === "" ? "default" : vrf,
    name: cell("name"),
    description: cell("description"),
    section: cell("section"),
    vlan: cell("vlan").trim(),
  });
  if (!fields.success) problems.push(describeIssues(fields.error));
  if (problems.length > 0 || !parsed?.ok || !fields.success) return { row: record.row, error: problems.join("; ") };
  const f = fields.data;
  return {
    row: record.row,
    prefix: parsed.value,
    cidr: formatCidr(parsed.value),
    vrf: f.vrf,
    name: f.name,
    description: f.description,
    section: f.section === "" ? null : f.section,
    vlan: f.vlan === "" ? null : Number(f.vlan),
  };
}

const AddressFieldsSchema = z.object({
  vrf: VrfName,
  hostname: lineText(253),
  status: Status,
  owner: lineText(200),
  mac: Mac.nullable(),
  description: multilineText(2000),
});

/** A valid address row. */
export interface AddressImportRow {
  row: number;
  ip: Ip;
  vrf: string;
  fields: AddressFields;
}

export function readAddressRow(record: CsvRecord, positions: Map<Column<typeof ADDRESS_COLUMNS>, number>): AddressImportRow | RowError {
  const extra = tooManyCells(record, positions);
  if (extra) return { row: record.row, error: extra };
  const cell = (c: Column<typeof ADDRESS_COLUMNS>) => cellOf(record, positions, c);
  const problems: string[] = [];
  const ipText = cell("ip").trim();
  const parsed = ipText === "" ? null : parseIp(ipText);
  // The same refusals as the address routes: strict parsing, then no IPv4-mapped address
  // (it shares its storage key with the IPv4 address it maps).
  const refused = parsed === null || !parsed.ok ? null : ipv4MappedError(parsed.value);
  if (parsed === null) problems.push('column "ip": must not be empty');
  else if (!parsed.ok) problems.push(`column "ip": ${parsed.error.message}`);
  else if (refused) problems.push(`column "ip": ${refused.message}`);
  const vrf = cell("vrf").trim();
  const status = cell("status").trim();
  const mac = cell("mac").trim();
  const fields = AddressFieldsSchema.safeParse({
    vrf: vrf === "" ? "default" : vrf,
    hostname: cell("hostname"),
    status: status === "" ? "assigned" : status,
    owner: cell("owner"),
    mac: mac === "" ? null : mac,
    description: cell("description"),
  });
  if (!fields.success) problems.push(describeIssues(fields.error));
  if (problems.length > 0 || !parsed?.ok || !fields.success) return { row: record.row, error: problems.join("; ") };
  const f = fields.data;
  return {
    row: record.row,
    ip: parsed.value,
    vrf: f.vrf,
    fields: { hostname: f.hostname, status: f.status, owner: f.owner, mac: f.mac === null ? null : normaliseMac(f.mac), description: f.description },
  };
}

/** Type guard: a row that could not be read. */
export function isRowError(value: object): value is RowError {
  return "error" in value;
}
