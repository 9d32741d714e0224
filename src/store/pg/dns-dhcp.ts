/**
 * PostgreSQL: what the DNS, DHCP and Ansible files read (features/dns-dhcp/source.ts); the
 * twin of store/sqlite/dns-dhcp.ts. Orderings by (vrf COLLATE "C", ip_key): bytewise, as in
 * SQLite, so both dialects write the same file from the same records.
 */
import type { TransactionSQL } from "bun";
import type { HostRecord } from "../../features/dns-dhcp/model";
import type { DnsDhcpQueries } from "../store";

const SELECT = `SELECT a.ip, a.vrf, a.ip_key, n.family, a.hostname, a.status, a.owner, a.mac, a.description,
    a.subnet_id, n.cidr AS subnet_cidr, s.name AS folder
  FROM addresses a JOIN subnets n ON n.id = a.subnet_id LEFT JOIN sections s ON s.id = n.section_id`;

export function pgDnsDhcp(tx: TransactionSQL): DnsDhcpQueries {
  return {
    async records(orgId, range, limit, after) {
      const params: unknown[] = [orgId];
      const p = (value: unknown) => (params.push(value), `$${params.length}`);
      const where = ["a.org_id = $1"];
      if (range) {
        where.push(`a.vrf = ${p(range.vrf)}`, `n.family = ${p(range.family)}`);
        where.push(`a.ip_key BETWEEN ${p(Buffer.from(range.first))}::bytea AND ${p(Buffer.from(range.last))}::bytea`);
      }
      if (after) where.push(`(a.vrf COLLATE "C", a.ip_key) > (${p(after[0])}::text COLLATE "C", ${p(Buffer.from(after[1]))}::bytea)`);
      const rows = await tx.unsafe(`${SELECT} WHERE ${where.join(" AND ")} ORDER BY a.vrf COLLATE "C", a.ip_key LIMIT ${p(limit)}`, params);
      const last = rows.length === limit ? rows[rows.length - 1] : undefined;
      return { rows: rows.map(toRecord), last: last ? [last.vrf, new Uint8Array(last.ip_key)] : null };
    },

    /**
     * The same logical clock as SQLite's (s = max(time of the change, s + 1) walking the
     * changes oldest first; closed form: max over changes c of (second of c + changes newer
     * than c)), over the change feed's numbering of the activity log: every activity row,
     * whatever wrote it (the per-subnet allocation batches included), takes a `seq`, and seqs
     * are numbered 1, 2, 3 … in commit order with no hole (store/events.ts). So "changes newer
     * than e" is simply head − seq(e), and the serial is
     *
     *     head + max over the last 7 days' events e of (second of e − seq(e))
     *
     * with no window function, and only a week of the log read (it may be kept forever; a week
     * is what the feed kept when it was a table of its own). Every event counts (a key or
     * webhook change too): a secondary then transfers an unchanged zone, which is harmless. As
     * on SQLite, the newest `updated_at` of addresses and subnets is a floor for older changes.
     * The head is read from event_counters, the row the writers lock: an export that reads its
     * serial before its records (source.ts) never shows a change its serial does not count.
     */
    async zoneSerial(orgId) {
      const [row] = await tx`
        SELECT GREATEST(
          (SELECT seq FROM event_counters WHERE org_id = ${orgId})
            + (SELECT max(floor(extract(epoch FROM at))::bigint - seq) FROM activity WHERE org_id = ${orgId} AND at >= now() - interval '7 days' AND seq IS NOT NULL),
          (SELECT floor(extract(epoch FROM max(updated_at)))::bigint FROM addresses WHERE org_id = ${orgId}),
          (SELECT floor(extract(epoch FROM max(updated_at)))::bigint FROM subnets WHERE org_id = ${orgId}),
          1) AS serial`;
      return Math.min(Number(row.serial), 0xffff_ffff);
    },
  };
}

function toRecord(r: any): HostRecord {
  return {
    ip: r.ip,
    family: Number(r.family) === 6 ? 6 : 4,
    vrf: r.vrf,
    hostname: r.hostname,
    status: r.status,
    owner: r.owner,
    mac: r.mac,
    description: r.description,
    subnetId: r.subnet_id,
    subnetCidr: r.subnet_cidr,
    folder: r.folder,
  };
}
