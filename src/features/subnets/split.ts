/**
 * POST /subnets/{id}/split (API.md §6): equal children under a subnet that has none,
 * addresses moved into them, all or nothing. Everything here is one pass: the subnet's
 * records are read once and dealt to parts by arithmetic.
 *
 * 2…MAX_SPLIT_PARTS (65,536) parts. Each part costs ~40 µs (an INSERT, a tree insert, an
 * allocator, its JSON in the answer): up to INLINE_SPLIT_PARTS (1,024, ~40–100 ms) the split
 * runs on the server's thread. A bigger one held every organization's requests for 3–11 s
 * there, so on a SQLite file it runs this same write in the import worker
 * (io/import-thread.ts: its own connection, one job at a time; `ipam.offThread`); the
 * server's registry then catches up for this organization only, in slices, and the answer
 * (26 MB for 65,536 parts) is read back and streamed a page at a time instead of built as one
 * string. On PostgreSQL a large split simply runs in the request (its rows go in a few
 * multi-row INSERTs; other replicas' requests are not held).
 */
import { checkPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import type { OpenDatabase } from "../../db/client";
import { ApiError, notFound } from "../../http/errors";
import { familyBits, formatCidr, ipv4MappedPrefixError, isUsable, lastAddress, splitPrefix, type Prefix } from "../../ip";
import { ipInputError } from "../../http/ip-input";
import { keyOf, nowIso, valueOfKey } from "../../ipam/codec";
import type { IpamRegistry, SubnetState } from "../../ipam/registry";
import type { IpamStore } from "../../store/ipam";
import { createSqliteIpam } from "../../store/sqlite/ipam";
import { createSqliteStore, sqliteQueries } from "../../store/sqlite/store";
import type { Store } from "../../store/store";
import type { Actor } from "../activity/record";
import type { Subnet } from "./model";
import type { NewSubnet } from "./repo";
import { unusableName } from "./service";
import { subnetView, viewRow } from "./view";

export const MAX_SPLIT_PARTS = 65_536;
/** Larger splits run off the server's thread when the database is a file (see the module comment). */
export const INLINE_SPLIT_PARTS = 1024;
/** Children read back (and streamed) per page after an off-thread split. */
const ANSWER_PAGE = 256;

/** A split as plain data: it crosses to the import worker by postMessage. */
export interface SplitJob {
  kind: "split";
  orgId: string;
  actor: Actor;
  subnetId: string;
  body: { parts?: number; prefix_length?: number };
}
const MAX_SPLIT_BITS = Math.log2(MAX_SPLIT_PARTS);
/** Longest subnet name the API accepts (model.ts). */
const MAX_NAME = 200;

/**
 * The name of part `index` of `parts`: "Office LAN" → "Office LAN 1/4" … "Office LAN 4/4";
 * an unnamed parent gives unnamed parts. A long name is cut so that the suffix still fits.
 */
export function childName(parent: string, index: number, parts: number): string {
  if (parent === "") return "";
  const suffix = ` ${index + 1}/${parts}`;
  let base = parent.slice(0, MAX_NAME - suffix.length);
  if (/[\uD800-\uDBFF]$/.test(base)) base = base.slice(0, -1); // never half a surrogate pair
  return base.trimEnd() + suffix;
}

/** The split over a store (`{ store }`), or over the import worker's own SQLite connection and registry. */
export function subnetSplitter(deps: { store: Pick<Store, "ipam"> } | { database: OpenDatabase; registry: IpamRegistry }) {
  const ipam: IpamStore =
    "store" in deps
      ? deps.store.ipam
      : createSqliteIpam(deps.database, createSqliteStore(deps.database), sqliteQueries(deps.database), deps.registry);
  const registry = ipam.memory;

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

  /**
   * The split itself, the same on both threads: one IPAM write (one transaction, all or nothing).
   * `answer: false` (the worker) skips building the items; the server reads them back.
   */
  function write(orgId: string, actor: Actor, id: string, body: SplitJob["body"], answer: boolean): Promise<{ items: Subnet[]; parts: number }> {
    return ipam.write(orgId, async (q, journal) => {
      const row = await q.subnets.get(orgId, id);
      const state = row ? registry.subnet(orgId, id) : undefined;
      if (!row || !state) throw notFound("subnet");
      const length = targetLength(state.prefix, body);
      const tree = registry.tree(orgId, state.vrf)!;
      if (tree.childrenOf(id).length > 0) {
        throw new ApiError("subnet_has_children", `Subnet ${state.cidr} already has child subnets; split works on a subnet without children`);
      }
      const pieces = splitPrefix(state.prefix, length, MAX_SPLIT_PARTS);
      if (!Array.isArray(pieces)) throw new ApiError("validation_failed", pieces.message, { field: "prefix_length" });
      // A part inside IPv4-mapped space (::fffe:0:0/95 split in two) is a subnet no one may create.
      for (const piece of pieces) {
        const mapped = ipv4MappedPrefixError(piece);
        if (mapped) throw ipInputError("prefix_length", mapped, "invalid_cidr");
      }
      await checkPlanAllows(q, orgId, "subnets", pieces.length);

      // Deal the records to parts: part index = offset >> (host bits of a part).
      const shift = BigInt(familyBits(state.prefix.family) - length);
      const perPart = new Map<number, bigint[]>();
      const onBoundary: string[] = [];
      for (const r of await q.addresses.keysOfSubnet(id)) {
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
      const children: NewSubnet[] = [];
      const moves: [string, Uint8Array, Uint8Array][] = [];
      pieces.forEach((piece, index) => {
        // Time-ordered ids append to the primary-key index instead of touching a random page each (see addresses/writer.ts).
        const childId = Bun.randomUUIDv7();
        const moved = perPart.get(index) ?? [];
        const added = registry.addSubnet(journal, { id: childId, orgId: orgId, vrf: state.vrf, prefix: piece, moved });
        if (!added.ok) throw new Error(`split: ${formatCidr(piece)} already exists under a childless subnet`);
        const cidr = formatCidr(piece);
        const networkKey = keyOf(piece.family, piece.network);
        // Children inherit the parent's folder, VRF and VLAN, and a name derived from its name.
        const fields = { sectionId: row.section_id, name: childName(row.name, index, pieces.length), description: "", vlan: row.vlan };
        children.push({ id: childId, parentId: id, vrf: state.vrf, family: piece.family, networkKey, prefixLength: piece.length, cidr, at, ...fields });
        if (moved.length > 0) moves.push([childId, networkKey, keyOf(piece.family, lastAddress(piece))]);
      });
      const firstNumber = await q.subnets.insertMany(orgId, children);
      // The answer, built once the children have their numbers (children[i] took firstNumber + i).
      if (answer) {
        children.forEach((child, i) =>
          items.push(
            subnetView(registry, registry.subnet(orgId, child.id)!, {
              id: child.id,
              name: child.name,
              description: "",
              section_id: row.section_id,
              vlan: child.vlan,
              parent_id: id,
              number: firstNumber + i,
              created_at: at,
              updated_at: at,
            }),
          ),
        );
      }
      for (const [childId, first, last] of moves) await q.addresses.moveRange(childId, id, first, last);
      await q.activity.record({
        orgId: orgId,
        actor: actor,
        action: "subnet.split",
        target: { type: "subnet", id, label: state.cidr },
        at,
        changes: { children: [0, pieces.length], prefix_length: [null, length] },
      });
      return { items, parts: pieces.length };
    });
  }

  /** Streams `{"items": [...]}`: the parent's children read back a page per pull, in address order. */
  function streamChildren(orgId: string, parent: SubnetState): Response {
    const encoder = new TextEncoder();
    let after: [Uint8Array, number] = [keyOf(parent.prefix.family, parent.prefix.network), parent.prefix.length];
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Bun pulls again as soon as a chunk is taken: yield first, so other requests are answered between pages.
        await new Promise((resolve) => setImmediate(resolve));
        const rows = await ipam.read(orgId, (q) => q.subnets.childrenAfter(orgId, parent.id, parent.vrf, parent.prefix.family, after, ANSWER_PAGE));
        const json = rows.map((row) => JSON.stringify(viewRow(registry, orgId, row))).join(",");
        const last = rows.at(-1);
        if (last) after = [last.network_key, last.prefix_length];
        const done = rows.length < ANSWER_PAGE;
        controller.enqueue(encoder.encode((first ? '{"items":[' : rows.length > 0 ? "," : "") + json + (done ? "]}" : "")));
        first = false;
        if (done) controller.close();
      },
    });
    return new Response(body, { status: 201, headers: { "content-type": "application/json" } });
  }

  return {
    /** Runs a split in the import worker (import-worker.ts calls this with the worker's own deps). */
    async runJob(job: SplitJob): Promise<{ parts: number }> {
      const { parts } = await write(job.orgId, job.actor, job.subnetId, job.body, false);
      return { parts };
    },

    async split(p: Principal, id: string, body: SplitJob["body"]): Promise<{ items: Subnet[] } | Response> {
      requireWrite(p);
      const actor = actorOf(p);
      // Sized on the last committed state; the write checks everything again in its transaction.
      const state = await ipam.read(p.orgId, async () => registry.subnet(p.orgId, id));
      const parts = state ? 2 ** (targetLength(state.prefix, body) - state.prefix.length) : 0;
      if (parts <= INLINE_SPLIT_PARTS || !ipam.offThread) {
        const { items } = await write(p.orgId, actor, id, body, true);
        return { items };
      }
      await ipam.offThread({ kind: "split", orgId: p.orgId, actor, subnetId: id, body });
      return streamChildren(p.orgId, state!);
    },
  };
}
