/**
 * SQLite: the CLI's lookups across organizations (one file, one tenant wall: the explicit
 * filters), and the rate-limit windows of the Store interface.
 *
 * Rate limits: a SQLite deployment is one process, so the place every request of an
 * organization shares is this process's memory; auth/request-limits.ts keeps its token
 * buckets for SQLite and does not call `rateLimits` at all. The windows here implement the
 * same contract as PostgreSQL's table (test/store/contract/rate-limits.test.ts), in memory.
 */
import type { OpenDatabase } from "../../db/client";
import type { OpsQueries, OrganizationSummary, RateLimitQueries, StoredKey } from "../store";
import { apiKeyStatements } from "./api-keys";

export function sqliteOps(database: OpenDatabase): OpsQueries {
  const { sqlite } = database;
  const anyUser = sqlite.query<{ n: number }, []>("SELECT EXISTS (SELECT 1 FROM users) AS n");
  const orgs = sqlite.query<OrganizationSummary, [number]>("SELECT id, name, plan FROM organizations ORDER BY created_at, id LIMIT ?");
  const setPlan = sqlite.query<unknown, [string, string, string]>("UPDATE organizations SET plan = ?, updated_at = ? WHERE id = ?");
  const keys = apiKeyStatements(database);
  const totals = sqlite.query<{ organizations: number; subnets: number; addresses: number }, []>(
    "SELECT (SELECT COUNT(*) FROM organizations) AS organizations, (SELECT COUNT(*) FROM subnets) AS subnets, (SELECT COUNT(*) FROM addresses) AS addresses",
  );
  return {
    hasUsers: async () => anyUser.get()!.n === 1,
    organizations: async (limit) => orgs.all(limit),
    async keysMatching(match): Promise<StoredKey[]> {
      if ("id" in match) return [keys.anyOrg(match.id)].filter((k) => k !== null);
      return keys.byPrefix(match.prefix);
    },
    async setPlan(orgId, plan, at) {
      setPlan.run(plan, at, orgId);
    },
    totals: async () => totals.get()!,
  };
}

const windows = new WeakMap<OpenDatabase, Map<string, { window: number; hits: number }>>();

export function sqliteRateLimits(database: OpenDatabase): RateLimitQueries {
  let byOrg = windows.get(database);
  if (!byOrg) windows.set(database, (byOrg = new Map()));
  const counts = byOrg;
  return {
    async take(orgId, window, cap, want) {
      let current = counts.get(orgId);
      if (!current || current.window !== window) counts.set(orgId, (current = { window, hits: 0 }));
      const granted = Math.max(0, Math.min(want, cap - current.hits));
      current.hits += granted;
      return { granted, hits: current.hits };
    },
  };
}
