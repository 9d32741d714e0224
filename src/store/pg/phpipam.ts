/** PostgreSQL: the reads of the phpIPAM subset; the twin of src/store/sqlite/phpipam.ts (searches by IP or CIDR included). */
import type { TransactionSQL } from "bun";
import { addressKey, subnetKey } from "../phpipam-keys";
import type { NumberedKind, PhpAddressRow, PhpipamQueries, PhpSectionRow, PhpSubnetRow } from "../store";
import { vrfsOfOrg } from "../vrf-seek";
import { iso } from "./errors";

const TABLE: Record<NumberedKind, string> = { section: "sections", subnet: "subnets", address: "addresses" };

const SUBNET = `SELECT s.id, s.number, s.cidr, s.prefix_length, s.vrf, s.description, s.name, s.vlan,
  sec.number AS section_number, p.number AS parent_number, s.updated_at
  FROM subnets s LEFT JOIN sections sec ON sec.id = s.section_id LEFT JOIN subnets p ON p.id = s.parent_id`;

const ADDRESS = `SELECT a.id, a.number, n.number AS subnet_number, a.ip, a.hostname, a.status, a.owner, a.mac, a.description, a.updated_at
  FROM addresses a JOIN subnets n ON n.id = a.subnet_id`;

/** A subnet key's three parts with the network key as PostgreSQL's bytea wants it. */
const pgKey = ([family, networkKey, length]: [number, Uint8Array, number]): [number, Buffer, number] => [family, Buffer.from(networkKey), length];

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
          : await tx.unsafe(
              `${SUBNET} WHERE s.org_id = $1 AND s.vrf IN (${vrfsOfOrg("subnets", "$1")}) AND s.family = $2 AND s.network_key = $3 AND s.prefix_length = $4 AND s.cidr = $5 ORDER BY s.number`,
              [orgId, ...pgKey(subnetKey(by.cidr)), by.cidr],
            );
      return dated<PhpSubnetRow>(rows);
    },
    async addresses(orgId, by, limit) {
      let rows;
      if ("id" in by) rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.id = $2`, [orgId, by.id]);
      else if ("ip" in by) {
        rows = await tx.unsafe(
          `${ADDRESS} WHERE a.org_id = $1 AND a.vrf IN (${vrfsOfOrg("addresses", "$1")}) AND a.ip_key = $2 AND a.ip = $3 ORDER BY a.number LIMIT $4`,
          [orgId, Buffer.from(addressKey(by.ip)), by.ip, limit],
        );
      }
      else if ("mac" in by) rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.mac = $2 ORDER BY a.number LIMIT $3`, [orgId, by.mac, limit]);
      else rows = await tx.unsafe(`${ADDRESS} WHERE a.org_id = $1 AND a.subnet_id = $2 ORDER BY a.ip_key LIMIT $3`, [orgId, by.subnetId, limit]);
      return dated<PhpAddressRow>(rows);
    },
  };
}
