/**
 * POST /subnets/{id}/split (API.md §6): equal children under a subnet that has none,
 * addresses moved into them, all or nothing. Everything here is one pass: the subnet's
 * records are read once and dealt to parts by arithmetic.
 *
 * At most MAX_SPLIT_PARTS parts. A split is one synchronous write transaction, and each part
 * costs ~40 µs (an INSERT, a tree insert, an allocator, its JSON in the answer): 65,536 parts
 * held every organization's requests for 3–11 s and answered 26 MB; 1,024 take ~40–100 ms and
 * answer ~420 KB. Finer layouts are made by splitting a part again.
 */
import { assertPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import { ApiError, notFound } from "../../http/errors";
import { familyBits, formatCidr, isUsable, lastAddress, splitPrefix, type Prefix } from "../../ip";
import { keyOf, nowIso, valueOfKey } from "../../ipam/codec";
import type { IpamDeps } from "../../ipam/deps";
import { ipamWrite } from "../../ipam/journal";
import { recordActivity } from "../activity/record";
import { addressRepo } from "../addresses/repo";
import type { Subnet } from "./model";
import { subnetRepo } from "./repo";
import { unusableName } from "./service";
import { subnetView } from "./view";

export const MAX_SPLIT_PARTS = 1024;
const MAX_SPLIT_BITS = Math.log2(MAX_SPLIT_PARTS);

export function subnetSplitter(deps: IpamDeps) {
  const { database, registry } = deps;
  const repo = subnetRepo(database);
  const addresses = addressRepo(database);

  /** The children's prefix length from `{parts}` or `{prefix_length}`, or a 400. */
  function targetLength(prefix: Prefix, body: { parts?: number; prefix_length?: number }): number {
    const bits = familyBits(prefix.family);
    if ((body.parts === undefined) === (body.prefix_length === undefined)) {
      throw new ApiError("validation_failed", 'body: give exactly one of "parts" or "prefix_length"', { field: "parts" });
    }
    if (body.parts !== undefined) {
      const parts = body.parts;
      if (parts < 2 || parts > MAX_SPLIT_PARTS || (parts & (parts - 1)) !== 0) {
        throw new ApiError("validation_failed", `field "parts": must be a power of two from 2 to ${MAX_SPLIT_PARTS.toLocaleString("en-US")} (split a part again for a finer layout)`, { field: "parts" });
      }
      const length = prefix.length + Math.log2(parts);
      if (length > bits) {
        throw new ApiError("validation_failed", `field "parts": a /${prefix.length} cannot be split into ${parts} parts`, { field: "parts" });
      }
      return length;
    }
    const length = body.prefix_length!;
    if (length <= prefix.length || length > bits) {
      throw new ApiError("validation_failed", `field "prefix_length": must be between ${prefix.length + 1} and ${bits}`, { field: "prefix_length" });
    }
    if (length - prefix.length > MAX_SPLIT_BITS) {
      throw new ApiError(
        "validation_failed",
        `field "prefix_length": /${length} would make ${2 ** (length - prefix.length) > 1e6 ? "millions of" : (2 ** (length - prefix.length)).toLocaleString("en-US")} parts; at most ${MAX_SPLIT_PARTS.toLocaleString("en-US")} (/${prefix.length + MAX_SPLIT_BITS}), split a part again for a finer layout`,
        { field: "prefix_length" },
      );
    }
    return length;
  }

  return {
    split(p: Principal, id: string, body: { parts?: number; prefix_length?: number }): Promise<{ items: Subnet[] }> {
      requireWrite(p);
      return ipamWrite(database, registry, p.orgId, (journal) => {
        const row = repo.get(p.orgId, id);
        const state = row ? registry.subnet(p.orgId, id) : undefined;
        if (!row || !state) throw notFound("subnet");
        const length = targetLength(state.prefix, body);
        const tree = registry.tree(p.orgId, state.vrf)!;
        if (tree.childrenOf(id).length > 0) {
          throw new ApiError("subnet_has_children", `Subnet ${state.cidr} already has child subnets; split works on a subnet without children`);
        }
        const pieces = splitPrefix(state.prefix, length, MAX_SPLIT_PARTS);
        if (!Array.isArray(pieces)) throw new ApiError("validation_failed", pieces.message, { field: "prefix_length" });
        assertPlanAllows(database.sqlite, p.orgId, "subnets", pieces.length);

        // Deal the records to parts: part index = offset >> (host bits of a part).
        const shift = BigInt(familyBits(state.prefix.family) - length);
        const perPart = new Map<number, bigint[]>();
        const onBoundary: string[] = [];
        for (const r of addresses.keysOfSubnet(id)) {
          const value = valueOfKey(r.ip_key, state.prefix.family);
          const index = Number((value - state.prefix.network) >> shift);
          if (!isUsable(pieces[index]!, value)) onBoundary.push(r.ip);
          let list = perPart.get(index);
          if (!list) perPart.set(index, (list = []));
          list.push(value);
        }
        if (onBoundary.length > 0) {
          throw new ApiError(
            "address_on_boundary",
            `cannot split ${state.cidr}: ${onBoundary.slice(0, 5).join(", ")}${onBoundary.length > 5 ? ` and ${onBoundary.length - 5} more` : ""} would become ${unusableName(state.prefix).replace(/^the /, "a ")} of its part`,
            { addresses: onBoundary },
          );
        }

        const at = nowIso();
        const items: Subnet[] = [];
        pieces.forEach((piece, index) => {
          // Time-ordered ids append to the primary-key index instead of touching a random page each (see addresses/writer.ts).
          const childId = Bun.randomUUIDv7();
          const moved = perPart.get(index) ?? [];
          const added = registry.addSubnet(journal, { id: childId, orgId: p.orgId, vrf: state.vrf, prefix: piece, moved });
          if (!added.ok) throw new Error(`split: ${formatCidr(piece)} already exists under a childless subnet`);
          const cidr = formatCidr(piece);
          const networkKey = keyOf(piece.family, piece.network);
          const fields = { sectionId: row.section_id, name: "", description: "", vlan: null };
          repo.insert(p.orgId, { id: childId, parentId: id, vrf: state.vrf, family: piece.family, networkKey, prefixLength: piece.length, cidr, at, ...fields });
          if (moved.length > 0) addresses.moveRange(childId, id, networkKey, keyOf(piece.family, lastAddress(piece)));
          items.push(
            subnetView(registry.subnet(p.orgId, childId)!, {
              id: childId,
              name: "",
              description: "",
              section_id: row.section_id,
              vlan: null,
              parent_id: id,
              created_at: at,
              updated_at: at,
            }),
          );
        });
        recordActivity(database, {
          orgId: p.orgId,
          actor: actorOf(p),
          action: "subnet.split",
          target: { type: "subnet", id, label: state.cidr },
          at,
          changes: { children: [0, pieces.length], prefix_length: [null, length] },
        });
        return { items };
      });
    },
  };
}
