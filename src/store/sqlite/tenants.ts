/** SQLite: provisioning an organization with its first user (test fixtures; later sign-up and the CLI). */
import type { OpenDatabase } from "../../db/client";
import type { NewTenant, TenantQueries } from "../store";
import { vrfStatements } from "./vrfs";

/** Synchronous, for the SQLite-only test fixture (test/helpers/tenant.ts) that predates the store. */
export function tenantStatements(database: OpenDatabase) {
  const { sqlite } = database;
  const org = sqlite.query("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)");
  const vrfs = vrfStatements(database);
  const user = sqlite.query("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  const key = sqlite.query(
    "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const session = sqlite.query(
    "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
  );
  return {
    create({ at, organization: o, user: u, apiKey: k, session: s }: NewTenant): void {
      org.run(o.id, o.name, o.plan, at);
      vrfs.ensureDefault(o.id, at);
      user.run(u.id, o.id, u.email, u.name, u.role, at);
      if (k) key.run(k.id, o.id, u.id, k.name, k.prefix, k.hash, k.scope, at);
      if (s) session.run(s.id, s.tokenHash, u.id, at, s.expiresAt);
    },
  };
}

export function sqliteTenants(database: OpenDatabase): TenantQueries {
  const s = tenantStatements(database);
  return { create: async (tenant) => s.create(tenant) };
}
