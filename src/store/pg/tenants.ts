/** PostgreSQL: provisioning an organization with its first user; the twin of src/store/sqlite/tenants.ts. */
import type { SQL } from "bun";
import { DEFAULT_VRF, type TenantQueries } from "../store";

export function pgTenants(tx: SQL): TenantQueries {
  return {
    // Runs in the new organization's scope: row-level security admits exactly its rows.
    async create({ at, organization: o, user: u, apiKey: k, session: s }) {
      await tx`INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (${o.id}, ${o.name}, ${o.plan}, ${at}, ${at})`;
      await tx`INSERT INTO vrfs (id, org_id, name, description, created_at, updated_at) VALUES (${crypto.randomUUID()}, ${o.id}, ${DEFAULT_VRF}, '', ${at}, ${at})`;
      await tx`INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (${u.id}, ${o.id}, ${u.email}, ${u.name}, ${u.role}, ${at}, ${at})`;
      if (k) {
        await tx`INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at)
                 VALUES (${k.id}, ${o.id}, ${u.id}, ${k.name}, ${k.prefix}, ${k.hash}, ${k.scope}, ${at})`;
      }
      if (s) {
        await tx`INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at)
                 VALUES (${s.id}, ${s.tokenHash}, ${u.id}, ${at}, ${at}, ${s.expiresAt})`;
      }
    },
  };
}
