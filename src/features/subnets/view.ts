/** The API form of a subnet: its row plus utilization straight from memory (ipam/nested-records.ts). */
import { formatIp } from "../../ip";
import { utilizationIn } from "../../ipam/nested-records";
import type { IpamMemory } from "../../ipam/memory";
import type { SubnetState } from "../../ipam/registry";
import type { Subnet } from "./model";
import type { SubnetRow } from "./repo";

export function subnetView(registry: IpamMemory, state: SubnetState, row: Omit<SubnetRow, "network_key" | "family" | "prefix_length" | "cidr" | "vrf">): Subnet {
  return {
    id: row.id,
    cidr: state.cidr,
    network: formatIp({ family: state.prefix.family, value: state.prefix.network }),
    prefix_length: state.prefix.length,
    family: state.prefix.family,
    name: row.name,
    description: row.description,
    section_id: row.section_id,
    vrf: state.vrf,
    vlan: row.vlan,
    parent_id: row.parent_id,
    utilization: utilizationIn(registry.nestedScope(state), state),
    ...(row.number != null ? { number: row.number } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** View of a row known to exist in memory (same org). */
export function viewRow(registry: IpamMemory, orgId: string, row: SubnetRow): Subnet {
  const state = registry.subnet(orgId, row.id);
  if (!state) throw new Error(`subnet ${row.id} is in the database but not in memory`);
  return subnetView(registry, state, row);
}
