/**
 * The caller's organization (API.md §3): everyone sees its name; owners also see the plan,
 * its limits and current usage. Owners and admins rename it.
 */
import type { AppDeps } from "../../app";
import { findOrganization, type OrganizationRow } from "../../auth/accounts";
import { planLimits } from "../../auth/plans";
import { actorOf, type Principal, requireRole, requireWrite } from "../../auth/principal";
import { writeTransaction } from "../../db/tx";
import { notFound } from "../../http/errors";
import { recordActivity } from "../activity/record";
import type { Organization } from "./model";

type Deps = Pick<AppDeps, "database" | "config">;

const USAGE_SQL = `SELECT
  (SELECT COUNT(*) FROM users WHERE org_id = ?1) + (SELECT COUNT(*) FROM invitations WHERE org_id = ?1) AS users,
  (SELECT COUNT(*) FROM sections WHERE org_id = ?1) AS sections,
  (SELECT COUNT(*) FROM subnets WHERE org_id = ?1) AS subnets,
  (SELECT COUNT(*) FROM addresses WHERE org_id = ?1) AS addresses,
  (SELECT COUNT(*) FROM api_keys WHERE org_id = ?1) AS api_keys`;

function present({ database, config }: Deps, org: OrganizationRow, principal: Principal): Organization {
  const base = { id: org.id, name: org.name, created_at: org.created_at, updated_at: org.updated_at };
  if (principal.role !== "owner") return base;
  const plan = planLimits(org.plan);
  const usage = database.sqlite.query(USAGE_SQL).get(org.id) as NonNullable<Organization["usage"]>;
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
      activity_days: plan.activityDays,
    },
    usage,
  };
}

export function getOrganization(deps: Deps, principal: Principal): Organization {
  const org = findOrganization(deps.database, principal.orgId);
  if (!org) throw notFound("organization");
  return present(deps, org, principal);
}

export async function renameOrganization(deps: Deps, principal: Principal, name: string): Promise<Organization> {
  requireWrite(principal);
  requireRole(principal, ["owner", "admin"]);
  const { database } = deps;
  const org = await writeTransaction(database, () => {
    const before = findOrganization(database, principal.orgId);
    if (!before) throw notFound("organization");
    if (before.name === name) return before;
    const now = new Date().toISOString();
    database.sqlite.query("UPDATE organizations SET name = ?, updated_at = ? WHERE id = ?").run(name, now, before.id);
    recordActivity(database, {
      orgId: before.id,
      actor: actorOf(principal),
      action: "organization.update",
      target: { type: "organization", id: before.id, label: name },
      changes: { name: [before.name, name] },
      at: now,
    });
    return { ...before, name, updated_at: now };
  });
  return present(deps, org, principal);
}
