/**
 * Rules for address records (API.md §7): record a given IP, allocate the lowest free one or
 * N of them atomically, first-free and free ranges from memory, lists in IP order, patch and
 * delete. Writes that change memory go through the store's IPAM facet (store/ipam.ts): its
 * batched hot path for recording and allocating, `ipam.write` for deletes (rows, activity and
 * memory move together either way); a patch touches rows only.
 */
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import { ApiError, notFound } from "../../http/errors";
import { containsIp, formatIp, parseIp } from "../../ip";
import { badCursor, decodeCursor, encodeCursor, keyFromHex, keyHex, keyOf, nowIso, requireIp, valueOfKey } from "../../ipam/codec";
import type { SubnetState } from "../../ipam/registry";
import { DEFAULT_LIMIT } from "../../http/pagination";
import type { AppDeps } from "../../app";
import { AddressInUse, type ReuseLookup } from "../../store/ipam";
import type { Queries } from "../../store/store";
import { normaliseMac, type Address, type AddressCreate, type AddressPatch } from "./model";
import { planOf, requestIn, reserveBound, reserveValues } from "./placement";
import { toAddress, type AddressFilters, type AddressRow } from "./repo";
import { addressWriter, inUseError, type AddressFields } from "./writer";

export function addressService(deps: Pick<AppDeps, "store" | "metrics">) {
  const ipam = deps.store.ipam;
  const { memory } = ipam;
  const writer = addressWriter(memory);

  /** The subnet, read side, brought up to date (other processes' or replicas' commits). */
  function subnetIn<T>(p: Principal, subnetId: string, fn: (state: SubnetState, q: Queries) => T | Promise<T>): Promise<T> {
    return ipam.read(p.orgId, async (q) => fn(mustSubnet(p, subnetId), q), [subnetId]);
  }

  function mustSubnet(p: Principal, subnetId: string): SubnetState {
    const state = memory.subnet(p.orgId, subnetId);
    if (!state) throw notFound("subnet");
    return state;
  }

  /** Now as ISO text, by the clock expiry reads (reads hide records expired by then). */
  const liveAt = () => new Date(memory.clock()).toISOString();

  /** The deadline a body asks for (epoch ms), null to clear it, undefined when it says nothing; 400 when in the past. */
  function deadlineOf(body: { expires_at?: string | null; hold_seconds?: number }): number | null | undefined {
    if (body.expires_at !== undefined && body.hold_seconds !== undefined) {
      throw new ApiError("validation_failed", 'field "hold_seconds": give either "expires_at" or "hold_seconds", not both', { field: "hold_seconds" });
    }
    if (body.hold_seconds !== undefined) return memory.clock() + body.hold_seconds * 1000;
    if (body.expires_at === undefined || body.expires_at === null) return body.expires_at;
    const at = Date.parse(body.expires_at);
    if (!(at > memory.clock())) throw new ApiError("validation_failed", 'field "expires_at": must be in the future', { field: "expires_at" });
    return at;
  }

  async function mustAddress(q: Queries, p: Principal, id: string): Promise<AddressRow> {
    const row = await q.addresses.get(p.orgId, id, liveAt());
    if (!row) throw notFound("address");
    return row;
  }

  async function page(q: Queries, p: Principal, filters: AddressFilters, query: { limit?: number; cursor?: string }) {
    let after: [string, Uint8Array] | undefined;
    if (query.cursor) {
      const [vrf, hex] = decodeCursor(query.cursor);
      const key = keyFromHex(hex);
      if (typeof vrf !== "string" || !key) throw badCursor();
      after = [vrf, key];
    }
    const { rows, total, more } = await q.addresses.list(p.orgId, { ...filters, liveAt: liveAt() }, query.limit ?? DEFAULT_LIMIT, after);
    const last = rows[rows.length - 1];
    return { items: rows.map(toAddress), total, next_cursor: more && last ? encodeCursor([last.vrf, keyHex(last.ip_key)]) : null };
  }

  return {
    /**
     * POST /subnets/{id}/addresses: a given `ip`, the first free one, `count` of them, a
     * constrained allocation, or a reserved range (placement.ts); with `reuse`, the subnet's
     * record of that hostname or MAC when there is one (200).
     */
    async create(p: Principal, subnetId: string, body: AddressCreate): Promise<AddressCreated> {
      requireWrite(p);
      const plan = planOf(body);
      const fields = { ...fieldsOf(body), expiresAt: deadlineOf(body) };
      const adding = plan.kind === "ip" ? 1 : plan.kind === "allocate" ? plan.count : reserveBound(plan.range);
      const reuse = reuseOf(body, fields);
      try {
        // The job's value is the whole answer (status too): an Idempotency-Key stores it as it is.
        const created = await ipam.addresses<AddressCreated>(p.orgId, subnetId, {
          adding,
          reuse,
          run(state, journal, existing) {
            if (existing && plan.kind === "ip" && existing.ip !== formatIp(plan.ip)) {
              // "Ensure this record" with an address: the one found is elsewhere, and answering it
              // as if it were the address asked for would mislead the caller.
              throw new ApiError(
                "conflict",
                `${reuse!.field} ${reuse!.value} already has ${existing.ip} in this subnet, not ${formatIp(plan.ip)}; leave out "ip" to get that record, or "reuse" to record another`,
                { field: "ip", address: existing },
              );
            }
            if (existing) return { insert: [], activity: [], value: { status: 200, value: existing } };
            if (plan.kind === "ip") {
              const made = writer.recordAt(journal, p, state, plan.ip, fields);
              return { ...made, value: { status: 201, value: made.value } };
            }
            if (plan.kind === "reserve") {
              const made = writer.reserve(journal, p, state, reserveValues(state.prefix, state.cidr, plan.range), fields);
              return { ...made, value: { status: 201, value: { items: made.value } } };
            }
            const constrained = plan.range !== undefined || plan.exclude.length > 0 || plan.fromEnd || plan.contiguous;
            const made = constrained
              ? writer.allocateWhere(journal, p, state, requestIn(state.prefix, state.cidr, plan), fields)
              : writer.allocate(journal, p, state, plan.count, fields);
            return { ...made, value: { status: 201, value: plan.many ? { items: made.value } : made.value[0]! } };
          },
        });
        // Counted once committed: /metrics' ipcraft_allocations_total (a given `ip`, a reserved range or a reused record is not an allocation).
        if (plan.kind === "allocate" && created.status === 201) deps.metrics.countAllocations(plan.count);
        return created;
      } catch (error) {
        if (error instanceof AddressInUse) throw await ipam.read(p.orgId, (q) => inUseError(q, p.orgId, error));
        throw error;
      }
    },

    // From memory alone: no transaction when memory is current (store/ipam.ts readMemory).
    firstFree: (p: Principal, subnetId: string): Promise<{ ip: string | null }> =>
      ipam.readMemory(p.orgId, [subnetId], () => {
        const state = mustSubnet(p, subnetId);
        const value = state.allocator.firstFree();
        return { ip: value === null ? null : formatIp({ family: state.prefix.family, value }) };
      }),

    free: (p: Principal, subnetId: string, query: { limit?: number; from?: string }) =>
      subnetIn(p, subnetId, (state) => {
        let from: bigint | undefined;
        if (query.from !== undefined) {
          const ip = requireIp(query.from, "from");
          if (!containsIp(state.prefix, ip)) {
            throw new ApiError("ip_not_in_subnet", `${query.from} is not inside subnet ${state.cidr}`, { field: "from" });
          }
          from = ip.value;
        }
        const family = state.prefix.family;
        const text = (value: bigint) => formatIp({ family, value });
        return {
          ranges: state.allocator
            .freeRanges(query.limit ?? DEFAULT_LIMIT, from)
            .map((r) => ({ start: text(r.start), end: text(r.end), size: r.size.toString() })),
        };
      }),

    listInSubnet: (p: Principal, subnetId: string, query: { limit?: number; cursor?: string; status?: string; q?: string }) =>
      subnetIn(p, subnetId, (state, q) => page(q, p, { subnetId: state.id, status: query.status, q: searchText(query.q) }, query)),

    search(p: Principal, query: { limit?: number; cursor?: string; ip?: string; q?: string; status?: string; subnet_id?: string; vrf?: string }) {
      const filters: AddressFilters = { status: query.status, q: searchText(query.q), subnetId: query.subnet_id, vrf: query.vrf };
      if (query.ip !== undefined) {
        const ip = requireIp(query.ip, "ip");
        filters.ipKey = keyOf(ip.family, ip.value);
      }
      return deps.store.read({ orgId: p.orgId }, (q) => page(q, p, filters, query));
    },

    get: (p: Principal, id: string): Promise<Address> => deps.store.read({ orgId: p.orgId }, async (q) => toAddress(await mustAddress(q, p, id))),

    update(p: Principal, id: string, body: AddressPatch): Promise<Address> {
      requireWrite(p);
      const deadline = deadlineOf(body);
      const patch = async (q: Queries, expiry?: (row: AddressRow, at: number | null) => void) => {
        const before = await mustAddress(q, p, id);
        if (body.ip !== undefined && !sameIp(body.ip, before.ip)) {
          throw new ApiError("immutable_field", 'field "ip" cannot change; delete this record and create another', { field: "ip" });
        }
        if (body.subnet_id !== undefined && body.subnet_id !== before.subnet_id) {
          throw new ApiError("immutable_field", 'field "subnet_id" cannot change: an address lives in its most specific subnet', {
            field: "subnet_id",
          });
        }
        const after = {
          hostname: body.hostname ?? before.hostname,
          status: body.status ?? before.status,
          owner: body.owner ?? before.owner,
          mac: body.mac === undefined ? before.mac : body.mac === null ? null : normaliseMac(body.mac),
          description: body.description ?? before.description,
          expires_at: deadline === undefined ? before.expires_at : deadline === null ? null : new Date(deadline).toISOString(),
        };
        const changes: Record<string, [unknown, unknown]> = {};
        for (const k of Object.keys(after) as (keyof typeof after)[]) if (after[k] !== before[k]) changes[k] = [before[k], after[k]];
        if (Object.keys(changes).length === 0) return toAddress(before);
        if (changes.expires_at && expiry) expiry(before, deadline ?? null);
        const at = nowIso();
        await q.addresses.update(p.orgId, id, { ...after, at });
        await q.activity.record({ orgId: p.orgId, actor: actorOf(p), action: "address.update", target: { type: "address", id, label: before.ip }, changes, at });
        return toAddress({ ...before, ...after, updated_at: at });
      };
      // A patch of fields touches rows only; one of the deadline moves memory too (expiry, ipam/expiry.ts).
      if (deadline === undefined) return deps.store.write({ orgId: p.orgId }, (q) => patch(q));
      return ipam.write(p.orgId, (q, journal) =>
        patch(q, (row, at) => {
          const state = mustSubnet(p, row.subnet_id);
          memory.setExpiry(journal, state, valueOfKey(row.ip_key, state.prefix.family), at);
        }),
      );
    },

    /** Deletes a record; the address is free at once (memory and rows in one step). */
    async remove(p: Principal, id: string): Promise<void> {
      requireWrite(p);
      await ipam.write(p.orgId, async (q, journal) => {
        const row = await mustAddress(q, p, id);
        const state = mustSubnet(p, row.subnet_id);
        memory.release(journal, state, valueOfKey(row.ip_key, state.prefix.family));
        await q.addresses.remove(p.orgId, id);
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "address.delete",
          target: { type: "address", id, label: row.ip },
          changes: { ip: [row.ip, null], hostname: [row.hostname, null], status: [row.status, null] },
        });
      });
    },
  };
}

/** What POST /subnets/{id}/addresses answers: 201 made, or 200 the record `reuse` found. */
export type AddressCreated = { status: 200 | 201; value: Address | { items: Address[] } };

/** The lookup `"reuse"` asks for, checked against the rest of the body. */
function reuseOf(body: AddressCreate, fields: AddressFields): ReuseLookup | undefined {
  if (body.reuse === undefined) return undefined;
  if (body.count !== undefined || body.start !== undefined) {
    const other = body.count !== undefined ? "count" : "start";
    throw new ApiError("validation_failed", `field "reuse": ensures one record; it does not combine with "${other}"`, { field: "reuse" });
  }
  const value = body.reuse === "hostname" ? fields.hostname : fields.mac;
  if (!value) {
    throw new ApiError("validation_failed", `field "reuse": "${body.reuse}" needs a non-empty "${body.reuse}" in the request to look for`, {
      field: "reuse",
    });
  }
  return { field: body.reuse, value };
}

/** Normalised editable fields of a create body (defaults per API.md §7). */
export function fieldsOf(body: { hostname?: string; status?: Address["status"]; owner?: string; mac?: string | null; description?: string }): AddressFields {
  return {
    hostname: body.hostname ?? "",
    status: body.status ?? "assigned",
    owner: body.owner ?? "",
    mac: body.mac ? normaliseMac(body.mac) : null,
    description: body.description ?? "",
  };
}

function sameIp(given: unknown, stored: string): boolean {
  if (typeof given !== "string") return false;
  const parsed = parseIp(given);
  return parsed.ok && formatIp(parsed.value) === stored;
}

/**
 * A search text that is a whole IP address is searched in its canonical form, the form
 * records are stored in: `2001:DB8:100:10:0:0:0:53` finds `2001:db8:100:10::53`.
 * Anything else (a fragment, a hostname) is searched as typed.
 */
function searchText(q: string | undefined): string | undefined {
  if (q === undefined) return undefined;
  const parsed = parseIp(q.trim());
  return parsed.ok ? formatIp(parsed.value) : q;
}
