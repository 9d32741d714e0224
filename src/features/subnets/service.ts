/**
 * Rules for subnets (API.md §6): automatic nesting and adoption, duplicate refusal per VRF,
 * addresses kept in the most specific subnet, gateway records, immutable cidr/vrf, delete
 * moving children and addresses up. Memory and rows change in one store IPAM write (store/ipam.ts).
 */
import { checkPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import { ApiError, notFound } from "../../http/errors";
import { containsIp, formatCidr, ipv4MappedPrefixError, isUsable, lastAddress, parseCidr } from "../../ip";
import { badCursor, decodeCursor, encodeCursor, keyFromHex, keyHex, keyOf, nowIso, requireCidr, requireIp, valueOfKey } from "../../ipam/codec";
import { ipInputError } from "../../http/ip-input";
import { DEFAULT_LIMIT } from "../../http/pagination";
import type { StoreDeps } from "../../app";
import { AddressInUse } from "../../store/ipam";
import type { Queries } from "../../store/store";
import { addressWriter, inUseError, writeRows } from "../addresses/writer";
import type { Subnet, SubnetCreate, SubnetListFilters, SubnetPatch } from "./model";
import { assertVrf } from "../vrfs/check";
import { assertNoneOnBoundary, placeSubnet } from "./placement";
import type { SubnetSortKey } from "./repo";
import { viewRow } from "./view";

export function subnetService(deps: Pick<StoreDeps, "store">) {
  const ipam = deps.store.ipam;
  const { memory } = ipam;
  const writer = addressWriter(memory);

  async function mustRow(q: Queries, orgId: string, id: string) {
    const row = await q.subnets.get(orgId, id);
    if (!row) throw notFound("subnet");
    return row;
  }

  async function assertSection(q: Queries, orgId: string, sectionId: string | null | undefined): Promise<void> {
    // Any string must name a section of the organization: "" too (it used to slip through
    // and fail the foreign key as a 500).
    if (sectionId !== null && sectionId !== undefined && !(await q.sections.get(orgId, sectionId))) {
      throw new ApiError("not_found", "section not found", { field: "section_id" });
    }
  }

  return {
    list(p: Principal, q: SubnetListFilters) {
      return ipam.read(p.orgId, async (queries, fresh) => {
        let ids: string[] | undefined;
        if (q.contains !== undefined) {
          const ip = requireIp(q.contains, "contains");
          ids = [];
          const trees = q.vrf !== undefined ? [memory.tree(p.orgId, q.vrf)].filter((t) => t !== undefined) : memory.treesOf(p.orgId);
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
        // A parent's children lie inside its range: the page walks only that range.
        const parent = q.parent_id === undefined ? undefined : memory.subnet(p.orgId, q.parent_id);
        const within = parent && {
          vrf: parent.vrf,
          family: parent.prefix.family,
          first: keyOf(parent.prefix.family, parent.prefix.network),
          last: keyOf(parent.prefix.family, lastAddress(parent.prefix)),
        };
        const filters = {
          sectionId: q.section_id,
          vrf: q.vrf,
          parentId: q.parent_id,
          within,
          root: q.root === undefined ? undefined : q.root === "true",
          family: q.family === undefined ? undefined : Number(q.family),
          ids,
          q: q.q,
        };
        const { rows, total, more } = await queries.subnets.list(p.orgId, filters, q.limit ?? DEFAULT_LIMIT, after);
        await fresh(rows.map((r) => r.id));
        const last = rows[rows.length - 1];
        return {
          items: rows.map((row) => viewRow(memory, p.orgId, row)),
          total,
          next_cursor: more && last ? encodeCursor([last.vrf, last.family, keyHex(last.network_key), last.prefix_length]) : null,
        };
      });
    },

    get(p: Principal, id: string): Promise<Subnet> {
      return ipam.read(
        p.orgId,
        async (q, fresh) => {
          const row = await mustRow(q, p.orgId, id);
          // Its children with their descendants too: utilization counts the records below it.
          const state = memory.subnet(p.orgId, id);
          if (state) await fresh(memory.tree(p.orgId, state.vrf)!.childrenOf(id));
          return viewRow(memory, p.orgId, row);
        },
        [id],
      );
    },

    async create(p: Principal, body: SubnetCreate): Promise<Subnet> {
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
      try {
        return await ipam.write(p.orgId, async (q, journal) => {
          await checkPlanAllows(q, p.orgId, "subnets");
          await assertSection(q, p.orgId, body.section_id);
          await assertVrf(q, p.orgId, vrf);
          const id = crypto.randomUUID();
          const at = nowIso();
          const placed = await placeSubnet(q, memory, journal, {
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
          await q.activity.record({
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
            await checkPlanAllows(q, p.orgId, "addresses");
            const state = memory.subnet(p.orgId, id)!;
            const fields = { hostname: "", status: "gateway" as const, owner: "", mac: null, description: "gateway" };
            await writeRows(q, p.orgId, writer.recordAt(journal, p, state, gateway, fields, "gateway"));
          }
          return viewRow(memory, p.orgId, await mustRow(q, p.orgId, id));
        });
      } catch (error) {
        if (error instanceof AddressInUse) throw await ipam.read(p.orgId, (q) => inUseError(q, p.orgId, error));
        throw error;
      }
    },

    update(p: Principal, id: string, body: SubnetPatch): Promise<Subnet> {
      requireWrite(p);
      // Rows only (name, description, section, VLAN); through ipam.write so that the answer's
      // utilization comes from memory that is current.
      return ipam.write(p.orgId, async (q) => {
        const before = await mustRow(q, p.orgId, id);
        if (body.cidr !== undefined && !sameCidr(body.cidr, before.cidr)) {
          throw new ApiError("immutable_field", 'field "cidr" cannot change; create the new subnet and delete this one', { field: "cidr" });
        }
        if (body.vrf !== undefined && body.vrf !== before.vrf) {
          throw new ApiError("immutable_field", 'field "vrf" cannot change', { field: "vrf" });
        }
        if (body.section_id !== undefined) await assertSection(q, p.orgId, body.section_id);
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
          await q.subnets.update(p.orgId, id, { name: after.name, description: after.description, sectionId: after.section_id, vlan: after.vlan, at });
          await q.activity.record({ orgId: p.orgId, actor: actorOf(p), action: "subnet.update", target: { type: "subnet", id, label: before.cidr }, changes, at });
        }
        return viewRow(memory, p.orgId, await mustRow(q, p.orgId, id));
      });
    },

    /** Deletes a subnet; children and addresses move to its parent (or 409 / `force`). */
    async remove(p: Principal, id: string, force: boolean): Promise<void> {
      requireWrite(p);
      await ipam.write(p.orgId, async (q, journal) => {
        const row = await mustRow(q, p.orgId, id);
        const state = memory.subnet(p.orgId, id)!;
        const tree = memory.tree(p.orgId, state.vrf)!;
        const parentId = tree.parentIdOf(id) ?? null;
        const records = (await q.addresses.keysOfSubnet(id)).map((r) => ({ id: r.id, ip: r.ip, value: valueOfKey(r.ip_key, state.prefix.family) }));
        if (parentId === null && records.length > 0 && !force) {
          throw new ApiError(
            "subnet_not_empty",
            `Subnet ${state.cidr} holds ${records.length} address${records.length === 1 ? "" : "es"} and has no parent to move them to; delete them first or pass ?force=true`,
            { addresses: records.length },
          );
        }
        const parent = parentId === null ? undefined : memory.subnet(p.orgId, parentId)!;
        // Records that would land on the parent's network/broadcast (anycast) address cannot
        // move up: 409 naming them, or with ?force=true they are deleted with the subnet.
        if (parent && !force) assertNoneOnBoundary(parent.prefix, records, `cannot delete ${state.cidr}`, "; delete them first or pass ?force=true");
        const stranded = parent ? records.filter((r) => !isUsable(parent.prefix, r.value)) : [];
        const moving = parent ? records.filter((r) => isUsable(parent.prefix, r.value)) : [];
        memory.removeSubnet(journal, state, moving.map((r) => r.value));
        await q.subnets.reparentChildren(p.orgId, id, parentId);
        for (const r of stranded) await q.addresses.remove(p.orgId, r.id);
        const deleted = parent ? stranded.length : await q.addresses.deleteAll(id);
        if (parent) await q.addresses.moveAll(parent.id, id);
        await q.subnets.remove(p.orgId, id);
        await q.activity.record({
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
