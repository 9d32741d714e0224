/**
 * Idempotency-Key across two replicas on one PostgreSQL (each its own pool, memory and
 * in-flight table, as two `serve` processes): the key row is stored in the creating unit's
 * transaction, so requests with one key racing on both replicas take effect once and the
 * losers answer the winner's answer; `reuse` races across replicas make one record too. The
 * stored row never holds a secret, and pruning removes rows older than 24 h through the
 * maintenance window only.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { pruneIdempotencyKeys } from "../../src/http/idempotency";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { SQL } from "bun";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn, type Tenant } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await db?.drop();
  db = undefined;
});

function replica(url: string, tenant: Tenant) {
  const store = createPgStore(new SQL(url, { max: 6 }), { ownsClient: true });
  closers.push(() => store.close());
  const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  return async (path: string, body: unknown, key?: string, browser = false) => {
    const headers: Record<string, string> = { ...(browser ? tenant.browser : tenant.bearer), "content-type": "application/json" };
    if (key) headers["idempotency-key"] = key;
    const response = await app.handle(new Request(`http://localhost/api/v1${path}`, { method: "POST", headers, body: JSON.stringify(body) }));
    return { status: response.status, replayed: response.headers.get("idempotent-replayed"), body: (await response.json()) as any };
  };
}

async function twoReplicas() {
  db = await freshPgDatabase({ migrated: true });
  const tenant = await createTenantIn(createPgStore(db.sql));
  return { a: replica(db.url, tenant), b: replica(db.url, tenant), sql: db.sql, tenant };
}

describe("Idempotency-Key across two replicas", () => {
  test("one key sent 32 times to each replica at once: one address, every 201 is that address", async () => {
    const { a, b, sql } = await twoReplicas();
    const subnet = (await a("/subnets", { cidr: "10.70.0.0/24" })).body;
    // Both have the organization loaded, as running servers would.
    await b(`/subnets/${subnet.id}/addresses`, { ip: "10.70.0.200" });
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => (i % 2 ? a : b)(`/subnets/${subnet.id}/addresses`, { hostname: "build-9" }, "pipeline-9")),
    );
    const ok = answers.filter((r) => r.status === 201);
    expect(answers.filter((r) => r.status !== 201 && !(r.status === 409 && r.body.code === "idempotency_key_in_flight"))).toEqual([]);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM addresses WHERE subnet_id = ${subnet.id} AND hostname = 'build-9'`;
    expect(n).toBe(1);
    // Later retries on either replica replay it.
    for (const on of [a, b]) expect(await on(`/subnets/${subnet.id}/addresses`, { hostname: "build-9" }, "pipeline-9")).toMatchObject({ status: 201, replayed: "true", body: ok[0]!.body });
  }, 60_000);

  test("plain units race too: one section from a key sent to both replicas at once", async () => {
    const { a, b, sql } = await twoReplicas();
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b)("/sections", { name: "Edge" }, "sec-1")));
    expect(answers.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([]);
    expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM sections`;
    expect(n).toBe(1);
  }, 60_000);

  test("reuse: hostname racing on both replicas makes one record", async () => {
    const { a, b, sql } = await twoReplicas();
    const subnet = (await a("/subnets", { cidr: "10.71.0.0/24" })).body;
    await b(`/subnets/${subnet.id}/addresses`, { ip: "10.71.0.200" });
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => (i % 2 ? a : b)(`/subnets/${subnet.id}/addresses`, { hostname: "db-7", reuse: "hostname" })),
    );
    expect(answers.filter((r) => r.status === 201).length).toBe(1);
    expect(answers.filter((r) => r.status === 200).length).toBe(63);
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM addresses WHERE hostname = 'db-7'`;
    expect(n).toBe(1);
  }, 60_000);

  test("the stored answer of a key creation holds no secret; pruning drops rows older than 24 h and nothing else", async () => {
    const { a, sql, tenant } = await twoReplicas();
    const created = await a("/api-keys", { name: "ci", scope: "write" }, "key-1", true);
    expect(created.status).toBe(201);
    const [row] = await sql`SELECT response, state FROM idempotency_keys WHERE org_id = ${tenant.orgId} AND key = 'key-1'`;
    expect(row.state).toBe("redacted");
    expect(row.response).not.toContain(created.body.key);
    expect(JSON.parse(row.response)).toEqual({ ...created.body, key: null });

    await sql`INSERT INTO idempotency_keys (org_id, key, request_hash, status, response, state, created_at)
              VALUES (${tenant.orgId}, 'old', 'h', 201, '{}', 'done', now() - interval '25 hours')`;
    const store = createPgStore(db!.sql);
    expect(await pruneIdempotencyKeys(store)).toBe(1);
    const keys = await sql`SELECT key FROM idempotency_keys ORDER BY key`;
    expect(keys.map((k: { key: string }) => k.key)).toEqual(["key-1"]);
    // A key older than 24 h that pruning has not reached yet is free again.
    await sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours'`;
    const fresh = await a("/sections", { name: "After" }, "key-1");
    expect({ status: fresh.status, replayed: fresh.replayed }).toEqual({ status: 201, replayed: null });
  }, 60_000);
});
