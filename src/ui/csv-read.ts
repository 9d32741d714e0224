/**
 * Reading a spreadsheet's CSV in the browser before it is sent to the import endpoints: the
 * delimiter (comma, semicolon as European spreadsheets write it, or tab), the records, and a
 * first guess at which column is which ("IP Address" → ip). The page then writes the
 * server's standard CSV (features/io/csv.ts `csvLine`) from the mapping the user confirmed,
 * so the server keeps one strict format. Pure: text in, values out.
 */

export type Delimiter = "," | ";" | "\t";

export interface FileRecord {
  /** the row a spreadsheet shows (the header is row 1; blank lines count) */
  row: number;
  cells: string[];
}

/** The delimiter of the header line: the most frequent of , ; and tab outside quotes (comma on a tie). */
export function detectDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && ch in counts) counts[ch as Delimiter]++;
  }
  let best: Delimiter = ",";
  for (const d of [";", "\t"] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

/** RFC 4180 records with `delimiter` (quotes doubled inside quoted cells, CRLF or LF); blank lines are skipped but counted. */
export function readRecords(input: string, delimiter: Delimiter): FileRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: FileRecord[] = [];
  let row = 0;
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let blank = true;
  const endRecord = () => {
    row++;
    cells.push(cell);
    if (!blank) records.push({ row, cells });
    cells = [];
    cell = "";
    blank = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') (quoted = true), (blank = false);
    else if (ch === delimiter) cells.push(cell), (cell = ""), (blank = false);
    else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
    } else {
      cell += ch;
      if (ch.trim()) blank = false;
    }
  }
  if (cell !== "" || cells.length) endRecord();
  return records;
}

/** The server's columns (features/io/columns.ts), first one required. */
export const ADDRESS_COLUMNS = ["ip", "vrf", "hostname", "status", "owner", "mac", "description"] as const;
export const SUBNET_COLUMNS = ["cidr", "vrf", "name", "description", "section", "vlan"] as const;

/** Header words people use for each column (compared lowercased, letters and digits only). */
const SYNONYMS: Record<string, string[]> = {
  ip: ["ip", "ipaddress", "address", "ipv4", "ipv6", "ipv4address", "ipv6address", "addr"],
  cidr: ["cidr", "subnet", "network", "prefix", "block", "range"],
  vrf: ["vrf", "vrfname", "routingtable"],
  hostname: ["hostname", "host", "dnsname", "fqdn", "dns", "name", "devicename"],
  name: ["name", "subnetname", "title", "label"],
  // phpIPAM keeps an address's state in its "Tag" (Offline, Used, Reserved, DHCP).
  status: ["status", "state", "type", "tag", "iptag", "ipstate", "addressstate"],
  owner: ["owner", "ownedby", "contact", "user", "assignedto"],
  mac: ["mac", "macaddress", "hwaddress", "hardwareaddress", "ethernet"],
  description: ["description", "desc", "comment", "comments", "notes", "note"],
  section: ["section", "folder", "site", "group"],
  vlan: ["vlan", "vlanid", "vid"],
};

const squash = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, "");

/** For each header cell, the column it most likely is, or "" (ignored); each column used once. */
export function guessMapping(header: string[], columns: readonly string[]): string[] {
  const used = new Set<string>();
  const exact = header.map((h) => {
    const key = squash(h);
    const column = columns.find((c) => c === key && !used.has(c));
    if (column) used.add(column);
    return column ?? "";
  });
  return header.map((h, i) => {
    if (exact[i]) return exact[i]!;
    const key = squash(h);
    const column = columns.find((c) => !used.has(c) && (SYNONYMS[c] ?? []).includes(key));
    if (column) used.add(column);
    return column ?? "";
  });
}

/**
 * Other tools' words for the statuses (phpIPAM's tags "Used" and "Offline": a recorded address
 * that is in use, and one kept but not answering). Anything else goes to the server as typed,
 * which names the four it accepts.
 */
const STATUS_WORDS: Record<string, string> = { used: "assigned", active: "assigned", "in use": "assigned", inuse: "assigned", offline: "reserved" };

/** A cell as the server wants it: status values lowercased ("Reserved" → reserved, phpIPAM's "Used" → assigned), the rest as typed. */
export function normaliseCell(column: string, value: string): string {
  if (column !== "status") return value;
  const word = value.trim().toLowerCase();
  return STATUS_WORDS[word] ?? word;
}
