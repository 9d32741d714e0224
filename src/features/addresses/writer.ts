/**
 * Recording addresses inside an IPAM write: the placement rules (inside the subnet, usable,
 * not inside a child) and the rows to insert, shared by the address routes and by `gateway`
 * on subnet creation. Memory only: the values are taken in the allocator (journaled) and the
 * rows and activity entries are described, for the store to write in the same transaction
 * (store/ipam.ts: a batch on the hot path, or the caller's ipam.write).
 */
import { actorOf, type Principal } from "../../auth/principal";
import { ApiError } from "../../http/errors";
import { containsIp, formatIp, ipv4MappedError, isUsable, type AllocationRequest, type Ip } from "../../ip";
import { keyOf, nowIso } from "../../ipam/codec";
import type { Journal } from "../../ipam/journal";
import type { IpamMemory } from "../../ipam/memory";
import type { SubnetState } from "../../ipam/registry";
import { AddressInUse, type AddressWrite } from "../../store/ipam";
import type { Queries } from "../../store/store";
import type { Address } from "./model";
import { toAddress } from "./repo";

/** The editable fields of a record, already normalised. */
export interface AddressFields {
  hostname: string;
  status: Address["status"];
  owner: string;
  mac: string | null;
  description: string;
}

/** The fields plus an expiry deadline in epoch ms (issue 13); absent or null: kept. */
export type NewFields = AddressFields & { expiresAt?: number | null };

export function addressWriter(memory: IpamMemory) {
  /** Throws the 400 that says why `ip` cannot be recorded directly in `state`. */
  function assertPlaceable(state: SubnetState, ip: Ip, field: string): void {
    const text = formatIp(ip);
    if (!containsIp(state.prefix, ip)) {
      throw new ApiError("ip_not_in_subnet", `${text} is not inside subnet ${state.cidr}`, { field, subnet: state.cidr });
    }
    // Shares its storage key with the IPv4 address it maps; that one is what to record.
    const mapped = ipv4MappedError(ip);
    if (mapped) throw new ApiError("ip_not_usable", mapped.message, { field, subnet: state.cidr });
    if (!isUsable(state.prefix, ip.value)) {
      const which =
        ip.value === state.prefix.network
          ? state.prefix.family === 4 ? "the network address" : "the subnet-router anycast address"
          : "the broadcast address";
      throw new ApiError("ip_not_usable", `${text} is ${which} of ${state.cidr} and cannot be assigned`, { field, subnet: state.cidr });
    }
    if (state.allocator.coveringRange(ip.value) !== null) {
      const childId = memory.tree(state.orgId, state.vrf)!.mostSpecific(ip)!;
      const child = memory.subnet(state.orgId, childId)!;
      throw new ApiError(
        "ip_in_child_subnet",
        `${text} lies inside the child subnet ${child.cidr}; record it there (POST /api/v1/subnets/${child.id}/addresses)`,
        { field, child_id: child.id, child_cidr: child.cidr },
      );
    }
  }

  /** Rows and activity entries for `values` (already taken in memory). */
  function rowsFor(p: Principal, state: SubnetState, values: bigint[], journal: Journal, withExpiry: NewFields): AddressWrite<Address[]> {
    const at = nowIso();
    const actor = actorOf(p);
    const { expiresAt, ...fields } = withExpiry;
    const expires_at = expiresAt == null ? null : new Date(expiresAt).toISOString();
    const out: AddressWrite<Address[]> = { insert: [], activity: [], value: [] };
    for (const value of values) {
      // Time-ordered UUIDs (v7): new rows append to the primary-key index instead of
      // dirtying a random page per insert, which is most of the cost of a commit.
      const id = Bun.randomUUIDv7();
      const ip = formatIp({ family: state.prefix.family, value });
      const ipKey = keyOf(state.prefix.family, value);
      // An expired record of this address may still have a row (not swept): the store deletes it first.
      if (memory.takeLapsed(journal, state, value)) (out.replace ??= []).push({ vrf: state.vrf, ipKey, ip });
      if (expiresAt != null) memory.setExpiry(journal, state, value, expiresAt);
      out.insert.push({ id, subnetId: state.id, vrf: state.vrf, ip, ipKey, ...fields, expiresAt: expires_at, at });
      const changes = changesOfCreate(ip, state.id, fields);
      if (expires_at !== null) changes.expires_at = [null, expires_at];
      out.activity.push({ orgId: state.orgId, actor, action: "address.create", target: { type: "address", id, label: ip }, at, changes });
      out.value.push({ id, subnet_id: state.id, ip, ...fields, expires_at, created_at: at, updated_at: at });
    }
    out.numbered = (first) => out.value.forEach((a, i) => (a.number = first + i));
    return out;
  }

  return {
    assertPlaceable,
    /** Records one given address; AddressInUse when it is taken (the service names the record). */
    recordAt(journal: Journal, p: Principal, state: SubnetState, ip: Ip, fields: NewFields, field = "ip"): AddressWrite<Address> {
      assertPlaceable(state, ip, field);
      if (memory.take(journal, state, ip.value) !== "ok") throw new AddressInUse(state.vrf, keyOf(ip.family, ip.value), formatIp(ip), field);
      const out = rowsFor(p, state, [ip.value], journal, fields);
      return { ...out, value: out.value[0]! };
    },
    /** Allocates the `n` lowest free addresses, all or nothing; 409 subnet_full when short. */
    allocate(journal: Journal, p: Principal, state: SubnetState, n: number, fields: NewFields): AddressWrite<Address[]> {
      const values = memory.allocate(journal, state, n);
      if (values === null) {
        const available = state.allocator.allocatable();
        throw new ApiError(
          "subnet_full",
          available === 0n
            ? `Subnet ${state.cidr} is full`
            : `Subnet ${state.cidr} has only ${available} free address${available === 1n ? "" : "es"}; ${n} requested`,
          { requested: n, available: Number(available) },
        );
      }
      return rowsFor(p, state, values, journal, fields);
    },
    /** A constrained allocation (placement.ts), all or nothing; 409 subnet_full when nothing fits. */
    allocateWhere(journal: Journal, p: Principal, state: SubnetState, request: AllocationRequest, fields: NewFields): AddressWrite<Address[]> {
      const values = memory.allocateWhere(journal, state, request);
      if (values === null) {
        const n = request.count ?? 1;
        const what = request.contiguous === true && n > 1 ? `no free block of ${n} addresses` : n === 1 ? "no free address" : `fewer than ${n} free addresses`;
        throw new ApiError("subnet_full", `Subnet ${state.cidr} has ${what} where the request allows`, {
          requested: n,
          ...(request.contiguous === true ? { contiguous: true } : {}),
        });
      }
      return rowsFor(p, state, values, journal, fields);
    },
    /**
     * Records every value of a range, all or nothing: the first taken one is 409
     * address_in_use (the service names its record), one inside a child subnet 400.
     */
    reserve(journal: Journal, p: Principal, state: SubnetState, values: bigint[], fields: NewFields): AddressWrite<Address[]> {
      const taken = memory.takeAll(journal, state, values);
      if (!taken.ok) {
        const ip = { family: state.prefix.family, value: taken.value };
        assertPlaceable(state, ip, "start"); // a child subnet: its own 400
        throw new AddressInUse(state.vrf, keyOf(ip.family, ip.value), formatIp(ip), "start");
      }
      return rowsFor(p, state, values, journal, fields);
    },
  };
}

/** Writes what a writer described, inside the caller's unit (ipam.write). */
export async function writeRows(q: Queries, orgId: string, out: AddressWrite<unknown>): Promise<void> {
  if (out.insert.length > 0) out.numbered?.(await q.addresses.insertMany(orgId, out.insert));
  for (const entry of out.activity) await q.activity.record(entry);
}

/** The 409 for a taken address, naming the record that holds it (read in `q`). */
export async function inUseError(q: Queries, orgId: string, e: AddressInUse): Promise<ApiError> {
  const existing = e.existing ?? (await q.addresses.getByKey(orgId, e.vrf, e.ipKey));
  return new ApiError(
    "address_in_use",
    `${e.ip} is already in use${existing?.hostname ? ` by ${existing.hostname}` : ""}`,
    existing ? { field: e.field, address: toAddress(existing) } : { field: e.field },
  );
}

function changesOfCreate(ip: string, subnetId: string, f: AddressFields): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = { ip: [null, ip], subnet_id: [null, subnetId], status: [null, f.status] };
  if (f.hostname) changes.hostname = [null, f.hostname];
  if (f.owner) changes.owner = [null, f.owner];
  if (f.mac) changes.mac = [null, f.mac];
  if (f.description) changes.description = [null, f.description];
  return changes;
}
