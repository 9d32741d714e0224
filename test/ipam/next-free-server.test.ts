/**
 * The next free subnet through real listening servers (issue 13, "Done when"): 64 concurrent
 * next-free-/24 requests in a /16 get 64 distinct, non-overlapping children — on a SQLite
 * file, and on PostgreSQL with the requests spread over two replicas (two `serve` processes'
 * worth: each its own pool, memory and socket), where a record one replica takes inside a
 * block keeps the other from handing that block out.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startPgServer, startServer } from "../../src/server";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, usePgCluster, type TestPgDatabase } from "../helpers/pg";
import { createTenant, createTenantIn, type Tenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

usePgCluster();

const stops: (() => Promise<void>)[] = [];
let pg: TestPgDatabase | undefined;
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await pg?.drop();
  pg = undefined;
});

async function json(base: string, tenant: Tenant, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...tenant.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** 64 distinct /24s, none overlapping another, all children of the /16: exactly its lowest 64. */
function expectLowest64(cidrs: string[], secondOctet: number): void {
  expect(new Set(cidrs).size).toBe(64);
  const want = Array.from({ length: 64 }, (_, k) => `10.${secondOctet}.${k}.0/24`);
  expect([...cidrs].sort()).toEqual([...want].sort());
}

describe("next free subnet through a real server", () => {
  test("SQLite file: 64 concurrent next-free-/24 requests in a /16 → 64 distinct children; the database agrees after a restart", async () => {
    const db = join(tempDir("next-free-server"), "ipcraft.db");
    const database = openDatabase(db);
    const tenant = createTenant(database);
    database.close();
    const boot = () => {
      const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
      stops.push(() => server.stop());
      return { server, base: `http://127.0.0.1:${server.port}/api/v1` };
    };
    const first = boot();
    const parent = (await json(first.base, tenant, "POST", "/subnets", { cidr: "10.70.0.0/16" })).body;
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => json(first.base, tenant, "POST", `/subnets/${parent.id}/subnets`, { prefix_length: 24, name: `vlan-${i}` })),
    );
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    expectLowest64(answers.map((a) => a.body.cidr), 70);
    expect(answers.every((a) => a.body.parent_id === parent.id)).toBe(true);
    await first.server.stop();

    const second = boot();
    const listed = await json(second.base, tenant, "GET", `/subnets?parent_id=${parent.id}&limit=1000`);
    expectLowest64(listed.body.items.map((s: any) => s.cidr), 70);
    expect((await json(second.base, tenant, "GET", `/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).body).toEqual({ cidr: "10.70.64.0/24" });
  }, 60_000);

  test("PostgreSQL, two replicas: 64 concurrent requests spread over both → 64 distinct children; a record taken on one keeps its block from the other", async () => {
    pg = await freshPgDatabase({ migrated: true });
    const tenant = await createTenantIn(createPgStore(pg.sql));
    const replicas = [];
    for (let k = 0; k < 2; k++) {
      const server = await startPgServer(defaultServerConfig({ db: pg.url, port: 0, rateLimit: 0 }), createMemoryLogger());
      stops.push(() => server.stop());
      replicas.push(`http://127.0.0.1:${server.port}/api/v1`);
    }
    const [a, b] = replicas as [string, string];
    const parent = (await json(a, tenant, "POST", "/subnets", { cidr: "10.71.0.0/16" })).body;
    // Both replicas have the organization in memory before the race, as running servers would.
    expect((await json(b, tenant, "GET", `/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).body).toEqual({ cidr: "10.71.0.0/24" });
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => json(i % 2 === 0 ? a : b, tenant, "POST", `/subnets/${parent.id}/subnets`, { prefix_length: 24 })),
    );
    expect(answers.filter((r) => r.status !== 201)).toEqual([]);
    expectLowest64(answers.map((r) => r.body.cidr), 71);
    const [{ n }] = await pg.sql`SELECT count(*)::int AS n FROM subnets WHERE parent_id = ${parent.id}`;
    expect(n).toBe(64);

    // Replica b records an address in the parent's next free /24; replica a must skip that block.
    expect((await json(b, tenant, "POST", `/subnets/${parent.id}/addresses`, { ip: "10.71.64.10" })).status).toBe(201);
    expect((await json(a, tenant, "GET", `/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).body).toEqual({ cidr: "10.71.65.0/24" });
    expect((await json(a, tenant, "POST", `/subnets/${parent.id}/subnets`, { prefix_length: 24 })).body.cidr).toBe("10.71.65.0/24");
    // And b sees a's new child at once.
    expect((await json(b, tenant, "POST", `/subnets/${parent.id}/subnets`, { prefix_length: 24 })).body.cidr).toBe("10.71.66.0/24");
  }, 120_000);
});
