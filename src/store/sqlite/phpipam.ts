/**
 * SQLite: the reads of the phpIPAM subset (features/phpipam), joined so that every row carries
 * the integer numbers phpIPAM clients use for ids (its own, its section's or subnet's). A
 * search by IP or by CIDR (what Proxmox asks for every IP it manages) is one index lookup per
 * VRF (store/vrf-seek.ts), not a walk of the organization; the text is still compared too.
 */
import type { OpenDatabase } from "../../db/client";
import { addressKey, SUBNET_KEY, subnetKey } from "../phpipam-keys";
import type { NumberedKind, PhpAddressRow, PhpipamQueries, PhpSectionRow, PhpSubnetRow } from "../store";
import { vrfsOfOrg } from "../vrf-seek";

const TABLE: Record<NumberedKind, string> = { section: "sections", subnet: "subnets", address: "addresses" };

const SUBNET = `SELECT s.id, s.number, s.cidr, s.prefix_length, s.vrf, s.description, s.name, s.vlan,
  sec.number AS section_number, p.number AS parent_number, s.updated_at
  FROM subnets s LEFT JOIN sections sec ON sec.id = s.section_id LEFT JOIN subnets p ON p.id = s.parent_id`;

const ADDRESS = `SELECT a.id, a.number, n.number AS subnet_number, a.ip, a.hostname, a.status, a.owner, a.mac, a.description, a.updated_at
  FROM addresses a JOIN subnets n ON n.id = a.subnet_id`;

// The searches by CIDR and by IP name the index they seek (the ORDER BY number tempted SQLite
// to walk the organization's (org, number) index instead).
const SUBNET_BY_KEY = SUBNET.replace("FROM subnets s", "FROM subnets s INDEXED BY subnets_org_vrf_net_unique");
const ADDRESS_BY_KEY = ADDRESS.replace("FROM addresses a", "FROM addresses a INDEXED BY addresses_org_vrf_ip_unique");

type Param = string | number | Uint8Array;

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
        : sqlite
            .query<PhpSubnetRow, Param[]>(`${SUBNET_BY_KEY} WHERE s.org_id = ? AND s.vrf IN (${vrfsOfOrg("subnets", "?")}) AND ${SUBNET_KEY} AND s.cidr = ? ORDER BY s.number`)
            .all(orgId, orgId, orgId, ...subnetKey(by.cidr), by.cidr);
    },
    async addresses(orgId, by, limit) {
      if ("id" in by) return sqlite.query<PhpAddressRow, [string, string]>(`${ADDRESS} WHERE a.org_id = ? AND a.id = ?`).all(orgId, by.id);
      if ("ip" in by) {
        return sqlite
          .query<PhpAddressRow, Param[]>(`${ADDRESS_BY_KEY} WHERE a.org_id = ? AND a.vrf IN (${vrfsOfOrg("addresses", "?")}) AND a.ip_key = ? AND a.ip = ? ORDER BY a.number LIMIT ?`)
          .all(orgId, orgId, orgId, addressKey(by.ip), by.ip, limit);
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
