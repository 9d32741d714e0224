/**
 * Rules for sections (folders): unique names per organization, case-insensitively (the
 * UNIQUE index decides, on both dialects: the repository turns its refusal into 409
 * duplicate_name); delete unfiles. Speaks only the Store.
 */
import { checkPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import { notFound } from "../../http/errors";
import { decodeStringCursor, DEFAULT_LIMIT } from "../../http/pagination";
import { encodeCursor, nowIso } from "../../ipam/codec";
import type { Queries, Store } from "../../store/store";
import type { Section, SectionCreate, SectionPatch } from "./model";

async function mustGet(q: Queries, orgId: string, id: string): Promise<Section> {
  const section = await q.sections.get(orgId, id);
  if (!section) throw notFound("section");
  return section;
}

export function sectionService(store: Store) {
  return {
    async list(p: Principal, query: { limit?: number; cursor?: string; q?: string }) {
      const after = query.cursor ? (decodeStringCursor(query.cursor, 2) as [string, string]) : undefined;
      const page = await store.read({ orgId: p.orgId }, (q) =>
        q.sections.list(p.orgId, { limit: query.limit ?? DEFAULT_LIMIT, after, q: query.q }),
      );
      return { items: page.items, total: page.total, next_cursor: page.last ? encodeCursor(page.last) : null };
    },

    get: (p: Principal, id: string) => store.read({ orgId: p.orgId }, (q) => mustGet(q, p.orgId, id)),

    create(p: Principal, body: SectionCreate): Promise<Section> {
      requireWrite(p);
      return store.write({ orgId: p.orgId }, async (q) => {
        await checkPlanAllows(q, p.orgId, "sections");
        const id = crypto.randomUUID();
        const description = body.description ?? "";
        await q.sections.insert(p.orgId, { id, name: body.name, description, at: nowIso() });
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "section.create",
          target: { type: "section", id, label: body.name },
          changes: { name: [null, body.name], description: [null, description] },
        });
        return mustGet(q, p.orgId, id);
      });
    },

    update(p: Principal, id: string, body: SectionPatch): Promise<Section> {
      requireWrite(p);
      return store.write({ orgId: p.orgId }, async (q) => {
        const before = await mustGet(q, p.orgId, id);
        const name = body.name ?? before.name;
        const description = body.description ?? before.description;
        const changes: Record<string, [unknown, unknown]> = {};
        if (name !== before.name) changes.name = [before.name, name];
        if (description !== before.description) changes.description = [before.description, description];
        if (Object.keys(changes).length === 0) return before;
        await q.sections.update(p.orgId, id, { name, description, at: nowIso() });
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "section.update",
          target: { type: "section", id, label: name },
          changes,
        });
        return mustGet(q, p.orgId, id);
      });
    },

    async remove(p: Principal, id: string): Promise<void> {
      requireWrite(p);
      await store.write({ orgId: p.orgId }, async (q) => {
        const before = await mustGet(q, p.orgId, id);
        const unfiled = await q.sections.remove(p.orgId, id);
        await q.activity.record({
          orgId: p.orgId,
          actor: actorOf(p),
          action: "section.delete",
          target: { type: "section", id, label: before.name },
          changes: { name: [before.name, null], subnets_unfiled: [unfiled, 0] },
        });
      });
    },
  };
}
