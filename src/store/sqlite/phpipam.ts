/**
 * SQLite: the reads of the phpIPAM subset (features/phpipam), joined so that every row carries
 * the integer numbers phpIPAM clients use for ids (its own, its section's or subnet's).
 */
import type { OpenDatabase } from "../../db/client";
import type { NumberedKind, PhpAddressRow, PhpipamQueries, PhpSectionRow, PhpSubnetRow } from "../store";

const TABLE: Record<NumberedKind, string> = { section: "sections", subnet: "subnets", address: "addresses" };

const SUBNET = `SELECT s.id, s.number, s.cidr, s.prefix_length, s.vrf, s.description, s.name, s.vlan,
  sec.number AS section_number, p.number AS parent_number, s.updated_at
  FROM subnets s LEFT JOIN sections sec ON sec.id = s.section_id LEFT JOIN subnets p ON p.id = s.parent_id`;

const ADDRESS = `SELECT a.id, a.number, n.number AS subnet_number, a.ip, a.hostname, a.status, a.owner, a.mac, a.description, a.updated_at
  FROM addresses a JOIN subnets n ON n.id = a.subnet_id`;

export function sqlitePhpipam(database: OpenDatabase): PhpipamQueries {
  const { sqlite } = database;
  return {
    async idOf(orgId, kind, number) {
      const row = sqlite.query<{ id: string }, [string, number]>(`SELECT id FROM ${TABLE[kind]} WHERE org_id = ? AND number = ?`).get(orgId, number);
      return row?.id ?? null;
    },
    async sections(orgId, number) {
      const base = "SELECT id, number, name, description, updated_at FROM sections WHERE org_id = ?";
      return number === undefined
        ? sqlite.query<PhpSectionRow, [string]>(`${base} ORDER BY number`).all(orgId)
        : sqlite.query<PhpSectionRow, [string, number]>(`${base} AND number = ?`).all(orgId, number);
    },
    async subnets(orgId, by) {
      return "id" in by
        ? sqlite.query<PhpSubnetRow, [string, string]>(`${SUBNET} WHERE s.org_id = ? AND s.id = ?`).all(orgId, by.id)
        : sqlite.query<PhpSubnetRow, [string, string]>(`${SUBNET} WHERE s.org_id = ? AND s.cidr = ? ORDER BY s.number`).all(orgId, by.cidr);
    },
    async addresses(orgId, by, limit) {
      if ("id" in by) return sqlite.query<PhpAddressRow, [string, string]>(`${ADDRESS} WHERE a.org_id = ? AND a.id = ?`).all(orgId, by.id);
      if ("ip" in by) {
        return sqlite.query<PhpAddressRow, [string, string, number]>(`${ADDRESS} WHERE a.org_id = ? AND a.ip = ? ORDER BY a.number LIMIT ?`).all(orgId, by.ip, limit);
      }
      if ("mac" in by) {
        return sqlite.query<PhpAddressRow, [string, string, number]>(`${ADDRESS} WHERE a.org_id = ? AND a.mac = ? ORDER BY a.number LIMIT ?`).all(orgId, by.mac, limit);
      }
      return sqlite
        .query<PhpAddressRow, [string, string, number]>(`${ADDRESS} WHERE a.org_id = ? AND a.subnet_id = ? ORDER BY a.ip_key LIMIT ?`)
        .all(orgId, by.subnetId, limit);
    },
  };
}
