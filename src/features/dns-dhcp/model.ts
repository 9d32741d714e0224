/**
 * What the DNS, DHCP and Ansible formatters read, and the rules shared by all of them:
 * which statuses go where, how names are chosen, which records are skipped and why.
 * Pure: the route reads the records (source.ts, through the Store) and hands them in.
 *
 * Status policy (README "DNS, DHCP and Ansible files"):
 *
 *     status     DNS (BIND, hosts, dnsmasq host-record)   DHCP reservations (Kea, dhcpd, dnsmasq dhcp-host)   Ansible
 *     assigned   yes, with a hostname                      yes, with a MAC                                     yes
 *     gateway    yes, with a hostname                      no  (routers are configured statically)             yes
 *     reserved   yes, with a hostname                      yes, with a MAC (a "DHCP reservation")              yes
 *     dhcp       no  (a dynamic pool address: its name     no  (it belongs to the pool, not to one client)     no
 *                    comes from the lease, not from us)
 *     (free)     no record, nothing written
 */
import { commentText, hostNameOf, type HostName } from "./names";

/** One address record with what the files need; source.ts reads these in (vrf, IP) order. */
export interface HostRecord {
  ip: string;
  family: 4 | 6;
  vrf: string;
  hostname: string;
  status: string;
  owner: string;
  mac: string | null;
  description: string;
  subnetId: string;
  subnetCidr: string;
  /** the subnet's folder (section) name, or null when unfiled */
  folder: string | null;
}

/** A record left out of a file (or written without its name), and why. Listed in the file and counted in a header. */
export interface Skipped {
  ip: string;
  vrf: string;
  hostname: string;
  reason: string;
}

/** What every formatter returns. */
export interface Generated {
  text: string;
  skipped: Skipped[];
}

export const DNS_STATUSES: ReadonlySet<string> = new Set(["assigned", "gateway", "reserved"]);
export const DHCP_STATUSES: ReadonlySet<string> = new Set(["assigned", "reserved"]);
export const INVENTORY_STATUSES: ReadonlySet<string> = new Set(["assigned", "gateway", "reserved"]);

/** A DNS-bound record with its names. */
export interface DnsEntry {
  record: HostRecord;
  name: HostName;
}

/**
 * The records that belong in DNS (status and a usable hostname), each once per (name, IP):
 * the same host in two VRFs is one record. Bad names are skipped and listed.
 */
export function dnsEntries(records: readonly HostRecord[], domain?: string): { entries: DnsEntry[]; skipped: Skipped[] } {
  const entries: DnsEntry[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    if (!DNS_STATUSES.has(record.status)) continue;
    const result = hostNameOf(record.hostname, domain);
    if (!result.ok) {
      skipped.push(skip(record, `hostname ${result.reason}`));
      continue;
    }
    if (result.value === null) continue; // no hostname: nothing to publish
    const key = `${result.value.fqdn ?? result.value.name} ${record.ip}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({ record, name: result.value });
  }
  return { entries, skipped };
}

/** A DHCP reservation: one MAC, one IP, maybe a name. */
export interface DhcpEntry {
  record: HostRecord;
  mac: string;
  /** the short name sent to the client, or undefined */
  name?: string;
}

/**
 * DHCP reservations of one family: records with a DHCP status and a MAC. An IP is reserved
 * once (the first VRF wins); a MAC once per subnet (a client cannot hold two fixed
 * addresses on one network). A record whose hostname is unusable keeps its reservation
 * without a name, and is listed.
 */
export function dhcpEntries(records: readonly HostRecord[], family: 4 | 6): { entries: DhcpEntry[]; skipped: Skipped[] } {
  const entries: DhcpEntry[] = [];
  const skipped: Skipped[] = [];
  const ips = new Map<string, string>();
  const macs = new Map<string, string>();
  for (const record of records) {
    if (record.family !== family || record.mac === null || !DHCP_STATUSES.has(record.status)) continue;
    const takenBy = ips.get(record.ip);
    if (takenBy !== undefined) {
      skipped.push(skip(record, `the IP is already reserved in VRF ${commentText(takenBy)}`));
      continue;
    }
    const macKey = `${record.subnetCidr} ${record.mac}`;
    const macOwner = macs.get(macKey);
    if (macOwner !== undefined) {
      skipped.push(skip(record, `MAC ${record.mac} already has ${macOwner} in subnet ${record.subnetCidr}`));
      continue;
    }
    ips.set(record.ip, record.vrf);
    macs.set(macKey, record.ip);
    const result = hostNameOf(record.hostname);
    if (!result.ok) skipped.push(skip(record, `hostname ${result.reason}; reserved without a name`));
    const name = result.ok && result.value ? result.value.short : undefined;
    entries.push({ record, mac: record.mac, name });
  }
  return { entries, skipped };
}

export function skip(record: HostRecord, reason: string): Skipped {
  return { ip: record.ip, vrf: record.vrf, hostname: record.hostname, reason };
}

/**
 * The skipped records as comment lines (`prefix` is the format's comment marker), for the
 * top of a file: a reader of the file sees what is missing and why.
 */
export function skippedComments(skipped: readonly Skipped[], prefix: string): string {
  if (skipped.length === 0) return "";
  // A file holding DNS and DHCP entries (dnsmasq) may list one record twice, once per reason.
  const records = new Set(skipped.map((s) => `${s.vrf} ${s.ip}`)).size;
  const lines = [`${prefix} ${records} record(s) left out or written without a name:`];
  for (const s of skipped) {
    const where = s.vrf === "default" ? s.ip : `${s.ip} (vrf ${commentText(s.vrf)})`;
    // The reason may quote a label: keep the line printable ASCII whatever the stored name holds.
    lines.push(`${prefix}   ${where} ${commentText(s.hostname)}: ${s.reason.replace(/[^\x20-\x7e]/g, "?")}`);
  }
  return lines.join("\n") + "\n";
}
