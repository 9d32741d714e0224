/**
 * Fixture builders: an organization with a user, an API key and a session, written straight
 * to the database (no HTTP), so that each test states only what it needs.
 */
import type { Role, Scope } from "../../src/auth/principal";
import { generateApiKey, generateOpaqueToken } from "../../src/auth/tokens";
import type { OpenDatabase } from "../../src/db/client";

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

let counter = 0;

export function createTenant(
  database: OpenDatabase,
  options: { plan?: string; role?: Role; scope?: Scope; email?: string; orgName?: string } = {},
): Tenant {
  const n = ++counter;
  const now = new Date().toISOString();
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const email = options.email ?? `user${n}-${orgId.slice(0, 8)}@example.org`;
  const { sqlite } = database;
  sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", [
    orgId,
    options.orgName ?? `Org ${n}`,
    options.plan ?? "unlimited",
    now,
    now,
  ]);
  sqlite.run("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", [
    userId,
    orgId,
    email,
    `User ${n}`,
    options.role ?? "owner",
    now,
    now,
  ]);
  const key = generateApiKey();
  const keyId = crypto.randomUUID();
  sqlite.run(
    "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [keyId, orgId, userId, "Test key", key.prefix, key.hash, options.scope ?? "write", now],
  );
  const session = generateOpaqueToken();
  const expires = new Date(Date.now() + 30 * 86400_000).toISOString();
  sqlite.run("INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", [
    crypto.randomUUID(),
    session.hash,
    userId,
    now,
    now,
    expires,
  ]);
  return {
    orgId,
    userId,
    email,
    key: key.key,
    keyId,
    session: session.token,
    bearer: { authorization: `Bearer ${key.key}` },
    browser: { cookie: `session=${session.token}`, "x-requested-with": "XMLHttpRequest" },
  };
}
