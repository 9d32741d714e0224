/**
 * Tenant isolation, second wall: with row-level security forced on every tenant table and
 * the server working as `ipcraft_app` (a role that owns nothing), a query that forgets its
 * organization filter still returns nothing of another organization, and with no
 * organization declared it returns nothing at all.
 */
import type { SQL } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { inScope } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";

usePgCluster();

/** Tables holding nothing of an organization, read before anyone is signed in. */
const NOT_TENANT = ["login_tokens"];
/** The SELECT-only windows for lookups before the organization is known (drizzle/pg/0003_pre_auth_lookups.sql, 0004_invitation_lookup.sql, 0018_invitation_by_email.sql). */
const LOOKUP_WINDOWS = ["api_keys", "invitations", "sessions", "users"];
/** The webhook delivery worker's window (drizzle/pg/0009_webhooks.sql; its window on the old events table went with it, 0019), and the other system windows. */
const DELIVERY_WORKER_WINDOWS: Record<string, string[]> = {
  webhook_deliveries: ["delivery_worker:ALL"],
  webhooks: ["delivery_worker:SELECT"],
  // Idempotency-Key pruning (drizzle/pg/0011_idempotency.sql): read and delete, never write.
  idempotency_keys: ["idempotency_prune:DELETE", "idempotency_prune_read:SELECT"],
};
/** How a row of a tenant table names its organization. */
const ORG_OF: Record<string, string> = { organizations: "id", sessions: "(SELECT org_id FROM users WHERE users.id = user_id)" };

const NOW = "2026-01-02T03:04:05.123Z";
const A = "org-a";
const B = "org-b";

async function seed(sql: SQL, org: string): Promise<void> {
  // The test connects as the cluster's superuser, which RLS never filters.
  const key = Buffer.from(org === A ? "00000000000000000000ffff0a000001" : "00000000000000000000ffff0a000002", "hex");
  await sql`INSERT INTO organizations (id, name, created_at, updated_at) VALUES (${org}, ${org}, ${NOW}, ${NOW})`;
  await sql`INSERT INTO users (id, org_id, email, role, created_at, updated_at) VALUES (${`${org}-u`}, ${org}, ${`${org}@example.org`}, 'owner', ${NOW}, ${NOW})`;
  await sql`INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (${`${org}-s`}, ${`${org}-sh`}, ${`${org}-u`}, ${NOW}, ${NOW}, ${NOW})`;
  await sql`INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (${`${org}-k`}, ${org}, ${`${org}-u`}, 'ci', 'ipc_x', ${`${org}-kh`}, 'write', ${NOW})`;
  await sql`INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES (${`${org}-sec`}, ${org}, 'Lab', 'lab', ${NOW}, ${NOW})`;
  await sql`INSERT INTO subnets (id, org_id, section_id, family, network_key, prefix_length, cidr, created_at, updated_at)
            VALUES (${`${org}-net`}, ${org}, ${`${org}-sec`}, 4, ${key}, 24, '10.0.0.0/24', ${NOW}, ${NOW})`;
  await sql`INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at)
            VALUES (${`${org}-ip`}, ${org}, ${`${org}-net`}, 'default', '10.0.0.1', ${key}, ${NOW}, ${NOW})`;
  await sql`INSERT INTO activity (id, org_id, at, actor_type, actor_label, action, target_type, seq) VALUES (${`${org}-act`}, ${org}, ${NOW}, 'system', 'test', 'subnet.create', 'subnet', 1)`;
  await sql`INSERT INTO invitations (id, org_id, email, role, created_at, updated_at) VALUES (${`${org}-inv`}, ${org}, 'guest@example.org', 'member', ${NOW}, ${NOW})`;
  await sql`INSERT INTO subnet_changes (org_id, subnet_id, seq, kind, ip_key) VALUES (${org}, ${`${org}-net`}, 1, 'take', ${key})`;
  await sql`INSERT INTO ipam_versions (org_id, version) VALUES (${org}, 1)`;
  await sql`INSERT INTO rate_limit_windows (org_id, window_start, hits, granted) VALUES (${org}, 1, 1, 1)`;
  await sql`INSERT INTO event_counters (org_id, seq) VALUES (${org}, 1)`;
  await sql`INSERT INTO webhooks (id, org_id, url, events, secret, created_at, updated_at) VALUES (${`${org}-wh`}, ${org}, 'http://hooks.lan/x', '["*"]', 'whsec_x', ${NOW}, ${NOW})`;
  await sql`INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event_type, body, status, created_at, next_attempt_at)
            VALUES (${`${org}-del`}, ${org}, ${`${org}-wh`}, ${`${org}-ev`}, 'subnet.create', '{}', 'pending', ${NOW}, ${NOW})`;
  await sql`INSERT INTO vrfs (id, org_id, name, created_at, updated_at) VALUES (${`${org}-vrf`}, ${org}, 'default', ${NOW}, ${NOW})`;
  // number_counters: its rows (one per kind) come from the insert triggers on sections, subnets and addresses above.
  await sql`INSERT INTO idempotency_keys (org_id, key, request_hash, status, response, state, created_at) VALUES (${org}, 'k1', 'h', 201, '{}', 'done', ${NOW})`;
}

/** Runs `body` in one transaction working as the application role, as the server will. */
function asApp<T>(sql: SQL, org: string | null, body: (tx: SQL) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`SELECT set_config('role', 'ipcraft_app', true)`;
    if (org !== null) await tx`SELECT set_config('app.org_id', ${org}, true)`;
    return body(tx);
  }) as Promise<T>;
}

describe("row-level security", () => {
  let db: TestPgDatabase;
  let tenantTables: string[];

  beforeAll(async () => {
    db = await freshPgDatabase({ migrated: true });
    await seed(db.sql, A);
    await seed(db.sql, B);
    const withOrg = await db.sql`SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'org_id'`;
    tenantTables = [...withOrg.map((r: { table_name: string }) => r.table_name), ...Object.keys(ORG_OF)].sort();
  });
  afterAll(() => db?.drop());

  test("every table is a tenant table except the ones named here", async () => {
    const all = await db.sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    expect(all.map((r: { table_name: string }) => r.table_name).filter((t: string) => !tenantTables.includes(t))).toEqual(NOT_TENANT);
    expect(tenantTables.length).toBe(18);
  });

  test("each tenant table has RLS enabled, forced, and a tenant policy; the app role may read and write it", async () => {
    for (const table of tenantTables) {
      const [row] = await db.sql`
        SELECT c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
               (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.policyname = 'tenant_isolation' AND p.cmd = 'ALL') AS policies,
               (SELECT array_agg(p.policyname || ':' || p.cmd ORDER BY p.policyname) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.policyname <> 'tenant_isolation') AS others,
               has_table_privilege('ipcraft_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS dml
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = ${table}`;
      // The only other policies are the SELECT-only lookup windows, and the maintenance window on organizations.
      const others = LOOKUP_WINDOWS.includes(table) ? ["pre_auth_lookup:SELECT"] : table === "organizations" ? ["maintenance_listing:SELECT"] : (DELIVERY_WORKER_WINDOWS[table] ?? null);
      expect({ table, ...row }).toEqual({ table, enabled: true, forced: true, policies: 1, others, dml: true });
    }
  });

  test("the lookup windows show only the row whose secret hash (or email, or id) was declared, and nothing can be written through them", async () => {
    const lookup = (value: string, query: (tx: SQL) => Promise<unknown>) =>
      asApp(db.sql, null, async (tx) => {
        await tx`SELECT set_config('app.lookup', ${value}, true)`;
        return query(tx);
      });
    expect(await lookup(`${A}-kh`, (tx) => tx`SELECT id, org_id FROM api_keys`)).toEqual([{ id: `${A}-k`, org_id: A }]);
    expect(await lookup(`${B}-sh`, (tx) => tx`SELECT id, user_id FROM sessions`)).toEqual([{ id: `${B}-s`, user_id: `${B}-u` }]);
    expect(await lookup(`${A}@example.org`, (tx) => tx`SELECT id FROM users`)).toEqual([{ id: `${A}-u` }]);
    expect(await lookup(`${B}-u`, (tx) => tx`SELECT id FROM users`)).toEqual([{ id: `${B}-u` }]);
    // An invitation by its id (the id a spent invitation link carries), or the invitations of
    // one email (an invitee asking the sign-in page for a link, drizzle/pg/0018): that email's only.
    expect(await lookup(`${A}-inv`, (tx) => tx`SELECT id, org_id FROM invitations`)).toEqual([{ id: `${A}-inv`, org_id: A }]);
    expect(await lookup("guest@example.org", (tx) => tx`SELECT id FROM invitations ORDER BY id`)).toEqual([{ id: `${A}-inv` }, { id: `${B}-inv` }]);
    expect(await lookup("other@example.org", (tx) => tx`SELECT id FROM invitations`)).toEqual([]);
    // A hash opens its own row only: nothing else of that table or of that organization.
    expect(await lookup(`${A}-kh`, (tx) => tx`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM organizations) AS orgs, (SELECT count(*)::int FROM sessions) AS sessions`)).toEqual([{ users: 0, orgs: 0, sessions: 0 }]);
    expect(await lookup("", (tx) => tx`SELECT (SELECT count(*)::int FROM api_keys) AS keys, (SELECT count(*)::int FROM users) AS users`)).toEqual([{ keys: 0, users: 0 }]);
    const changed = await lookup(`${A}-kh`, async (tx) => {
      const updated = await tx`UPDATE api_keys SET name = 'stolen'`;
      const deleted = await tx`DELETE FROM api_keys`;
      return { updated: updated.count, deleted: deleted.count };
    });
    expect(changed).toEqual({ updated: 0, deleted: 0 });
    const invitation = await lookup(`${A}-inv`, async (tx) => {
      const updated = await tx`UPDATE invitations SET role = 'owner'`;
      const deleted = await tx`DELETE FROM invitations`;
      return { updated: updated.count, deleted: deleted.count };
    });
    expect(invitation).toEqual({ updated: 0, deleted: 0 });
  });

  test("the maintenance window (activity retention) lists organizations and nothing else; nothing can be written through it", async () => {
    const maintenance = (value: string, query: (tx: SQL) => Promise<unknown>) =>
      asApp(db.sql, null, async (tx) => {
        await tx`SELECT set_config('app.maintenance', ${value}, true)`;
        return query(tx);
      });
    const orgs = (await maintenance("retention", (tx) => tx`SELECT id, plan FROM organizations ORDER BY id`)) as { id: string }[];
    expect(orgs.map((o) => o.id)).toEqual([A, B]);
    expect(await maintenance("retention", (tx) => tx`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM activity) AS activity, (SELECT count(*)::int FROM api_keys) AS keys`)).toEqual([{ users: 0, activity: 0, keys: 0 }]);
    expect(await maintenance("", (tx) => tx`SELECT id FROM organizations`)).toEqual([]);
    expect(await maintenance("other", (tx) => tx`SELECT id FROM organizations`)).toEqual([]);
    const changed = await maintenance("retention", async (tx) => {
      const updated = await tx`UPDATE organizations SET name = 'stolen'`;
      const deleted = await tx`DELETE FROM activity`;
      return { updated: updated.count, deleted: deleted.count };
    });
    expect(changed).toEqual({ updated: 0, deleted: 0 });
  });

  test("the webhook worker's window shows deliveries and webhooks of every organization and nothing else (not the activity log, the feed's events); webhooks and the log cannot be changed through it", async () => {
    const worker = (value: string, query: (tx: SQL) => Promise<unknown>) =>
      asApp(db.sql, null, async (tx) => {
        await tx`SELECT set_config('app.maintenance', ${value}, true)`;
        return query(tx);
      });
    const seen = await worker("webhooks", (tx) => tx`
      SELECT (SELECT count(*)::int FROM webhook_deliveries) AS deliveries, (SELECT count(*)::int FROM webhooks) AS hooks,
             (SELECT count(*)::int FROM activity) AS events, (SELECT count(*)::int FROM users) AS users,
             (SELECT count(*)::int FROM organizations) AS orgs, (SELECT count(*)::int FROM event_counters) AS counters`);
    expect(seen).toEqual([{ deliveries: 2, hooks: 2, events: 0, users: 0, orgs: 0, counters: 0 }]);
    expect(await worker("retention", (tx) => tx`SELECT (SELECT count(*)::int FROM webhook_deliveries) AS d, (SELECT count(*)::int FROM webhooks) AS w`)).toEqual([{ d: 0, w: 0 }]);
    expect(await worker("", (tx) => tx`SELECT count(*)::int AS n FROM webhook_deliveries`)).toEqual([{ n: 0 }]);
    const changed = await worker("webhooks", async (tx) => {
      const hooks = await tx`UPDATE webhooks SET url = 'http://evil.example/'`;
      const events = await tx`UPDATE activity SET changes = '{"x":[1,2]}'`;
      return { hooks: hooks.count, events: events.count };
    });
    expect(changed).toEqual({ hooks: 0, events: 0 });
    await expect(worker("webhooks", (tx) => tx`INSERT INTO webhooks (id, org_id, url, events, secret, created_at, updated_at) VALUES ('x', ${A}, 'http://x/', '[]', 's', ${NOW}, ${NOW})`)).rejects.toThrow();
  });

  test("through the Store's own transaction setup, a query with its organization filter removed returns nothing of another organization", async () => {
    // The same statements the sections repository runs, minus `WHERE org_id = …`.
    const asA = await inScope(db.sql, { orgId: A }, (tx) => tx`SELECT org_id FROM sections UNION ALL SELECT org_id FROM subnets UNION ALL SELECT org_id FROM activity`);
    expect(new Set(asA.map((r: { org_id: string }) => r.org_id))).toEqual(new Set([A]));
    const unfiled = await inScope(db.sql, { orgId: B }, (tx) => tx`UPDATE subnets SET name = name RETURNING org_id`);
    expect(unfiled.map((r: { org_id: string }) => r.org_id)).toEqual([B]);
    const [role] = await inScope(db.sql, { orgId: A }, (tx) => tx`SELECT current_user AS who`);
    expect(role.who).toBe("ipcraft_app");
    const none = await inScope(db.sql, { orgId: null }, (tx) => tx`SELECT id FROM sections UNION ALL SELECT id FROM api_keys UNION ALL SELECT id FROM organizations`);
    expect(none).toEqual([]);
  });

  test("the app role owns nothing, bypasses nothing and cannot change the rules", async () => {
    const [role] = await db.sql`SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'ipcraft_app'`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
    const [owned] = await db.sql`SELECT count(*)::int AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'ipcraft_app'`;
    expect(owned.n).toBe(0);
    for (const ddl of ['ALTER TABLE "addresses" NO FORCE ROW LEVEL SECURITY', 'DROP POLICY "tenant_isolation" ON "subnets"', "CREATE TABLE sneaky (id text)"]) {
      const error = await asApp(db.sql, A, (tx) => tx.unsafe(ddl)).catch((e) => e);
      expect({ ddl, errno: error?.errno }).toEqual({ ddl, errno: "42501" }); // insufficient_privilege
    }
  });

  test("with organization A declared, a query with no organization filter sees A's rows and nothing of B", async () => {
    for (const table of tenantTables) {
      const orgs = await asApp(db.sql, A, (tx) => tx.unsafe(`SELECT DISTINCT ${ORG_OF[table] ?? "org_id"} AS org FROM "${table}"`));
      expect({ table, orgs: orgs.map((r: { org: string }) => r.org) }).toEqual({ table, orgs: [A] });
    }
    // The same as B, so that the visible row really follows the declared organization.
    const asB = await asApp(db.sql, B, (tx) => tx`SELECT id FROM addresses`);
    expect(asB.map((r: { id: string }) => r.id)).toEqual([`${B}-ip`]);
  });

  test("with no organization declared, every tenant table reads empty", async () => {
    for (const table of tenantTables) {
      const [row] = await asApp(db.sql, null, (tx) => tx.unsafe(`SELECT count(*)::int AS n FROM "${table}"`));
      expect({ table, n: row.n }).toEqual({ table, n: 0 });
    }
  });

  test("a pooled connection reused after a transaction that declared A sees nothing when the next one declares none", async () => {
    const conn = await db.sql.reserve();
    try {
      expect((await asApp(conn, A, (tx) => tx`SELECT id FROM subnets`)).length).toBe(1);
      // After SET LOCAL the setting exists but is '' (not NULL): still matches nothing.
      const [left] = await asApp(conn, null, (tx) => tx`SELECT current_setting('app.org_id', true) AS v, (SELECT count(*)::int FROM subnets) AS n`);
      expect(left).toEqual({ v: "", n: 0 });
    } finally {
      conn.release();
    }
  });

  test("writes stay inside the declared organization", async () => {
    // Inserting a row for B while declared as A is refused.
    const insert = await asApp(db.sql, A, (tx) =>
      tx`INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES ('x', ${B}, 'X', 'x', ${NOW}, ${NOW})`,
    ).catch((e) => e);
    expect(insert?.errno).toBe("42501");
    // Unfiltered UPDATE and DELETE touch A's rows only.
    const changed = await asApp(db.sql, A, async (tx) => {
      const updated = await tx`UPDATE addresses SET hostname = 'renamed'`;
      const deleted = await tx`DELETE FROM activity`;
      return { updated: updated.count, deleted: deleted.count };
    });
    expect(changed).toEqual({ updated: 1, deleted: 1 });
    const [b] = await db.sql`SELECT hostname, (SELECT count(*)::int FROM activity WHERE org_id = ${B}) AS activity FROM addresses WHERE org_id = ${B}`;
    expect(b).toEqual({ hostname: "", activity: 1 });
  });
});
