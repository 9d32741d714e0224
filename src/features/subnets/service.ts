/**
 * Rules for subnets (API.md §6): automatic nesting and adoption, duplicate refusal per VRF,
 * addresses kept in the most specific subnet, gateway records, immutable cidr/vrf, delete
 * moving children and addresses up. Memory (registry) and rows change in one ipamWrite.
 */
import { assertPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import { ApiError, notFound } from "../../http/errors";
import { containsIp, formatCidr, ipv4MappedPrefixError, isUsable, parseCidr } from "../../ip";
import { badCursor, decodeCursor, encodeCursor, keyFromHex, keyHex, nowIso, requireCidr, requireIp, valueOfKey } from "../../ipam/codec";
import { ipInputError } from "../../http/ip-input";
import type { IpamDeps } from "../../ipam/deps";
import { ipamWrite } from "../../ipam/journal";
import { DEFAULT_LIMIT } from "../../http/pagination";
import { recordActivity } from "../activity/record";
import { addressRepo } from "../addresses/repo";
import { addressWriter } from "../addresses/writer";
import type { Subnet, SubnetCreate, SubnetListFilters, SubnetPatch } from "./model";
import { vrfChecker } from "../vrfs/check";
import { assertNoneOnBoundary, subnetPlacement } from "./placement";
import { subnetRepo, type SubnetSortKey } from "./repo";
import { viewRow } from "./view";

export function subnetService(deps: IpamDeps) {
  const { database, registry } = deps;
  const repo = subnetRepo(database);
  const addresses = addressRepo(database);
  const writer = addressWriter(deps);
  const placeSubnet = subnetPlacement(deps);
  const vrfs = vrfChecker(database);

  function mustRow(orgId: string, id: string) {
    const row = repo.get(orgId, id);
    if (!row) throw notFound("subnet");
    return row;
  }

  function assertSection(orgId: string, sectionId: string | null | undefined): void {
    // Any string must name a section of the organization: "" too (it used to slip through
    // and fail the foreign key as a 500).
    if (sectionId !== null && sectionId !== undefined && !repo.sectionExists(orgId, sectionId)) {
      throw new ApiError("not_found", "section not found", { field: "section_id" });
    }
  }

  return {
    async list(p: Principal, q: SubnetListFilters) {
      await registry.readyForRead(p.orgId);
      let ids: string[] | undefined;
      if (q.contains !== undefined) {
        const ip = requireIp(q.contains, "contains");
        ids = [];
        const trees = q.vrf !== undefined ? [registry.tree(p.orgId, q.vrf)].filter((t) => t !== undefined) : registry.treesOf(p.orgId);
        for (const tree of trees) {
          for (let id = tree.mostSpecific(ip); id !== null; id = tree.parentIdOf(id) ?? null) ids.push(id);
        }
      }
      let after: SubnetSortKey | undefined;
      if (q.cursor) {
        const [vrf, family, hex, length] = decodeCursor(q.cursor);
        const key = keyFromHex(hex);
        if (typeof vrf !== "string" || (family !== 4 && family !== 6) || !key || typeof length !== "number") throw badCursor();
        after = [vrf, family, key, length];
      }
      const filters = {
        sectionId: q.section_id,
        vrf: q.vrf,
        parentId: q.parent_id,
        root: q.root === undefined ? undefined : q.root === "true",
        family: q.family === undefined ? undefined : Number(q.family),
        ids,
        q: q.q,
      };
      const { rows, total, more } = repo.list(p.orgId, filters, q.limit ?? DEFAULT_LIMIT, after);
      const last = rows[rows.length - 1];
      return {
        items: rows.map((row) => viewRow(registry, p.orgId, row)),
        total,
        next_cursor: more && last ? encodeCursor([last.vrf, last.family, keyHex(last.network_key), last.prefix_length]) : null,
      };
    },

    async get(p: Principal, id: string): Promise<Subnet> {
      await registry.readyForRead(p.orgId);
      return viewRow(registry, p.orgId, mustRow(p.orgId, id));
    },

    create(p: Principal, body: SubnetCreate): Promise<Subnet> {
      requireWrite(p);
      const prefix = requireCidr(body.cidr, "cidr");
      const mapped = ipv4MappedPrefixError(prefix);
      if (mapped) throw ipInputError("cidr", mapped, "invalid_cidr");
      const cidr = formatCidr(prefix);
      const vrf = body.vrf ?? "default";
      const gateway = body.gateway === undefined ? undefined : requireIp(body.gateway, "gateway");
      if (gateway && !containsIp(prefix, gateway)) {
        throw new ApiError("ip_not_in_subnet", `field "gateway": ${body.gateway} is not inside ${cidr}`, { field: "gateway" });
      }
      return ipamWrite(database, registry, p.orgId, (journal) => {
        assertPlanAllows(database.sqlite, p.orgId, "subnets");
        assertSection(p.orgId, body.section_id);
        vrfs.assert(p.orgId, vrf);
        const id = crypto.randomUUID();
        const at = nowIso();
        const placed = placeSubnet(journal, {
          id,
          orgId: p.orgId,
          vrf,
          prefix,
          sectionId: body.section_id ?? null,
          name: body.name ?? "",
          description: body.description ?? "",
          vlan: body.vlan ?? null,
          at,
        });
        recordActivity(database, {
          orgId: p.orgId,
          actor: actorOf(p),
          action: "subnet.create",
          target: { type: "subnet", id, label: cidr },
          at,
          changes: {
            cidr: [null, cidr],
            vrf: [null, vrf],
            parent_id: [null, placed.parentId],
            ...(body.name ? { name: [null, body.name] } : {}),
            ...(body.section_id ? { section_id: [null, body.section_id] } : {}),
            ...(body.vlan ? { vlan: [null, body.vlan] } : {}),
            ...(placed.adopted.length ? { children_adopted: [0, placed.adopted.length] } : {}),
            ...(placed.moved ? { addresses_moved_in: [0, placed.moved] } : {}),
          },
        });
        if (gateway) {
          assertPlanAllows(database.sqlite, p.orgId, "addresses");
          const state = registry.subnet(p.orgId, id)!;
          writer.recordAt(journal, p, state, gateway, { hostname: "", status: "gateway", owner: "", mac: null, description: "gateway" }, "gateway");
        }
        return viewRow(registry, p.orgId, mustRow(p.orgId, id));
      });
    },

    update(p: Principal, id: string, body: SubnetPatch): Promise<Subnet> {
      requireWrite(p);
      return ipamWrite(database, registry, p.orgId, () => {
        const before = mustRow(p.orgId, id);
        if (body.cidr !== undefined && !sameCidr(body.cidr, before.cidr)) {
          throw new ApiError("immutable_field", 'field "cidr" cannot change; create the new subnet and delete this one', { field: "cidr" });
        }
        if (body.vrf !== undefined && body.vrf !== before.vrf) {
          throw new ApiError("immutable_field", 'field "vrf" cannot change', { field: "vrf" });
        }
        if (body.section_id !== undefined) assertSection(p.orgId, body.section_id);
        const after = {
          name: body.name ?? before.name,
          description: body.description ?? before.description,
          section_id: body.section_id === undefined ? before.section_id : body.section_id,
          vlan: body.vlan === undefined ? before.vlan : body.vlan,
        };
        const changes: Record<string, [unknown, unknown]> = {};
        for (const k of Object.keys(after) as (keyof typeof after)[]) if (after[k] !== before[k]) changes[k] = [before[k], after[k]];
        if (Object.keys(changes).length > 0) {
          const at = nowIso();
          repo.update(p.orgId, id, { name: after.name, description: after.description, sectionId: after.section_id, vlan: after.vlan, at });
          recordActivity(database, { orgId: p.orgId, actor: actorOf(p), action: "subnet.update", target: { type: "subnet", id, label: before.cidr }, changes, at });
        }
        return viewRow(registry, p.orgId, mustRow(p.orgId, id));
      });
    },

    /** Deletes a subnet; children and addresses move to its parent (or 409 / `force`). */
    async remove(p: Principal, id: string, force: boolean): Promise<void> {
      requireWrite(p);
      await ipamWrite(database, registry, p.orgId, (journal) => {
        const row = mustRow(p.orgId, id);
        const state = registry.subnet(p.orgId, id)!;
        const tree = registry.tree(p.orgId, state.vrf)!;
        const parentId = tree.parentIdOf(id) ?? null;
        const records = addresses.keysOfSubnet(id).map((r) => ({ id: r.id, ip: r.ip, value: valueOfKey(r.ip_key, state.prefix.family) }));
        if (parentId === null && records.length > 0 && !force) {
          throw new ApiError(
            "subnet_not_empty",
            `Subnet ${state.cidr} holds ${records.length} address${records.length === 1 ? "" : "es"} and has no parent to move them to; delete them first or pass ?force=true`,
            { addresses: records.length },
          );
        }
        const parent = parentId === null ? undefined : registry.subnet(p.orgId, parentId)!;
        // Records that would land on the parent's network/broadcast (anycast) address cannot
        // move up: 409 naming them, or with ?force=true they are deleted with the subnet.
        if (parent && !force) assertNoneOnBoundary(parent.prefix, records, `cannot delete ${state.cidr}`, "; delete them first or pass ?force=true");
        const stranded = parent ? records.filter((r) => !isUsable(parent.prefix, r.value)) : [];
        const moving = parent ? records.filter((r) => isUsable(parent.prefix, r.value)) : [];
        registry.removeSubnet(journal, state, moving.map((r) => r.value));
        repo.reparentChildren(p.orgId, id, parentId);
        for (const r of stranded) addresses.remove(p.orgId, r.id);
        const deleted = parent ? stranded.length : addresses.deleteAll(id);
        if (parent) addresses.moveAll(parent.id, id);
        repo.remove(p.orgId, id);
        recordActivity(database, {
          orgId: p.orgId,
          actor: actorOf(p),
          action: "subnet.delete",
          target: { type: "subnet", id, label: state.cidr },
          changes: {
            cidr: [state.cidr, null],
            name: [row.name, null],
            ...(moving.length ? { addresses_moved_to_parent: [moving.length, 0] } : {}),
            ...(deleted ? { addresses_deleted: [deleted, 0] } : {}),
          },
        });
      });
    },
  };
}

function sameCidr(given: unknown, stored: string): boolean {
  if (typeof given !== "string") return false;
  const parsed = parseCidr(given);
  return parsed.ok && formatCidr(parsed.value) === stored;
}

// Shared with split.ts, which words its own boundary refusal.
export { unusableName } from "./placement";
