/**
 * Recording addresses inside an IPAM write transaction: the placement rules (inside the
 * subnet, usable, not inside a child) and the insert, shared by the address routes and by
 * `gateway` on subnet creation. Callers run these inside `ipamWrite` so that a throw rolls
 * back both rows and memory.
 */
import { SQLiteError } from "bun:sqlite";
import { actorOf, type Principal } from "../../auth/principal";
import { ApiError } from "../../http/errors";
import { containsIp, formatIp, ipv4MappedError, isUsable, type Ip } from "../../ip";
import { keyOf, nowIso } from "../../ipam/codec";
import type { IpamDeps } from "../../ipam/deps";
import type { Journal } from "../../ipam/journal";
import type { SubnetState } from "../../ipam/registry";
import { recordActivity } from "../activity/record";
import type { Address } from "./model";
import { addressRepo, toAddress } from "./repo";

/** The editable fields of a record, already normalised. */
export interface AddressFields {
  hostname: string;
  status: Address["status"];
  owner: string;
  mac: string | null;
  description: string;
}

export function addressWriter(deps: Pick<IpamDeps, "database" | "registry">) {
  const { database, registry } = deps;
  const repo = addressRepo(database);

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
      const childId = registry.tree(state.orgId, state.vrf)!.mostSpecific(ip)!;
      const child = registry.subnet(state.orgId, childId)!;
      throw new ApiError(
        "ip_in_child_subnet",
        `${text} lies inside the child subnet ${child.cidr}; record it there (POST /api/v1/subnets/${child.id}/addresses)`,
        { field, child_id: child.id, child_cidr: child.cidr },
      );
    }
  }

  function inUse(state: SubnetState, ip: Ip, field = "ip"): ApiError {
    const existing = repo.getByKey(state.orgId, state.vrf, keyOf(ip.family, ip.value));
    return new ApiError(
      "address_in_use",
      `${formatIp(ip)} is already in use${existing?.hostname ? ` by ${existing.hostname}` : ""}`,
      existing ? { field, address: toAddress(existing) } : { field },
    );
  }

  /** Inserts rows for `values` (already taken in memory) and their activity entries. */
  function insertRows(p: Principal, state: SubnetState, values: bigint[], fields: AddressFields): Address[] {
    const at = nowIso();
    const actor = actorOf(p);
    const out: Address[] = [];
    for (const value of values) {
      // Time-ordered UUIDs (v7): new rows append to the primary-key index instead of
      // dirtying a random page per insert, which is most of the cost of a commit.
      const id = Bun.randomUUIDv7();
      const ip = formatIp({ family: state.prefix.family, value });
      try {
        repo.insert(state.orgId, { id, subnetId: state.id, vrf: state.vrf, ip, ipKey: keyOf(state.prefix.family, value), ...fields, at });
      } catch (error) {
        // The UNIQUE (org, vrf, ip_key) backstop: memory said free, the table disagrees.
        if (error instanceof SQLiteError && error.code === "SQLITE_CONSTRAINT_UNIQUE") throw inUse(state, { family: state.prefix.family, value });
        throw error;
      }
      recordActivity(database, {
        orgId: state.orgId,
        actor,
        action: "address.create",
        target: { type: "address", id, label: ip },
        at,
        changes: changesOfCreate(ip, state.id, fields),
      });
      out.push({ id, subnet_id: state.id, ip, ...fields, created_at: at, updated_at: at });
    }
    return out;
  }

  return {
    assertPlaceable,
    /** Records one given address. Caller is inside ipamWrite and has checked the plan. */
    recordAt(journal: Journal, p: Principal, state: SubnetState, ip: Ip, fields: AddressFields, field = "ip"): Address {
      assertPlaceable(state, ip, field);
      if (registry.take(journal, state, ip.value) !== "ok") throw inUse(state, ip, field);
      return insertRows(p, state, [ip.value], fields)[0]!;
    },
    /** Allocates the `n` lowest free addresses, all or nothing; 409 subnet_full when short. */
    allocate(journal: Journal, p: Principal, state: SubnetState, n: number, fields: AddressFields): Address[] {
      const values = registry.allocate(journal, state, n);
      if (values === null) {
        const available = state.allocator.counts().free;
        throw new ApiError(
          "subnet_full",
          available === 0n
            ? `Subnet ${state.cidr} is full`
            : `Subnet ${state.cidr} has only ${available} free address${available === 1n ? "" : "es"}; ${n} requested`,
          { requested: n, available: Number(available) },
        );
      }
      return insertRows(p, state, values, fields);
    },
  };
}

function changesOfCreate(ip: string, subnetId: string, f: AddressFields): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = { ip: [null, ip], subnet_id: [null, subnetId], status: [null, f.status] };
  if (f.hostname) changes.hostname = [null, f.hostname];
  if (f.owner) changes.owner = [null, f.owner];
  if (f.mac) changes.mac = [null, f.mac];
  if (f.description) changes.description = [null, f.description];
  return changes;
}

