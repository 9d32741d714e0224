/**
 * Idempotency-Key and `"reuse"` through a real listening server (Bun.serve on port 0), on
 * SQLite (a database file) and on PostgreSQL (startPgServer): one key sent 64 times at once
 * makes one address; 64 concurrent `reuse: hostname` make one record; a restart keeps the
 * answers; a reused key with another body is 422; refusals are not stored; every creating
 * POST replays, with secrets never stored.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startPgServer, startServer } from "../../src/server";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenant, createTenantIn, type Tenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

usePgCluster();

interface Booted {
  base: string;
  stop(): Promise<void>;
}

/** A database with one tenant, and a way to (re)start a real server on it. */
interface ServerBackend {
  name: string;
  prepare(): Promise<{ tenant: Tenant; boot(): Promise<Booted> }>;
}

const pgDatabases: TestPgDatabase[] = [];
const running: Booted[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});
afterAll(async () => {
  for (const db of pgDatabases.splice(0)) await db.drop();
});

const BACKENDS: ServerBackend[] = [
  {
    name: "sqlite",
    async prepare() {
      const db = join(tempDir("idempotency-server"), "ipcraft.db");
      const database = openDatabase(db);
      const tenant = createTenant(database);
      database.close();
      return {
        tenant,
        async boot() {
          const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
          const booted = { base: `http://127.0.0.1:${server.port}/api/v1`, stop: () => server.stop() };
          running.push(booted);
          return booted;
        },
      };
    },
  },
  {
    name: "postgres",
    async prepare() {
      const db = await freshPgDatabase({ migrated: true });
      pgDatabases.push(db);
      const tenant = await createTenantIn(createPgStore(db.sql));
      return {
        tenant,
        async boot() {
          const server = await startPgServer(defaultServerConfig({ db: db.url, port: 0, rateLimit: 0 }), createMemoryLogger());
          const booted = { base: `http://127.0.0.1:${server.port}/api/v1`, stop: () => server.stop() };
          running.push(booted);
          return booted;
        },
      };
    },
  },
];

async function call(base: string, tenant: Tenant, method: string, path: string, body?: unknown, key?: string, browser = false) {
  // Keys are managed from a browser session (API.md §2): those calls use the session cookie.
  const headers: Record<string, string> = { ...(browser ? tenant.browser : tenant.bearer) };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key !== undefined) headers["idempotency-key"] = key;
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return {
    status: response.status,
    replayed: response.headers.get("idempotent-replayed"),
    retryAfter: response.headers.get("retry-after"),
    body: text ? JSON.parse(text) : undefined,
  };
}

describe.each(BACKENDS)("Idempotency-Key and reuse through a real server on $name", (backend) => {
  test("64 concurrent requests with one key make one address; every answer is that address (or 409 in flight)", async () => {
    const { tenant, boot } = await backend.prepare();
    const { base } = await boot();
    const subnet = (await call(base, tenant, "POST", "/subnets", { cidr: "10.60.0.0/24" })).body;
    const answers = await Promise.all(
      Array.from({ length: 64 }, () => call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "ci-runner" }, "run-4711")),
    );
    const ok = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(ok.length + busy.length).toBe(64);
    for (const b of busy) expect({ code: b.body.code, retryAfter: b.retryAfter }).toEqual({ code: "idempotency_key_in_flight", retryAfter: "1" });
    expect(new Set(ok.map((a) => a.body.id)).size).toBe(1);
    expect(ok.filter((a) => a.replayed === null).length).toBe(1);
    const list = await call(base, tenant, "GET", `/subnets/${subnet.id}/addresses`);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0].id).toBe(ok[0]!.body.id);
    // One more retry, later: the same answer again, replayed.
    const again = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "ci-runner" }, "run-4711");
    expect(again).toMatchObject({ status: 201, replayed: "true", body: ok[0]!.body });
  }, 60_000);

  test("64 concurrent reuse: hostname for one hostname make one record: one 201, the others 200 with it", async () => {
    const { tenant, boot } = await backend.prepare();
    const { base } = await boot();
    const subnet = (await call(base, tenant, "POST", "/subnets", { cidr: "10.61.0.0/24" })).body;
    const answers = await Promise.all(
      Array.from({ length: 64 }, () => call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "db-1", reuse: "hostname" })),
    );
    expect(answers.filter((a) => a.status === 201).length).toBe(1);
    expect(answers.filter((a) => a.status === 200).length).toBe(63);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect((await call(base, tenant, "GET", `/subnets/${subnet.id}/addresses`)).body.total).toBe(1);
    // By MAC, in any notation (stored normalised); another hostname without reuse still allocates.
    const byMac = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { mac: "AA-BB-CC-00-11-22", reuse: "mac" });
    expect(byMac.status).toBe(201);
    const sameMac = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { mac: "aabb.cc00.1122", hostname: "x", reuse: "mac" });
    expect(sameMac).toMatchObject({ status: 200, body: { id: byMac.body.id, hostname: "" } });
    // With an address: the same one is the record (200); another is a 409 naming the record, not a silent 200.
    const dbOne = answers[0]!.body;
    const sameIp = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: dbOne.ip, hostname: "db-1", reuse: "hostname" });
    expect(sameIp).toMatchObject({ status: 200, body: { id: dbOne.id } });
    const otherIp = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: "10.61.0.200", hostname: "db-1", reuse: "hostname" });
    expect(otherIp).toMatchObject({ status: 409, body: { code: "conflict", details: { field: "ip", address: { id: dbOne.id } } } });
    expect(otherIp.body.error).toBe(`hostname db-1 already has ${dbOne.ip} in this subnet, not 10.61.0.200; leave out "ip" to get that record, or "reuse" to record another`);
    expect((await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "db-1" })).status).toBe(201);
    // Refused shapes: reuse with count, reuse of a field the request does not give.
    const withCount = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "a", count: 2, reuse: "hostname" });
    expect(withCount).toMatchObject({ status: 400, body: { code: "validation_failed", details: { field: "reuse" } } });
    const nothing = await call(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { reuse: "mac" });
    expect(nothing).toMatchObject({ status: 400, body: { code: "validation_failed", details: { field: "reuse" } } });
  }, 60_000);

  test("a restart keeps the answers; the key with another body is 422; a refused request stores nothing", async () => {
    const { tenant, boot } = await backend.prepare();
    let server = await boot();
    const subnet = (await call(server.base, tenant, "POST", "/subnets", { cidr: "10.62.0.0/24" })).body;
    const first = await call(server.base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "web-1" }, "deploy-1");
    expect(first.status).toBe(201);
    await server.stop();
    running.splice(running.indexOf(server), 1);
    server = await boot();
    const replay = await call(server.base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "web-1" }, "deploy-1");
    expect(replay).toMatchObject({ status: 201, replayed: "true", body: first.body });
    const reused = await call(server.base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "web-2" }, "deploy-1");
    expect(reused).toMatchObject({ status: 422, body: { code: "idempotency_key_reused", details: { field: "Idempotency-Key" } } });
    // Another path with the same key is another request too.
    const elsewhere = await call(server.base, tenant, "POST", "/sections", { name: "Lab" }, "deploy-1");
    expect(elsewhere.body.code).toBe("idempotency_key_reused");
    // A 4xx is not stored: the same key then works for the corrected request.
    const wrong = await call(server.base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: "10.99.0.1" }, "deploy-2");
    expect(wrong.body.code).toBe("ip_not_in_subnet");
    const fixed = await call(server.base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: "10.62.0.9" }, "deploy-2");
    expect(fixed).toMatchObject({ status: 201, replayed: null, body: { ip: "10.62.0.9" } });
    expect((await call(server.base, tenant, "GET", `/subnets/${subnet.id}/addresses`)).body.total).toBe(2);
    const malformed = await call(server.base, tenant, "POST", "/sections", { name: "Ops" }, "bad key with spaces");
    expect(malformed).toMatchObject({ status: 400, body: { code: "validation_failed", details: { field: "Idempotency-Key" } } });
  }, 60_000);

  test("every creating POST replays its first answer and creates nothing twice; secrets are never stored", async () => {
    const { tenant, boot } = await backend.prepare();
    const { base } = await boot();
    const twice = async (path: string, body: unknown, key: string) => {
      const browser = path === "/api-keys";
      const first = await call(base, tenant, "POST", path, body, key, browser);
      const second = await call(base, tenant, "POST", path, body, key, browser);
      expect({ path, status: first.status, replayed: first.replayed }).toEqual({ path, status: 201, replayed: null });
      expect({ path, status: second.status, replayed: second.replayed }).toEqual({ path, status: 201, replayed: "true" });
      return { first: first.body, second: second.body };
    };
    const section = await twice("/sections", { name: "Datacenter" }, "k-section");
    expect(section.second).toEqual(section.first);
    const vrf = await twice("/vrfs", { name: "blue" }, "k-vrf");
    expect(vrf.second).toEqual(vrf.first);
    const subnet = await twice("/subnets", { cidr: "10.63.0.0/24", section_id: section.first.id }, "k-subnet");
    expect(subnet.second).toEqual(subnet.first);
    const split = await twice(`/subnets/${subnet.first.id}/split`, { parts: 2 }, "k-split");
    expect(split.second).toEqual(split.first);
    const bulk = await twice(`/subnets/${split.first.items[0].id}/addresses`, { count: 3 }, "k-bulk");
    expect(bulk.second).toEqual(bulk.first);
    const carved = await twice(`/subnets/${split.first.items[1].id}/subnets`, { prefix_length: 27, count: 2 }, "k-carve");
    expect(carved.second).toEqual(carved.first);
    const invite = await twice("/users/invite", { email: "new@example.org", role: "member" }, "k-invite");
    expect(invite.second).toEqual(invite.first);
    const apiKey = await twice("/api-keys", { name: "terraform", scope: "write" }, "k-apikey");
    expect(apiKey.first.key).toStartWith("ipc_");
    expect(apiKey.second).toEqual({ ...apiKey.first, key: null });
    const hook = await twice("/webhooks", { url: "http://127.0.0.1:9/hook", events: ["*"] }, "k-hook");
    expect(hook.first.secret).toStartWith("whsec_");
    expect(hook.second).toEqual({ ...hook.first, secret: null });

    expect((await call(base, tenant, "GET", "/sections")).body.total).toBe(1);
    expect((await call(base, tenant, "GET", "/vrfs")).body.total).toBe(2);
    expect((await call(base, tenant, "GET", `/subnets?parent_id=${subnet.first.id}`)).body.total).toBe(2);
    expect((await call(base, tenant, "GET", `/subnets/${split.first.items[0].id}/addresses`)).body.total).toBe(3);
    expect((await call(base, tenant, "GET", `/subnets?parent_id=${split.first.items[1].id}`)).body.total).toBe(2);
    expect((await call(base, tenant, "GET", "/api-keys", undefined, undefined, true)).body.items.filter((k: any) => k.name === "terraform").length).toBe(1);
    expect((await call(base, tenant, "GET", "/webhooks")).body.total).toBe(1);
  }, 60_000);
});
