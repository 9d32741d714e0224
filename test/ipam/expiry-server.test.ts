/**
 * Expiry through a real listening server on a database file (issue 13): an address held for
 * 60 s is free exactly at its deadline over HTTP, and a restart on the same file keeps the
 * deadline (loaded at boot); the sweep then deletes the row. The IPAM clock is driven, never slept.
 */
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { sweepExpired } from "../../src/features/addresses/expiry";
import { createMemoryLogger } from "../../src/logger";
import { startServer, type RunningServer } from "../../src/server";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

const T0 = Date.parse("2031-05-01T12:00:00.000Z");

test("a held address is free at its deadline over HTTP, and a restart keeps the deadline", async () => {
  const db = join(tempDir("expiry-server"), "ipcraft.db");
  const database = openDatabase(db);
  const tenant = createTenant(database);
  database.close();
  const boot = () => {
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
    running.push(server);
    return server;
  };
  const call = async (server: RunningServer, method: string, path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${server.port}/api/v1${path}`, {
      method,
      headers: { ...tenant.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };

  let server = boot();
  let now = T0;
  server.store.ipam.memory.clock = () => now;
  const s = (await call(server, "POST", "/subnets", { cidr: "10.77.0.0/24" })).body;
  const held = await call(server, "POST", `/subnets/${s.id}/addresses`, { hostname: "pipeline-run-9", hold_seconds: 60 });
  expect(held.body).toMatchObject({ ip: "10.77.0.1", expires_at: "2031-05-01T12:01:00.000Z" });
  now = T0 + 59_999;
  expect((await call(server, "GET", `/subnets/${s.id}/first-free`)).body.ip).toBe("10.77.0.2");
  await server.stop();

  server = boot(); // its clock is the wall clock, years before the deadline: still held
  expect((await call(server, "GET", `/subnets/${s.id}/first-free`)).body.ip).toBe("10.77.0.2");
  expect((await call(server, "GET", `/addresses/${held.body.id}`)).body.expires_at).toBe("2031-05-01T12:01:00.000Z");
  server.store.ipam.memory.clock = () => T0 + 60_000;
  expect((await call(server, "GET", `/subnets/${s.id}/first-free`)).body.ip).toBe("10.77.0.1");
  expect((await call(server, "GET", `/addresses/${held.body.id}`)).status).toBe(404);
  expect(await sweepExpired(server.store)).toBe(1);
  const log = (await call(server, "GET", `/activity?action=address.expire`)).body.items;
  expect(log.map((e: any) => [e.actor, e.target.id])).toEqual([[{ type: "system", id: null, label: "system" }, held.body.id]]);
});
