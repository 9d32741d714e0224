/**
 * Fixture builders: an organization with a user, an API key and a session, written straight
 * to storage (no HTTP), so that each test states only what it needs. `createTenant` writes
 * synchronously to a SQLite database (most tests); `createTenantIn` goes through a Store and
 * works on both dialects (the contract suites). Both write with the same SQL
 * (src/store/{sqlite,pg}/tenants.ts).
 */
import type { Role, Scope } from "../../src/auth/principal";
import { generateApiKey, generateOpaqueToken } from "../../src/auth/tokens";
import type { OpenDatabase } from "../../src/db/client";
import { tenantStatements } from "../../src/store/sqlite/tenants";
import type { NewTenant, Store } from "../../src/store/store";

export interface Tenant {
  orgId: string;
  userId: string;
  email: string;
  /** full API key, `ipc_...` */
  key: string;
  keyId: string;
  /** raw session cookie value */
  session: string;
  /** headers for an API-key request */
  bearer: Record<string, string>;
  /** headers for a browser request (cookie + CSRF header) */
  browser: Record<string, string>;
}

export type TenantOptions = { plan?: string; role?: Role; scope?: Scope; email?: string; orgName?: string };

let counter = 0;

/** The rows to write and the credentials a test uses. */
function newTenant(options: TenantOptions): { rows: NewTenant; tenant: Tenant } {
  const n = ++counter;
  const at = new Date().toISOString();
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const email = options.email ?? `user${n}-${orgId.slice(0, 8)}@example.org`;
  const key = generateApiKey();
  const keyId = crypto.randomUUID();
  const session = generateOpaqueToken();
  const rows: NewTenant = {
    at,
    organization: { id: orgId, name: options.orgName ?? `Org ${n}`, plan: options.plan ?? "unlimited" },
    user: { id: userId, email, name: `User ${n}`, role: options.role ?? "owner" },
    apiKey: { id: keyId, name: "Test key", prefix: key.prefix, hash: key.hash, scope: options.scope ?? "write" },
    session: { id: crypto.randomUUID(), tokenHash: session.hash, expiresAt: new Date(Date.now() + 30 * 86400_000).toISOString() },
  };
  const tenant: Tenant = {
    orgId,
    userId,
    email,
    key: key.key,
    keyId,
    session: session.token,
    bearer: { authorization: `Bearer ${key.key}` },
    browser: { cookie: `session=${session.token}`, "x-requested-with": "XMLHttpRequest" },
  };
  return { rows, tenant };
}

export function createTenant(database: OpenDatabase, options: TenantOptions = {}): Tenant {
  const { rows, tenant } = newTenant(options);
  tenantStatements(database).create(rows);
  return tenant;
}

/** The same through a Store, in the new organization's scope (row-level security admits it). */
export async function createTenantIn(store: Store, options: TenantOptions = {}): Promise<Tenant> {
  const { rows, tenant } = newTenant(options);
  await store.write({ orgId: tenant.orgId }, (q) => q.tenants.create(rows));
  return tenant;
}

/**
 * A second user in `owner`'s organization (SQLite), with its own key and session: a fixture
 * made as another tenant, then moved into owner's organization (its empty one dropped).
 */
export function createColleague(database: OpenDatabase, owner: Tenant, options: Pick<TenantOptions, "role" | "scope"> = {}): Tenant {
  const other = createTenant(database, options);
  const { sqlite } = database;
  sqlite.run("UPDATE users SET org_id = ? WHERE id = ?", [owner.orgId, other.userId]);
  sqlite.run("UPDATE api_keys SET org_id = ? WHERE id = ?", [owner.orgId, other.keyId]);
  sqlite.run("DELETE FROM organizations WHERE id = ?", [other.orgId]);
  return { ...other, orgId: owner.orgId };
}
