/**
 * The SQL behind the DNS, DHCP and Ansible files — all of it, in one place, so that it
 * moves to the store layer in one piece. Two questions: which address records are in scope
 * (`records`), and what the zone serial is (`zoneSerial`).
 */
import type { Database } from "bun:sqlite";
import { ipKey } from "../../ip/address";
import { lastAddress, parseCidr, type Prefix } from "../../ip/prefix";
import { EXPORT_PAGE } from "../io/export";
import type { HostRecord } from "./model";

/** A subnet the files are limited to: its own records and its descendants'. */
export interface SubnetScope {
  id: string;
  cidr: string;
  vrf: string;
  prefix: Prefix;
}

interface RecordRow {
  ip: string;
  vrf: string;
  ip_key: Uint8Array;
  family: number;
  hostname: string;
  status: string;
  owner: string;
  mac: string | null;
  description: string;
  subnet_id: string;
  subnet_cidr: string;
  folder: string | null;
}

const SELECT = `SELECT a.ip, a.vrf, a.ip_key, n.family, a.hostname, a.status, a.owner, a.mac, a.description,
    a.subnet_id, n.cidr AS subnet_cidr, s.name AS folder
  FROM addresses a JOIN subnets n ON n.id = a.subnet_id LEFT JOIN sections s ON s.id = n.section_id
  WHERE a.org_id = ?`;

export function dnsDhcpRepo(sqlite: Database) {
  const subnet = sqlite.query<{ id: string; cidr: string; vrf: string }, [string, string]>(
    "SELECT id, cidr, vrf FROM subnets WHERE org_id = ? AND id = ?",
  );
  // The serial, as a logical clock over the change history (see zoneSerial).
  const serialFromActivity = sqlite.query<{ serial: number | null }, [string]>(
    `SELECT MAX(sec + newer) AS serial FROM (
       SELECT CAST(strftime('%s', at) AS INTEGER) AS sec, ROW_NUMBER() OVER (ORDER BY at DESC, id DESC) - 1 AS newer
       FROM activity
       WHERE org_id = ? AND (action LIKE 'address.%' OR action LIKE 'subnet.%' OR action LIKE 'section.%'))`,
  );
  const newestRow = sqlite.query<{ sec: number | null }, [string, string]>(
    `SELECT MAX(sec) AS sec FROM (
       SELECT CAST(strftime('%s', MAX(updated_at)) AS INTEGER) AS sec FROM addresses WHERE org_id = ?
       UNION ALL SELECT CAST(strftime('%s', MAX(updated_at)) AS INTEGER) FROM subnets WHERE org_id = ?)`,
  );

  return {
    /** The subnet `id` of the organization, or null (unknown, or another organization's). */
    subnetScope(orgId: string, id: string): SubnetScope | null {
      const row = subnet.get(orgId, id);
      if (!row) return null;
      const parsed = parseCidr(row.cidr);
      if (!parsed.ok) return null; // stored CIDRs are canonical; never happens
      return { ...row, prefix: parsed.value };
    },

    /**
     * Every address record of the organization, or of one subnet and its descendants, in
     * (vrf, numeric IP) order, read a keyset page at a time. The formatters need the whole
     * set at once (duplicates, sorting), so the result is an array.
     */
    records(orgId: string, scope?: SubnetScope): HostRecord[] {
      let where = "";
      const params: (string | number | Uint8Array)[] = [orgId];
      if (scope) {
        const { family, network } = scope.prefix;
        where = " AND a.vrf = ? AND n.family = ? AND a.ip_key BETWEEN ? AND ?";
        params.push(scope.vrf, family, ipKey({ family, value: network }), ipKey({ family, value: lastAddress(scope.prefix) }));
      }
      const first = sqlite.query<RecordRow, typeof params>(`${SELECT}${where} ORDER BY a.vrf, a.ip_key LIMIT ?`);
      const next = sqlite.query<RecordRow, typeof params>(`${SELECT}${where} AND (a.vrf, a.ip_key) > (?, ?) ORDER BY a.vrf, a.ip_key LIMIT ?`);
      const out: HostRecord[] = [];
      let rows = first.all(...params, EXPORT_PAGE);
      while (rows.length > 0) {
        for (const r of rows) {
          out.push({
            ip: r.ip,
            family: r.family === 6 ? 6 : 4,
            vrf: r.vrf,
            hostname: r.hostname,
            status: r.status,
            owner: r.owner,
            mac: r.mac,
            description: r.description,
            subnetId: r.subnet_id,
            subnetCidr: r.subnet_cidr,
            folder: r.folder,
          });
        }
        if (rows.length < EXPORT_PAGE) break;
        const last = rows[rows.length - 1]!;
        rows = next.all(...params, last.vrf, last.ip_key, EXPORT_PAGE);
      }
      return out;
    },

    /**
     * The zone serial: a unix-time serial (seconds; fits 32 bits until 2106) that moves
     * forward by at least one with every change, even several changes in one second.
     *
     * It is a logical clock over the organization's change history (the activity log, which
     * every address, subnet and folder write appends to in its own transaction, deletions
     * included): walking the changes oldest first, s = max(time of the change, s + 1). Its
     * closed form is  max over changes c of (second of c + number of changes newer than c),
     * which the query computes. One more change adds one to every "newer" count, so the
     * serial always grows; with less than one change a second it is simply the time of the
     * newest change; a burst runs ahead of the clock by its size and is caught up by time.
     * It is per organization, not per zone: a change elsewhere also bumps it (a secondary
     * then transfers an unchanged zone, which is harmless), and repeated downloads without a
     * change give the same serial and the same file.
     * The newest `updated_at` of addresses and subnets is a floor for installs whose log
     * was pruned (activity retention).
     */
    zoneSerial(orgId: string): number {
      const fromLog = serialFromActivity.get(orgId)?.serial ?? 0;
      const fromRows = newestRow.get(orgId, orgId)?.sec ?? 0;
      return Math.min(Math.max(fromLog, fromRows, 1), 0xffff_ffff);
    },
  };
}
