/**
 * Idempotency-Key replay cost (issue 13: "replay of an idempotent request, target ≤ 1.2× a
 * plain GET"). One tenant, one subnet with one address made under a key; then, alternating in
 * rounds so that drift hits both alike:
 *   GET     GET /addresses/{id}                                (one row by primary key)
 *   replay  POST /subnets/{id}/addresses with the same key and body (one key row, answered as stored)
 * In process (app.handle, SQLite in memory: the code's own cost) and through a real server on
 * a database file (what a client sees). Run: `bun run bench idempotency`.
 */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createApp } from "../src/app";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { createMemoryLogger } from "../src/logger";
import { startServer } from "../src/server";
import { createTenant, type Tenant } from "../test/helpers/tenant";

const ROUNDS = 10;
const PER_ROUND = 500;

type Send = (request: Request) => Promise<Response>;

async function measure(send: Send, base: string, tenant: Tenant): Promise<{ get: number; replay: number }> {
  const json = { ...tenant.bearer, "content-type": "application/json" };
  const subnet = await (await send(new Request(`${base}/subnets`, { method: "POST", headers: json, body: JSON.stringify({ cidr: "10.80.0.0/16" }) }))).json();
  const body = JSON.stringify({ hostname: "bench-host", owner: "bench" });
  const keyed = { ...json, "idempotency-key": "bench-key-1" };
  const made = await (await send(new Request(`${base}/subnets/${subnet.id}/addresses`, { method: "POST", headers: keyed, body }))).json();
  const get = () => send(new Request(`${base}/addresses/${made.id}`, { headers: tenant.bearer }));
  const replay = () => send(new Request(`${base}/subnets/${subnet.id}/addresses`, { method: "POST", headers: keyed, body }));
  const check = await replay();
  if (check.headers.get("idempotent-replayed") !== "true") throw new Error(`replay not replayed: ${check.status}`);
  await check.text();
  const totals = { get: 0, replay: 0 };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, fn] of [["get", get], ["replay", replay]] as const) {
      const started = performance.now();
      for (let i = 0; i < PER_ROUND; i++) await (await fn()).arrayBuffer();
      // Round 0 warms up (JIT, prepared statements) and is not counted.
      if (round > 0) totals[name] += performance.now() - started;
    }
  }
  const n = ROUNDS * PER_ROUND;
  return { get: (totals.get / n) * 1000, replay: (totals.replay / n) * 1000 };
}

function row(where: string, r: { get: number; replay: number }): string {
  return `| ${where} | ${r.get.toFixed(0)} µs | ${r.replay.toFixed(0)} µs | ${(r.replay / r.get).toFixed(2)}× | ≤ 1.2× |`;
}

export default async function main() {
  console.log("| where | plain GET (mean) | replay (mean) | replay / GET | target |");
  console.log("|---|---|---|---|---|");

  const database = openDatabase(":memory:");
  const tenant = createTenant(database);
  const app = createApp({ database, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  console.log(row("in process (app.handle, SQLite :memory:)", await measure((r) => app.handle(r), "http://localhost/api/v1", tenant)));
  database.close();

  const dir = mkdtempSync(join(tmpdir(), "ipcraft-bench-idempotency-"));
  try {
    const db = join(dir, "ipcraft.db");
    const file = openDatabase(db);
    const onFile = createTenant(file);
    file.close();
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
    try {
      console.log(row("real server (HTTP, SQLite file)", await measure((r) => fetch(r), `http://127.0.0.1:${server.port}/api/v1`, onFile)));
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${ROUNDS} rounds × ${PER_ROUND} requests each, one client, alternating; round 0 discarded.`);
}

if (import.meta.main) await main();
