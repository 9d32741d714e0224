/**
 * Rules for VRFs (API.md §6, issue 15): `default` always exists and is never renamed or
 * deleted; a new name may not differ from an existing one only in case (that is the typo the
 * objects exist to stop); a VRF in use by subnets keeps its name (subnets and the in-memory
 * subnet trees hold it) and cannot be deleted (409 vrf_in_use). Speaks only the Store.
 */
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import { ApiError, notFound } from "../../http/errors";
import { decodeStringCursor, DEFAULT_LIMIT } from "../../http/pagination";
import { encodeCursor, nowIso } from "../../ipam/codec";
import { DEFAULT_VRF, DUPLICATE_VRF_SENTENCE, type Queries, type Store } from "../../store/store";
import type { Vrf, VrfCreate, VrfPatch } from "./model";

async function mustGet(q: Queries, orgId: string, id: string): Promise<Vrf> {
  const vrf = await q.vrfs.get(orgId, id);
  if (!vrf) throw notFound("vrf");
  return vrf;
}

/** 409 when another VRF has this name but for case ("Default" beside "default"). */
async function assertNoCaseTwin(q: Queries, orgId: string, name: string, self?: string): Promise<void> {
  const twin = (await q.vrfs.names(orgId)).find((n) => n !== self && n !== name && n.toLowerCase() === name.toLowerCase());
  if (twin !== undefined) {
    throw new ApiError("duplicate_name", `${DUPLICATE_VRF_SENTENCE(twin)}; names differ only in case`, { field: "name", existing: twin });
  }
}

export function vrfService(store: Store) {
  return {
    async list(p: Principal, query: { limit?: number; cursor?: string }) {
      const after = query.cursor ? (decodeStringCursor(query.cursor, 2) as [string, string]) : undefined;
      const read = () => store.read({ orgId: p.orgId }, async (q) => ({
        hasDefault: (await q.vrfs.byName(p.orgId, DEFAULT_VRF)) !== null,
        page: await q.vrfs.list(p.orgId, { limit: query.limit ?? DEFAULT_LIMIT, after }),
      }));
      let { hasDefault, page } = await read();
      if (!hasDefault) {
        // An organization made before VRFs by a path that skipped the migration's backfill.
        await store.write({ orgId: p.orgId }, (q) => q.vrfs.ensureDefault(p.orgId, nowIso()));
        ({ page } = await read());
      }
      return { items: page.items, total: page.total, next_cursor: page.last ? encodeCursor(page.last) : null };
    },

    get: (p: Principal, id: string) => store.read({ orgId: p.orgId }, (q) => mustGet(q, p.orgId, id)),

    create(p: Principal, body: VrfCreate): Promise<Vrf> {
      requireWrite(p);
      return store.write({ orgId: p.orgId }, async (q) => {
        await assertNoCaseTwin(q, p.orgId, body.name);
        const id = crypto.randomUUID();
        const description = body.description ?? "";
        await q.vrfs.insert(p.orgId, { id, name: body.name, description, at: nowIso() });
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "vrf.create",
          target: { type: "vrf", id, label: body.name },
          changes: { name: [null, body.name], description: [null, description] },
        });
        return mustGet(q, p.orgId, id);
      });
    },

    update(p: Principal, id: string, body: VrfPatch): Promise<Vrf> {
      requireWrite(p);
      return store.write({ orgId: p.orgId }, async (q) => {
        const before = await mustGet(q, p.orgId, id);
        const name = body.name ?? before.name;
        const description = body.description ?? before.description;
        if (name !== before.name) {
          if (before.name === DEFAULT_VRF) {
            throw new ApiError("immutable_field", `field "name": the "${DEFAULT_VRF}" VRF cannot be renamed`, { field: "name" });
          }
          if (before.subnet_count > 0) {
            throw new ApiError(
              "vrf_in_use",
              `VRF "${before.name}" holds ${before.subnet_count} subnet${before.subnet_count === 1 ? "" : "s"} and cannot be renamed; only its description can change`,
              { field: "name", subnets: before.subnet_count },
            );
          }
          await assertNoCaseTwin(q, p.orgId, name, before.name);
        }
        const changes: Record<string, [unknown, unknown]> = {};
        if (name !== before.name) changes.name = [before.name, name];
        if (description !== before.description) changes.description = [before.description, description];
        if (Object.keys(changes).length === 0) return before;
        await q.vrfs.update(p.orgId, id, { name, description, at: nowIso() });
        await q.activity.record({ orgId: p.orgId, actor: actorOf(p), action: "vrf.update", target: { type: "vrf", id, label: name }, changes });
        return mustGet(q, p.orgId, id);
      });
    },

    async remove(p: Principal, id: string): Promise<void> {
      requireWrite(p);
      await store.write({ orgId: p.orgId }, async (q) => {
        const before = await mustGet(q, p.orgId, id);
        if (before.name === DEFAULT_VRF) {
          throw new ApiError("conflict", `The "${DEFAULT_VRF}" VRF always exists and cannot be deleted`);
        }
        if (before.subnet_count > 0) {
          throw new ApiError(
            "vrf_in_use",
            `VRF "${before.name}" holds ${before.subnet_count} subnet${before.subnet_count === 1 ? "" : "s"}; delete or move them first`,
            { subnets: before.subnet_count },
          );
        }
        await q.vrfs.remove(p.orgId, id);
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "vrf.delete",
          target: { type: "vrf", id, label: before.name },
          changes: { name: [before.name, null] },
        });
      });
    },
  };
}
