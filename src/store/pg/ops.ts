/**
 * PostgreSQL: the CLI's lookups across organizations, and the rate-limit windows every
 * replica shares.
 *
 * The CLI connects as the owner, and row-level security is forced on the owner too, so a
 * lookup across organizations reads the way pruning does (store/pg/activity.ts): the
 * organizations through the maintenance listing (drizzle/pg/0005), then each organization
 * under its own `app.org_id`, and `app.org_id` back to '' at the end. One query per
 * organization: right for an operator's command, not for a request path.
 *
 * Rate limits (auth/shared-rate-limit.ts): one row per organization and fixed window
 * (`rate_limit_windows`, drizzle/pg/0007). A replica asks for a lease of `want` requests at
 * a time, granted by one conditional UPSERT in the organization's own scope:
 *
 *   INSERT (org, window, want) ON CONFLICT DO UPDATE
 *     SET hits = LEAST(hits + want, cap), granted = <that> - <hits before>  WHERE hits < cap
 *   RETURNING hits, granted        no row returned → the window is full → 429
 *
 * The row lock the UPSERT takes serialises the leases of all replicas, so together they are
 * never granted more than `cap` in a window. The UPSERT that creates a window's row deletes
 * the organization's older rows: at most two rows per organization.
 */
import type { SQL } from "bun";
import type { OpsQueries, OrganizationSummary, RateLimitQueries, Scope, StoredKey } from "../store";
import { iso } from "./errors";

/** The organizations, oldest first, through the maintenance listing (an owner under FORCE sees no other way). */
export async function listOrganizations(tx: SQL): Promise<OrganizationSummary[]> {
  const [, rows] = await Promise.all([
    tx`SELECT set_config('app.maintenance', 'retention', true)`.execute(),
    tx`SELECT id, name, plan FROM organizations ORDER BY created_at, id`.execute(),
    tx`SELECT set_config('app.maintenance', '', true)`.execute(),
  ]);
  return [...(rows as OrganizationSummary[])];
}

/** The organization ids (see listOrganizations). */
export async function listOrganizationIds(tx: SQL): Promise<string[]> {
  return (await listOrganizations(tx)).map((o) => o.id);
}

/** Runs `fn` once per organization under its own `app.org_id`; stops at the first non-undefined answer. */
async function firstInEachOrganization<T>(tx: SQL, scope: Scope, fn: (orgId: string) => Promise<T | undefined>): Promise<T | undefined> {
  if (scope.orgId !== null) throw new Error("lookups across organizations are system work: run them in a unit with scope { orgId: null }");
  try {
    for (const { id } of await listOrganizations(tx)) {
      await tx`SELECT set_config('app.org_id', ${id}, true)`;
      const found = await fn(id);
      if (found !== undefined) return found;
    }
    return undefined;
  } finally {
    await tx`SELECT set_config('app.org_id', '', true)`;
  }
}

export function pgOps(tx: SQL, scope: Scope): OpsQueries {
  return {
    async hasUsers() {
      const found = await firstInEachOrganization(tx, scope, async (orgId) => {
        const [row] = await tx`SELECT EXISTS (SELECT 1 FROM users WHERE org_id = ${orgId}) AS any`;
        return row.any ? true : undefined;
      });
      return found ?? false;
    },
    async organizations(limit) {
      return (await listOrganizations(tx)).slice(0, limit);
    },
    async keysMatching(match) {
      const found: StoredKey[] = [];
      const id = "id" in match ? match.id : null;
      const prefix = "prefix" in match ? match.prefix : null;
      await firstInEachOrganization(tx, scope, async (orgId) => {
        const rows = await tx`
          SELECT k.id, k.org_id, k.user_id, u.email, k.name, k.prefix, k.scope, k.created_at, k.last_used_at, k.expires_at
            FROM api_keys k JOIN users u ON u.id = k.user_id
           WHERE k.org_id = ${orgId} AND (k.id = ${id}::text OR k.prefix = ${prefix}::text)`;
        for (const r of rows) found.push({ ...r, created_at: iso(r.created_at), last_used_at: iso(r.last_used_at), expires_at: iso(r.expires_at) });
        return undefined;
      });
      return found;
    },
    async setPlan(orgId, plan, at) {
      await tx`UPDATE organizations SET plan = ${plan}, updated_at = ${at} WHERE id = ${orgId}`;
    },
    async totals() {
      const rows = await tx`
        SELECT relname, n_live_tup::int AS n FROM pg_stat_user_tables
         WHERE schemaname = 'public' AND relname IN ('organizations', 'subnets', 'addresses')`;
      const of = (table: string) => (rows as { relname: string; n: number }[]).find((r) => r.relname === table)?.n ?? 0;
      return { organizations: of("organizations"), subnets: of("subnets"), addresses: of("addresses") };
    },
  };
}

export function pgRateLimits(tx: SQL): RateLimitQueries {
  return {
    async take(orgId, window, cap, want) {
      // A counter, not a record: losing the last few counts in a crash is harmless, so this
      // transaction does not wait for its WAL flush (the row lock is held for less time).
      await tx`SET LOCAL synchronous_commit TO OFF`;
      const first = Math.min(want, cap);
      const rows = await tx`
        INSERT INTO rate_limit_windows AS w (org_id, window_start, hits, granted) VALUES (${orgId}, ${window}, ${first}, ${first})
        ON CONFLICT (org_id, window_start) DO UPDATE
           SET hits = LEAST(w.hits + ${want}::int, ${cap}::int), granted = LEAST(w.hits + ${want}::int, ${cap}::int) - w.hits
         WHERE w.hits < ${cap}::int
        RETURNING hits, granted, xmax = 0 AS inserted`;
      if (rows.length === 0) return { granted: 0, hits: cap };
      const { hits, granted, inserted } = rows[0] as { hits: number; granted: number; inserted: boolean };
      if (inserted) await tx`DELETE FROM rate_limit_windows WHERE org_id = ${orgId} AND window_start < ${window}`;
      return { granted, hits };
    },
  };
}
