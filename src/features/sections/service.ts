/** Rules for sections (folders): unique names per organization, case-insensitively; delete unfiles. */
import { recordActivity } from "../activity/record";
import { assertPlanAllows } from "../../auth/plans";
import { actorOf, requireWrite, type Principal } from "../../auth/principal";
import type { OpenDatabase } from "../../db/client";
import { writeTransaction } from "../../db/tx";
import { ApiError, notFound } from "../../http/errors";
import { encodeCursor, nowIso } from "../../ipam/codec";
import { decodeStringCursor, DEFAULT_LIMIT } from "../../http/pagination";
import type { Section, SectionCreate, SectionPatch } from "./model";
import { sectionRepo } from "./repo";

export function sectionService(database: OpenDatabase) {
  const repo = sectionRepo(database);

  function assertNameFree(orgId: string, name: string, exceptId?: string): void {
    const clash = repo.findByName(orgId, name.toLowerCase());
    if (clash && clash.id !== exceptId) {
      throw new ApiError("duplicate_name", `A section named "${clash.name}" already exists`, { field: "name", existing_id: clash.id });
    }
  }

  function mustGet(orgId: string, id: string): Section {
    const section = repo.get(orgId, id);
    if (!section) throw notFound("section");
    return section;
  }

  return {
    list(p: Principal, query: { limit?: number; cursor?: string; q?: string }) {
      const after = query.cursor ? (decodeStringCursor(query.cursor, 2) as [string, string]) : undefined;
      const page = repo.list(p.orgId, { limit: query.limit ?? DEFAULT_LIMIT, after, q: query.q });
      return { items: page.items, total: page.total, next_cursor: page.last ? encodeCursor(page.last) : null };
    },

    get: (p: Principal, id: string) => mustGet(p.orgId, id),

    create(p: Principal, body: SectionCreate): Promise<Section> {
      requireWrite(p);
      return writeTransaction(database, () => {
        assertPlanAllows(database.sqlite, p.orgId, "sections");
        assertNameFree(p.orgId, body.name);
        const id = crypto.randomUUID();
        repo.insert(p.orgId, { id, name: body.name, description: body.description ?? "", at: nowIso() });
        recordActivity(database, {
          orgId: p.orgId,
          actor: actorOf(p),
          action: "section.create",
          target: { type: "section", id, label: body.name },
          changes: { name: [null, body.name], description: [null, body.description ?? ""] },
        });
        return mustGet(p.orgId, id);
      });
    },

    update(p: Principal, id: string, body: SectionPatch): Promise<Section> {
      requireWrite(p);
      return writeTransaction(database, () => {
        const before = mustGet(p.orgId, id);
        const name = body.name ?? before.name;
        const description = body.description ?? before.description;
        if (body.name !== undefined) assertNameFree(p.orgId, name, id);
        const changes: Record<string, [unknown, unknown]> = {};
        if (name !== before.name) changes.name = [before.name, name];
        if (description !== before.description) changes.description = [before.description, description];
        if (Object.keys(changes).length === 0) return before;
        repo.update(p.orgId, id, { name, description, at: nowIso() });
        recordActivity(database, {
          orgId: p.orgId,
          actor: actorOf(p),
          action: "section.update",
          target: { type: "section", id, label: name },
          changes,
        });
        return mustGet(p.orgId, id);
      });
    },

    async remove(p: Principal, id: string): Promise<void> {
      requireWrite(p);
      await writeTransaction(database, () => {
        const before = mustGet(p.orgId, id);
        const unfiled = repo.remove(p.orgId, id);
        recordActivity(database, {
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
