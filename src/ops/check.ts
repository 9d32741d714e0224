/**
 * `ipcraft check`: proves that a database is sound, independently of the code that wrote it.
 *
 * Everything is recomputed from the rows, in one read transaction (a consistent snapshot, so
 * it is safe beside a running server: a WAL reader neither blocks nor is blocked by the writer).
 * This file reads SQLite; check-any.ts runs the same row checks (`checkRows`,
 * `checkUtilization`) on rows read from PostgreSQL, with the same output:
 * - SQLite: `integrity_check` and `foreign_key_check` (PostgreSQL: row-level security forced
 *   on every tenant table; it enforces foreign keys itself);
 * - subnets: canonical `cidr` text matching (network_key, prefix_length), no host bits, no
 *   duplicate per (org, vrf), not IPv4-mapped IPv6 space, and `parent_id` = the smallest
 *   container, recomputed with a fresh SubnetTree (the same nesting rule, none of the server's state);
 * - addresses: `ip` text = canonical form of `ip_key`, same org and vrf as the subnet, stored
 *   in the most specific subnet containing it, usable there (not network/broadcast), not an
 *   IPv4-mapped IPv6 address, no duplicate;
 * - utilization: the allocators the server would build at boot (IpamRegistry.load) agree with
 *   plain counting (usable records outside children + usable addresses covered by children).
 * A problem is one line of text with a `kind`; the CLI prints them capped, with a total.
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import type { OpenDatabase } from "../db/client";
import { familyBits, formatCidr, formatIp, ipv4MappedError, ipv4MappedPrefixError, isUsable, lastAddress, makePrefix, usableRange, type Family, type Prefix } from "../ip";
import { SubnetTree } from "../ip";
import { IpamRegistry } from "../ipam/registry";
import { OpsError } from "./backup";

export type ProblemKind = "sqlite" | "postgres" | "foreign_key" | "subnet" | "hierarchy" | "address" | "duplicate" | "utilization" | "number";

export interface Problem {
  kind: ProblemKind;
  message: string;
}

export interface CheckReport {
  backend: "sqlite" | "postgres";
  problems: Problem[];
  counts: { organizations: number; subnets: number; addresses: number };
}

export interface SubnetRow {
  id: string;
  org_id: string;
  section_id: string | null;
  section_org: string | null;
  parent_id: string | null;
  vrf: string;
  family: number;
  network_key: Uint8Array;
  prefix_length: number;
  cidr: string;
}

export interface AddressRow {
  id: string;
  org_id: string;
  subnet_id: string;
  vrf: string;
  ip: string;
  ip_key: Uint8Array;
}

export interface KnownSubnet {
  row: SubnetRow;
  prefix: Prefix;
  /** values of its usable address records, ascending */
  records: bigint[];
  /** every decodable address key stored in it (what a loader would read), in row order */
  keys: bigint[];
}

const V4_MAPPED = 0xffffn;

/** Decodes a 16-byte key as an address of `family`; null when the bytes cannot be one. */
function decodeKey(key: Uint8Array, family: Family): bigint | null {
  if (!(key instanceof Uint8Array) || key.length !== 16) return null;
  const view = new DataView(key.buffer, key.byteOffset, 16);
  const wide = (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
  if (family === 6) return wide;
  return wide >> 32n === V4_MAPPED ? wide & 0xffff_ffffn : null;
}

/** Runs every check on the database file at `path` through its own read-only connection. */
export function checkDatabaseFile(path: string): CheckReport {
  if (!existsSync(path)) throw new OpsError(`no database at ${path}`);
  let sqlite: Database;
  try {
    sqlite = new Database(path, { readonly: true });
  } catch (error) {
    throw new OpsError(`cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    sqlite.run("PRAGMA busy_timeout = 5000");
    const known = sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('subnets', 'addresses', 'organizations')").all();
    if (known.length !== 3) throw new OpsError(`${path} is not an ipcraft database`);
    return checkDatabase(sqlite);
  } finally {
    sqlite.close();
  }
}

/** Runs every check on an open connection (read-only use), inside one read transaction. */
export function checkDatabase(sqlite: Database): CheckReport {
  const problems: Problem[] = [];
  const report = (kind: ProblemKind, message: string) => problems.push({ kind, message });
  const counts = { organizations: 0, subnets: 0, addresses: 0 };
  sqlite.run("BEGIN");
  try {
    checkSqlite(sqlite, report);
    counts.organizations = (sqlite.query("SELECT COUNT(*) AS n FROM organizations").get() as { n: number }).n;
    const subnetRows = sqlite.query(SUBNET_ROWS_SQL).all() as SubnetRow[];
    const addressRows = sqlite.query("SELECT id, org_id, subnet_id, vrf, ip, ip_key FROM addresses ORDER BY subnet_id, ip_key").iterate() as IterableIterator<AddressRow>;
    const found = checkRows(subnetRows, addressRows, report);
    counts.subnets = found.subnets;
    counts.addresses = found.addresses;
    checkNumbers(sqlite.query(numberStatsSql("")).all() as NumberStat[], sqlite.query("SELECT org_id, kind, next FROM number_counters").all() as NumberCounter[], report);
    checkUtilization(found.known, found.trees, report, () => {
      const registry = IpamRegistry.load({ sqlite } as OpenDatabase);
      return (orgId, subnetId) => registry.subnet(orgId, subnetId)?.allocator.counts().used;
    });
  } catch (error) {
    // A damaged file can fail any read; that is a finding, not a crash of the checker.
    const code = (error as { code?: string })?.code;
    if (code !== "SQLITE_CORRUPT" && code !== "SQLITE_NOTADB") throw error;
    report("sqlite", `SQLite cannot read the database: ${(error as Error).message}`);
  } finally {
    // Only reads happened; SQLite may already have ended the transaction after a corrupt read.
    if (sqlite.inTransaction) sqlite.run("ROLLBACK");
  }
  return { backend: "sqlite", problems, counts };
}

/** Per organization and kind: rows without a number, and the highest number (the integer ids of issue 14). */
export interface NumberStat {
  org_id: string;
  kind: string;
  missing: number | string;
  top: number | string | null;
}

export interface NumberCounter {
  org_id: string;
  kind: string;
  next: number | string;
}

/** Standard SQL for both dialects; `where` narrows to one organization on PostgreSQL (row-level security). */
export function numberStatsSql(where: string): string {
  return ["section:sections", "subnet:subnets", "address:addresses"]
    .map((pair) => {
      const [kind, table] = pair.split(":");
      return `SELECT org_id, '${kind}' AS kind, SUM(CASE WHEN number IS NULL THEN 1 ELSE 0 END) AS missing, MAX(number) AS top FROM ${table} ${where} GROUP BY org_id`;
    })
    .join(" UNION ALL ");
}

/**
 * Every section, subnet and address has its number, and each counter is past the highest one
 * handed out: a row without one, or a counter behind, means a row written past the numbering
 * insert path (or a section trigger lost to a SQLite table rebuild) or a hand edit.
 */
export function checkNumbers(stats: NumberStat[], counters: NumberCounter[], report: Report): void {
  const next = new Map(counters.map((c) => [`${c.org_id}\u0000${c.kind}`, Number(c.next)]));
  for (const s of stats) {
    const missing = Number(s.missing);
    if (missing > 0) report("number", `${missing} ${s.kind} row(s) of organization ${s.org_id} have no number (written by hand, or without the insert path that numbers them)`);
    if (s.top === null) continue;
    const counter = next.get(`${s.org_id}\u0000${s.kind}`);
    if (counter === undefined || counter <= Number(s.top)) {
      report("number", `organization ${s.org_id}: the next ${s.kind} number is ${counter ?? "unset"}, but ${s.top} is already taken`);
    }
  }
}

/** Subnet rows with their section's organization, containers before what they contain. */
const SUBNET_ROWS_SQL = `SELECT s.id, s.org_id, s.section_id, sec.org_id AS section_org, s.parent_id, s.vrf, s.family, s.network_key,
              s.prefix_length, s.cidr
         FROM subnets s LEFT JOIN sections sec ON sec.id = s.section_id
        ORDER BY s.org_id, s.vrf, s.family, s.network_key, s.prefix_length`;

/** What the row checks learnt: the well-formed subnets and their trees, for the utilization check. */
export interface CheckedRows {
  known: Map<string, KnownSubnet>;
  trees: Trees;
  subnets: number;
  addresses: number;
}

/**
 * The checks on the rows themselves, whatever database they came from: subnets (sorted as
 * SUBNET_ROWS_SQL sorts them) and addresses (any order; by subnet and key reads fastest).
 */
export function checkRows(subnetRows: SubnetRow[], addressRows: Iterable<AddressRow>, report: Report): CheckedRows {
  const { subnets: known, trees } = checkSubnets(subnetRows, report);
  const addresses = checkAddresses(addressRows, known, trees, report);
  return { known, trees, subnets: known.size, addresses };
}

export type Report = (kind: ProblemKind, message: string) => void;

function checkSqlite(sqlite: Database, report: Report): void {
  const integrity = sqlite.query("PRAGMA integrity_check(100)").all() as { integrity_check: string }[];
  for (const row of integrity) if (row.integrity_check !== "ok") report("sqlite", `SQLite integrity: ${row.integrity_check}`);
  const fks = sqlite.query("PRAGMA foreign_key_check").all() as { table: string; rowid: number | null; parent: string; fkid: number }[];
  for (const fk of fks) {
    const id = fk.rowid === null ? undefined : (sqlite.query(`SELECT id FROM "${fk.table}" WHERE rowid = ?`).get(fk.rowid) as { id?: string } | null)?.id;
    report("foreign_key", `${fk.table} ${id ?? `rowid ${fk.rowid}`} refers to a missing row of ${fk.parent}`);
  }
}

export type Trees = Map<string, SubnetTree<string>>;

/** Validates every subnet row and its parent; returns the well-formed ones by id and their trees. */
function checkSubnets(rows: SubnetRow[], report: Report): { subnets: Map<string, KnownSubnet>; trees: Trees } {
  const known = new Map<string, KnownSubnet>();
  const trees = new Map<string, SubnetTree<string>>();
  for (const row of rows) {
    const label = `subnet ${row.id} (${row.cidr})`;
    if (row.family !== 4 && row.family !== 6) {
      report("subnet", `${label}: family ${row.family} is neither 4 nor 6`);
      continue;
    }
    const family = row.family as Family;
    const network = decodeKey(row.network_key, family);
    if (network === null) {
      report("subnet", `${label}: network_key is not a 16-byte IPv${family} key`);
      continue;
    }
    if (!Number.isInteger(row.prefix_length) || row.prefix_length < 0 || row.prefix_length > familyBits(family)) {
      report("subnet", `${label}: prefix length ${row.prefix_length} is out of range for IPv${family}`);
      continue;
    }
    const prefix = makePrefix(family, network, row.prefix_length);
    if (prefix.network !== network) report("subnet", `${label}: network_key has host bits set (should be ${formatCidr(prefix)})`);
    if (row.cidr !== formatCidr(prefix)) report("subnet", `${label}: stored cidr text is not the canonical ${formatCidr(prefix)}`);
    // The API and imports refuse it (it shares keys with IPv4); kept in the tree so that its
    // records are judged too.
    const mapped = ipv4MappedPrefixError(prefix);
    if (mapped) report("subnet", `${label}: ${mapped.message}`);
    if (row.section_id !== null && row.section_org !== null && row.section_org !== row.org_id) {
      report("subnet", `${label}: filed in section ${row.section_id} of another organization`);
    }
    const treeKey = `${row.org_id}\u0000${row.vrf}`;
    let tree = trees.get(treeKey);
    if (!tree) trees.set(treeKey, (tree = new SubnetTree<string>()));
    const inserted = tree.insert(row.id, prefix);
    if (!inserted.ok) {
      report("duplicate", `${label}: duplicates subnet ${inserted.existing} in VRF "${row.vrf}"`);
      continue;
    }
    known.set(row.id, { row, prefix, records: [], keys: [] });
  }
  // Parents recomputed from the finished trees: rows were inserted container-first, but the
  // comparison waits until every subnet is in (a tree answers for the whole set).
  for (const { row } of known.values()) {
    const expected = trees.get(`${row.org_id}\u0000${row.vrf}`)!.parentIdOf(row.id) ?? null;
    if (row.parent_id !== expected) {
      const want = expected === null ? "none (a top-level subnet)" : `${expected} (${known.get(expected)!.row.cidr})`;
      report("hierarchy", `subnet ${row.id} (${row.cidr}): parent_id is ${row.parent_id ?? "null"}, but its smallest container is ${want}`);
    }
  }
  return { subnets: known, trees };
}

/** Validates every address row; fills `records` of the subnets; returns the row count. */
function checkAddresses(rows: Iterable<AddressRow>, subnets: Map<string, KnownSubnet>, trees: Trees, report: Report): number {
  const seen = new Set<string>();
  let count = 0;
  for (const row of rows) {
    count++;
    const label = `address ${row.id} (${row.ip})`;
    const subnet = subnets.get(row.subnet_id);
    if (!subnet) {
      report("address", `${label}: its subnet ${row.subnet_id} is missing or unreadable`);
      continue;
    }
    const { prefix } = subnet;
    const keyValue = decodeKey(row.ip_key, prefix.family);
    if (keyValue !== null) subnet.keys.push(keyValue);
    if (row.org_id !== subnet.row.org_id) report("address", `${label}: belongs to another organization than its subnet ${subnet.row.cidr}`);
    if (row.vrf !== subnet.row.vrf) report("address", `${label}: VRF "${row.vrf}" differs from its subnet's "${subnet.row.vrf}"`);
    const value = decodeKey(row.ip_key, prefix.family);
    if (value === null) {
      report("address", `${label}: ip_key is not a 16-byte IPv${prefix.family} key`);
      continue;
    }
    const canonical = formatIp({ family: prefix.family, value });
    if (row.ip !== canonical) report("address", `${label}: stored ip text is not the canonical ${canonical} of its key`);
    // Its key is the IPv4 address's key: it blocks that address wherever IPv4 records it.
    const mapped = ipv4MappedError({ family: prefix.family, value });
    if (mapped) report("address", `${label}: ${mapped.message}`);
    // Keyed by the subnet's VRF (the true one): a row with a wrong vrf column is still a twin.
    const dedupe = `${subnet.row.org_id}\u0000${subnet.row.vrf}\u0000${prefix.family}\u0000${value}`;
    if (seen.has(dedupe)) report("duplicate", `${label}: ${canonical} is recorded twice in VRF "${subnet.row.vrf}"`);
    seen.add(dedupe);
    if (value < prefix.network || value > lastAddress(prefix)) {
      report("address", `${label}: ${canonical} lies outside its subnet ${subnet.row.cidr}`);
      continue;
    }
    const tree = trees.get(`${subnet.row.org_id}\u0000${subnet.row.vrf}`);
    const best = tree?.mostSpecific({ family: prefix.family, value }) ?? null;
    if (best !== null && best !== row.subnet_id) {
      report("address", `${label}: stored in ${subnet.row.cidr}, but its most specific subnet is ${subnets.get(best)?.row.cidr ?? best}`);
    }
    if (!isUsable(prefix, value)) {
      report("address", `${label}: ${canonical} is the network or broadcast address of ${subnet.row.cidr}, not usable`);
      continue;
    }
    subnet.records.push(value);
  }
  return count;
}

/** How many addresses a rebuilt allocator counts as used in a subnet (undefined: it has no allocator). */
export type UsedCounts = (orgId: string, subnetId: string) => bigint | undefined;

/**
 * Compares the allocators the server builds at boot (`rebuild`) with plain counting. When
 * the server could not even build them (the database breaks an allocator invariant), that is
 * the problem.
 */
export function checkUtilization(subnets: Map<string, KnownSubnet>, trees: Trees, report: Report, rebuild: () => UsedCounts): void {
  let usedIn: UsedCounts;
  try {
    usedIn = rebuild();
  } catch (error) {
    report("utilization", `the server cannot rebuild its allocators from this database: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  for (const subnet of subnets.values()) {
    const used = usedIn(subnet.row.org_id, subnet.row.id);
    if (used === undefined) {
      report("utilization", `subnet ${subnet.row.id} (${subnet.row.cidr}) has no allocator after a rebuild`);
      continue;
    }
    const tree = trees.get(`${subnet.row.org_id}\u0000${subnet.row.vrf}`)!;
    const children = tree.childrenOf(subnet.row.id).map((id) => subnets.get(id)!.prefix);
    const expected = countUsed(subnet.prefix, subnet.records, children);
    if (used !== expected) {
      report("utilization", `subnet ${subnet.row.id} (${subnet.row.cidr}): allocator counts ${used} used, the rows say ${expected}`);
    }
  }
}

/**
 * Used usable addresses, counted the plain way (API.md §6): records that lie in no child,
 * plus, per direct child, the part of it inside the usable range.
 */
export function countUsed(prefix: Prefix, records: bigint[], children: Prefix[]): bigint {
  const { first, last } = usableRange(prefix);
  let used = 0n;
  const ranges = children.map((c) => [c.network, lastAddress(c)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [lo, hi] of ranges) {
    const a = lo > first ? lo : first;
    const b = hi < last ? hi : last;
    if (b >= a) used += b - a + 1n;
  }
  // Records ascending, children disjoint and ascending: one merge walk.
  const sorted = [...records].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let k = 0;
  for (const value of sorted) {
    if (value < first || value > last) continue;
    while (k < ranges.length && ranges[k]![1] < value) k++;
    const inside = k < ranges.length && ranges[k]![0] <= value;
    if (!inside) used++;
  }
  return used;
}

/** The report as lines for people: problems capped at `max`, then the total; or the ok summary. */
export function formatCheckReport(report: CheckReport, max = 50): string[] {
  const { counts, problems } = report;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : word.endsWith("s") ? "es" : "s"}`;
  const sizes = `${plural(counts.organizations, "organization")}, ${plural(counts.subnets, "subnet")}, ${plural(counts.addresses, "address")}`;
  if (problems.length === 0) {
    const storage = report.backend === "postgres" ? "PostgreSQL row-level security and foreign keys" : "SQLite integrity and foreign keys";
    return [`ok: ${sizes}; ${storage}, subnet hierarchy, address placement, no duplicates, utilization`];
  }
  const lines = problems.slice(0, max).map((p) => `${p.kind}: ${p.message}`);
  if (problems.length > max) lines.push(`... and ${problems.length - max} more`);
  lines.push(`${problems.length} problem${problems.length === 1 ? "" : "s"} found (${sizes})`);
  return lines;
}
