/**
 * Placing one new subnet: THE code path of POST /subnets and of every row of the subnet CSV
 * import (one path, so that an import can never leave what the API would not).
 *
 *     P  (the smallest existing container, or none)
 *     ├── N  the new subnet
 *     │   ├── C  P's children inside N: adopted (their records stay in C)
 *     │   └── r  P's own records inside N: moved into N — refused (409) if one would be
 *     │          N's network/broadcast (IPv6: subnet-router anycast) address
 *     └── ...    the rest of P is untouched
 *
 * "P" is whatever the tree holds at this moment, including a subnet created a moment ago by
 * an earlier row of the same import: the records it took over from its own parent must move
 * on into N too. Memory (journaled) and rows change together; callers run this inside a
 * store IPAM write (one transaction on either backend) so that a throw undoes both. Callers
 * check the input first (plan limits, sections, VRF, `ipv4MappedPrefixError`) and record
 * their own activity.
 */
import { ApiError } from "../../http/errors";
import { formatCidr, isUsable, lastAddress, type Prefix } from "../../ip";
import { keyOf, valueOfKey } from "../../ipam/codec";
import type { Journal } from "../../ipam/journal";
import type { IpamMemory } from "../../ipam/memory";
import type { Queries } from "../../store/store";

/** A subnet to place; the cidr text is derived from `prefix`. */
export interface SubnetToPlace {
  id: string;
  orgId: string;
  vrf: string;
  prefix: Prefix;
  sectionId: string | null;
  name: string;
  description: string;
  vlan: number | null;
  at: string;
}

/** Where it went. */
export interface PlacedSubnet {
  cidr: string;
  parentId: string | null;
  /** ids of existing subnets that now have it as parent */
  adopted: string[];
  /** how many of the parent's records moved into it */
  moved: number;
  /** its integer number (the phpIPAM API's id) */
  number: number;
}

/**
 * Places `s` (see the module comment). Throws ApiError `address_on_boundary` or
 * `subnet_overlap` (a duplicate in its VRF; `details.existing_id` names the other one).
 */
export async function placeSubnet(q: Queries, memory: IpamMemory, journal: Journal, s: SubnetToPlace): Promise<PlacedSubnet> {
  const { prefix } = s;
  const cidr = formatCidr(prefix);
  const parentId = memory.tree(s.orgId, s.vrf)?.parentOf(prefix) ?? null;
  const first = keyOf(prefix.family, prefix.network);
  const last = keyOf(prefix.family, lastAddress(prefix));
  // Memory says whether the parent holds records there (it equals the rows); only then are they read.
  const parent = parentId === null ? undefined : memory.subnet(s.orgId, parentId)!;
  const moving =
    parent === undefined || parent.allocator.recordsIn(prefix.network, lastAddress(prefix)) === 0
      ? []
      : (await q.addresses.keysInRange(parent.id, first, last)).map((r) => ({ ip: r.ip, value: valueOfKey(r.ip_key, prefix.family) }));
  assertNoneOnBoundary(prefix, moving, `cannot create ${cidr}`);
  const added = memory.addSubnet(journal, { id: s.id, orgId: s.orgId, vrf: s.vrf, prefix, moved: moving.map((r) => r.value) });
  if (!added.ok) {
    throw new ApiError("subnet_overlap", `Subnet overlaps with existing subnet ${added.existing.cidr}`, {
      existing_id: added.existing.id,
      existing_cidr: added.existing.cidr,
      vrf: s.vrf,
    });
  }
  const number = await q.subnets.insertMany(s.orgId, [
    {
      id: s.id,
      sectionId: s.sectionId,
      parentId: added.parentId,
      vrf: s.vrf,
      family: prefix.family,
      networkKey: first,
      prefixLength: prefix.length,
      cidr,
      name: s.name,
      description: s.description,
      vlan: s.vlan,
      at: s.at,
    },
  ]);
  if (added.adopted.length > 0) await q.subnets.setParent(s.orgId, added.adopted, s.id);
  if (parent && moving.length > 0) await q.addresses.moveRange(s.id, parent.id, first, last);
  return { cidr, parentId: added.parentId, adopted: added.adopted, moved: moving.length, number };
}

/** 409 naming the records that would become unusable (network/broadcast, IPv6 anycast) in `prefix`. */
export function assertNoneOnBoundary(prefix: Prefix, records: { ip: string; value: bigint }[], action: string, hint = ""): void {
  const bad = records.filter((r) => !isUsable(prefix, r.value));
  if (bad.length === 0) return;
  const names = bad.slice(0, 5).map((r) => r.ip);
  throw new ApiError(
    "address_on_boundary",
    `${action}: ${names.join(", ")}${bad.length > 5 ? ` and ${bad.length - 5} more` : ""} would become ${unusableName(prefix)} of ${formatCidr(prefix)}${hint}`,
    { addresses: bad.map((r) => r.ip), subnet: formatCidr(prefix) },
  );
}

/** What an unusable address of `prefix` is called: IPv6 has no broadcast, only the subnet-router anycast address. */
export function unusableName(prefix: Prefix): string {
  return prefix.family === 4 ? "the network or broadcast address" : "the subnet-router anycast address";
}
