/**
 * Kea DHCPv4 / DHCPv6 host reservations as a configuration Kea loads as it is
 * (`kea-dhcp4 -t file`): `{"Dhcp4": {"subnet4": [{id, subnet, reservations: [...]}]}}`.
 * To merge into your own configuration take `.Dhcp4.subnet4` (or each subnet's
 * `reservations`). Pure. Skipped records are listed in `Dhcp4["user-context"].ipcraft.skipped`.
 *
 * Kea needs an integer subnet id that stays the same across reloads (leases refer to it):
 * it is derived from the ipcraft subnet's UUID (FNV-1a, 1 … 2^31−1), so it is stable for a
 * subnet's life; on the rare collision within one file the later subnet takes the next
 * free number.
 */
import { dhcpEntries, type Generated, type HostRecord } from "./model";

/** A stable Kea subnet id for an ipcraft subnet UUID. */
export function keaSubnetId(uuid: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < uuid.length; i++) {
    hash ^= uuid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 0x7fff_ffff) + 1;
}

export function keaConfig(records: readonly HostRecord[], family: 4 | 6): Generated {
  const { entries, skipped } = dhcpEntries(records, family);
  const subnets = new Map<string, { id: number; subnet: string; reservations: Record<string, unknown>[] }>();
  const ids = new Set<number>();
  for (const { record, mac, name } of entries) {
    let subnet = subnets.get(record.subnetCidr);
    if (!subnet) {
      let id = keaSubnetId(record.subnetId);
      while (ids.has(id)) id = (id % 0x7fff_ffff) + 1;
      ids.add(id);
      subnet = { id, subnet: record.subnetCidr, reservations: [] };
      subnets.set(record.subnetCidr, subnet);
    }
    const reservation: Record<string, unknown> = { "hw-address": mac };
    if (family === 4) reservation["ip-address"] = record.ip;
    else reservation["ip-addresses"] = [record.ip];
    if (name) reservation.hostname = name;
    subnet.reservations.push(reservation);
  }
  const key = family === 4 ? "Dhcp4" : "Dhcp6";
  const config = {
    [key]: {
      [family === 4 ? "subnet4" : "subnet6"]: [...subnets.values()],
      "user-context": { ipcraft: { skipped } },
    },
  };
  return { text: JSON.stringify(config, null, 2) + "\n", skipped };
}
