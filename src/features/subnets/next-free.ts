/**
 * The next free subnet (issue 13): free aligned child blocks of a subnet, read and taken.
 *
 *     parent 10.20.0.0/16, children and records:
 *       [==/24==][==/24==][ free ][==/23===========][ free ][#rec][ free ] …
 *                          ^ first-free-subnet /24          ^ skipped: holds a record
 *
 * - GET first-free-subnet / free-subnets read the parent's allocator (SubnetAllocator.freeSubnets,
 *   src/ip/free-subnets.ts): the walk skips whole stretches of children and records, so a
 *   /64 out of a /32 costs what a /24 out of a /16 does; nothing is ever expanded.
 * - POST /subnets/{id}/subnets finds and places the children inside one `ipam.write`: on
 *   SQLite one IMMEDIATE transaction, on PostgreSQL the organization's lock (its ipam_versions
 *   row) and the parent's row (`{ subnets: [id] }`, as an address batch locks it), with the
 *   tree and the parent's allocator caught up first (store/pg/ipam.ts). Every writer that could
 *   put a subnet or a record into the parent holds one of those locks, so what the search saw
 *   free is still free when the rows go in: two callers, on one replica or two, never get the
 *   same block; address batches in other subnets of the organization are not held. Each child goes through `placeSubnet`, the one path of
 *   POST /subnets (nesting, plan, folders, activity), so nothing here can leave what that
 *   route would not.
 */
import { checkPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import type { StoreDeps } from "../../app";
import { ApiError, notFound } from "../../http/errors";
import { DEFAULT_LIMIT } from "../../http/pagination";
import { familyBits, formatCidr, type Prefix } from "../../ip";
import { badCursor, decodeCursor, encodeCursor, keyFromHex, keyHex, keyOf, nowIso, valueOfKey } from "../../ipam/codec";
import type { SubnetState } from "../../ipam/org-loader";
import type { Queries } from "../../store/store";
import type { Subnet } from "./model";
import type { FirstFreeSubnetFilters, FreeSubnetsFilters, NextFreeSubnet } from "./next-free-model";
import { placeSubnet } from "./placement";
import { subnetView } from "./view";

export function nextFreeSubnets(deps: Pick<StoreDeps, "store">) {
  const ipam = deps.store.ipam;
  const { memory } = ipam;

  /** The parent in memory (brought up to date by the caller's read or write), else 404. */
  function mustState(orgId: string, id: string): SubnetState {
    const state = memory.subnet(orgId, id);
    if (!state) throw notFound("subnet");
    return state;
  }

  /** 400 unless a child of `parent` may be a /length. */
  function checkLength(parent: SubnetState, length: number): void {
    const bits = familyBits(parent.prefix.family);
    if (!Number.isInteger(length) || length <= parent.prefix.length || length > bits) {
      const range = parent.prefix.length < bits ? `from /${parent.prefix.length + 1} to /${bits}` : "none: it is a single address";
      throw new ApiError("validation_failed", `field "prefix_length": a child of ${parent.cidr} has a prefix length ${range}`, {
        field: "prefix_length",
      });
    }
  }

  /** The largest free aligned block below /length (for the refusal's sentence), or null. */
  function largestFreeBelow(parent: SubnetState, length: number): Prefix | null {
    for (let l = length + 1; l <= familyBits(parent.prefix.family); l++) {
      const [found] = parent.allocator.freeSubnets(l, { limit: 1 });
      if (found) return found;
    }
    return null;
  }

  return {
    /** GET /subnets/{id}/first-free-subnet: `{cidr}` or `{cidr: null}`. */
    firstFree: (p: Principal, id: string, query: FirstFreeSubnetFilters): Promise<{ cidr: string | null }> =>
      ipam.read(
        p.orgId,
        async () => {
          const parent = mustState(p.orgId, id);
          checkLength(parent, query.prefix_length);
          const [found] = parent.allocator.freeSubnets(query.prefix_length, { limit: 1, from: query.from });
          return { cidr: found ? formatCidr(found) : null };
        },
        [id],
      ),

    /** GET /subnets/{id}/free-subnets: a page of free blocks in walk order, keyset-paged by the last block. */
    list: (p: Principal, id: string, query: FreeSubnetsFilters) =>
      ipam.read(
        p.orgId,
        async () => {
          const parent = mustState(p.orgId, id);
          const length = query.prefix_length;
          checkLength(parent, length);
          const from = query.from ?? "start";
          let after: bigint | undefined;
          if (query.cursor !== undefined) {
            // The cursor names the last block shown, its length and direction: another query's cursor is refused.
            const [hex, l, f] = decodeCursor(query.cursor);
            const key = keyFromHex(hex);
            if (!key || l !== length || f !== from) throw badCursor();
            after = valueOfKey(key, parent.prefix.family);
          }
          const limit = query.limit ?? DEFAULT_LIMIT;
          const found = parent.allocator.freeSubnets(length, { limit: limit + 1, from, after });
          const page = found.slice(0, limit);
          const last = page.at(-1);
          return {
            items: page.map((b) => ({ cidr: formatCidr(b) })),
            next_cursor: found.length > limit && last ? encodeCursor([keyHex(keyOf(last.family, last.network)), length, from]) : null,
          };
        },
        [id],
      ),

    /** POST /subnets/{id}/subnets: the lowest (or highest) free child, or `count` of them, all or nothing. */
    async create(p: Principal, id: string, body: NextFreeSubnet): Promise<Subnet | { items: Subnet[] }> {
      requireWrite(p);
      const n = body.count ?? 1;
      return ipam.write(p.orgId, async (q, journal) => {
        const row = await q.subnets.get(p.orgId, id);
        if (!row) throw notFound("subnet");
        const parent = mustState(p.orgId, id);
        checkLength(parent, body.prefix_length);
        const sectionId = body.section_id === undefined ? row.section_id : body.section_id;
        if (sectionId !== null && !(await q.sections.get(p.orgId, sectionId))) {
          throw new ApiError("not_found", "section not found", { field: "section_id" });
        }
        const blocks = parent.allocator.freeSubnets(body.prefix_length, { limit: n, from: body.from });
        if (blocks.length < n) throw full(parent, body.prefix_length, n, blocks.length);
        await checkPlanAllows(q, p.orgId, "subnets", n);
        const at = nowIso();
        const actor = actorOf(p);
        const fields = { name: body.name ?? "", description: body.description ?? "", vlan: body.vlan ?? null };
        const items: Subnet[] = [];
        for (const block of blocks) {
          const childId = Bun.randomUUIDv7();
          const placed = await placeSubnet(q, memory, journal, { id: childId, orgId: p.orgId, vrf: parent.vrf, prefix: block, sectionId, at, ...fields });
          await recordCreate(q, p.orgId, actor, childId, placed.cidr, parent, { sectionId, ...fields }, at);
          items.push(
            subnetView(memory, mustState(p.orgId, childId), {
              id: childId,
              section_id: sectionId,
              parent_id: placed.parentId,
              number: placed.number,
              created_at: at,
              updated_at: at,
              ...fields,
            }),
          );
        }
        return body.count === undefined ? items[0]! : { items };
      }, { subnets: [id] });
    },
  };

  /** 409 subnet_full: how many fit, and the largest block that is still free when none does. */
  function full(parent: SubnetState, length: number, requested: number, available: number): ApiError {
    const details: Record<string, unknown> = { prefix_length: length, requested, available };
    if (available > 0) {
      return new ApiError("subnet_full", `Only ${available} free /${length} block${available === 1 ? "" : "s"} left in ${parent.cidr}; ${requested} requested`, details);
    }
    const largest = largestFreeBelow(parent, length);
    details.largest_free = largest ? formatCidr(largest) : null;
    return new ApiError(
      "subnet_full",
      `No free /${length} in ${parent.cidr}; ${largest ? `the largest free block is ${formatCidr(largest)}` : "it has no free block at all"}`,
      details,
    );
  }
}

/** The same `subnet.create` activity as POST /subnets, naming the parent it was carved from. */
function recordCreate(
  q: Queries,
  orgId: string,
  actor: ReturnType<typeof actorOf>,
  id: string,
  cidr: string,
  parent: SubnetState,
  f: { sectionId: string | null; name: string; vlan: number | null },
  at: string,
): Promise<void> {
  return q.activity.record({
    orgId,
    actor,
    action: "subnet.create",
    target: { type: "subnet", id, label: cidr },
    at,
    changes: {
      cidr: [null, cidr],
      vrf: [null, parent.vrf],
      parent_id: [null, parent.id],
      ...(f.name ? { name: [null, f.name] } : {}),
      ...(f.sectionId ? { section_id: [null, f.sectionId] } : {}),
      ...(f.vlan ? { vlan: [null, f.vlan] } : {}),
    },
  });
}
