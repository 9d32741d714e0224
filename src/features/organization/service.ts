/**
 * The caller's organization (API.md §3): everyone sees its name; owners also see the plan,
 * its limits and current usage. Owners and admins rename it. Speaks only the Store.
 */
import type { AppDeps } from "../../app";
import { planLimits } from "../../auth/plans";
import { actorOf, type Principal, requireRole, requireWrite } from "../../auth/principal";
import { notFound } from "../../http/errors";
import type { OrganizationRecord, Queries } from "../../store/store";
import type { Organization } from "./model";

type Deps = Pick<AppDeps, "store" | "config">;

async function present({ config }: Deps, q: Queries, org: OrganizationRecord, principal: Principal): Promise<Organization> {
  const base = { id: org.id, name: org.name, created_at: org.created_at, updated_at: org.updated_at };
  if (principal.role !== "owner") return base;
  const plan = planLimits(org.plan);
  const usage = await q.organizations.usage(org.id);
  const rate = plan.rateLimit ?? config.rateLimit;
  return {
    ...base,
    plan: plan.name,
    limits: {
      users: plan.users,
      sections: plan.sections,
      subnets: plan.subnets,
      addresses: plan.addresses,
      api: plan.api,
      // --rate-limit 0 turns limiting off for everyone
      rate_limit: config.rateLimit > 0 ? rate : null,
      // null: kept forever (the unlimited plan without --activity-retention-days)
      activity_days: plan.activityDays ?? config.activityRetentionDays ?? null,
    },
    usage,
  };
}

async function mustGet(q: Queries, orgId: string): Promise<OrganizationRecord> {
  const org = await q.organizations.get(orgId);
  if (!org) throw notFound("organization");
  return org;
}

export function getOrganization(deps: Deps, principal: Principal): Promise<Organization> {
  return deps.store.read({ orgId: principal.orgId }, async (q) => present(deps, q, await mustGet(q, principal.orgId), principal));
}

export function renameOrganization(deps: Deps, principal: Principal, name: string): Promise<Organization> {
  requireWrite(principal);
  requireRole(principal, ["owner", "admin"]);
  return deps.store.write({ orgId: principal.orgId }, async (q) => {
    const before = await mustGet(q, principal.orgId);
    if (before.name === name) return present(deps, q, before, principal);
    const now = new Date().toISOString();
    await q.organizations.rename(before.id, name, now);
    await q.activity.record({
      orgId: before.id,
      actor: actorOf(principal),
      action: "organization.update",
      target: { type: "organization", id: before.id, label: name },
      changes: { name: [before.name, name] },
      at: now,
    });
    return present(deps, q, { ...before, name, updated_at: now }, principal);
  });
}
