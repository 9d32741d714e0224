/** PostgreSQL: the reads of the phpIPAM subset; the twin of src/store/sqlite/phpipam.ts. */
import type { TransactionSQL } from "bun";
import type { NumberedKind, PhpAddressRow, PhpipamQueries, PhpSectionRow, PhpSubnetRow } from "../store";
import { iso } from "./errors";

const TABLE: Record<NumberedKind, string> = { section: "sections", subnet: "subnets", address: "addresses" };

const SUBNET = `SELECT s.id, s.number, s.cidr, s.prefix_length, s.vrf, s.description, s.name, s.vlan,
  sec.number AS section_number, p.number AS parent_number, s.updated_at
  FROM subnets s LEFT JOIN sections sec ON sec.id = s.section_id LEFT JOIN subnets p ON p.id = s.parent_id`;

const ADDRESS = `SELECT a.id, a.number, n.number AS subnet_number, a.ip, a.hostname, a.status, a.owner, a.mac, a.description, a.updated_at
  FROM addresses a JOIN subnets n ON n.id = a.subnet_id`;

const dated = <T extends { updated_at: string }>(rows: any[]): T[] => rows.map((r) => ({ ...r, updated_at: iso(r.updated_at) }));

export function pgPhpipam(tx: TransactionSQL): PhpipamQueries {
  return {
    async idOf(orgId, kind, number) {
      const [row] = await tx.unsafe(`SELECT id FROM ${TABLE[kind]} WHERE org_id = $1 AND number = $2`, [orgId, number]);
      return (row as { id: string } | undefined)?.id ?? null;
    },
    async sections(orgId, number) {
      const base = "SELECT id, number, name, description, updated_at FROM sections WHERE org_id = $1";
      const rows = number === undefined ? await tx.unsafe(`${base} ORDER BY number`, [orgId]) : await tx.unsafe(`${base} AND number = $2`, [orgId, number]);
      return dated<PhpSectionRow>(rows);
    },
    async subnets(orgId, by) {
      const rows =
        "id" in by
          ? await tx.unsafe(`${SUBNET} WHERE s.org_id = $1 AND s.id = $2`, [orgId, by.id])
          : await tx.unsafe(`${SUBNET} WHERE s.org_id = $1 AND s.cidr = $2 ORDER BY s.number`, [orgId, by.cidr]);
      return dated<PhpSubnetRow>(rows);
    },
    async addresses(orgId, by, limit) {
      let rows;
      if ("id" in by) rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.id = $2`, [orgId, by.id]);
      else if ("ip" in by) rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.ip = $2 ORDER BY a.number LIMIT $3`, [orgId, by.ip, limit]);
      else if ("mac" in by) rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.mac = $2 ORDER BY a.number LIMIT $3`, [orgId, by.mac, limit]);
      else rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.subnet_id = $2 ORDER BY a.ip_key LIMIT $3`, [orgId, by.subnetId, limit]);
      return dated<PhpAddressRow>(rows);
    },
  };
}
