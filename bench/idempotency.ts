/**
 * Idempotency-Key replay cost (issue 13: "replay of an idempotent request, target ≤ 1.2× a
 * plain GET"). One tenant, one subnet with one address made under a key; then, alternating
 * request by request so that drift hits both alike:
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

async function measure(send: Send, base: string, tenant: Tenant): Promise<{ get: number; replay: number; post400: number }> {
  const json = { ...tenant.bearer, "content-type": "application/json" };
  const subnet = await (await send(new Request(`${base}/subnets`, { method: "POST", headers: json, body: JSON.stringify({ cidr: "10.80.0.0/16" }) }))).json();
  const body = JSON.stringify({ hostname: "bench-host", owner: "bench" });
  const keyed = { ...json, "idempotency-key": "bench-key-1" };
  const made = await (await send(new Request(`${base}/subnets/${subnet.id}/addresses`, { method: "POST", headers: keyed, body }))).json();
  const get = () => send(new Request(`${base}/addresses/${made.id}`, { headers: tenant.bearer }));
  const replay = () => send(new Request(`${base}/subnets/${subnet.id}/addresses`, { method: "POST", headers: keyed, body }));
  // The floor of any POST here: parsed, authenticated, validated and refused (400), no storage.
  const post400 = () => send(new Request(`${base}/subnets/${subnet.id}/addresses`, { method: "POST", headers: json, body: JSON.stringify({ hostname: "bench-host", owner: "bench", bogus: 1 }) }));
  const check = await replay();
  if (check.headers.get("idempotent-replayed") !== "true") throw new Error(`replay not replayed: ${check.status}`);
  await check.text();
  const totals = { get: 0, replay: 0, post400: 0 };
  const fns = { get, replay, post400 };
  // Request by request, alternating (and which goes first alternating too), so that load from
  // anything else on the machine falls on both alike. Round 0 warms up and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      const order = i % 2 === 0 ? (["get", "replay", "post400"] as const) : (["post400", "replay", "get"] as const);
      for (const name of order) {
        const started = performance.now();
        await (await fns[name]()).arrayBuffer();
        if (round > 0) totals[name] += performance.now() - started;
      }
    }
  }
  const n = ROUNDS * PER_ROUND;
  return { get: (totals.get / n) * 1000, replay: (totals.replay / n) * 1000, post400: (totals.post400 / n) * 1000 };
}

function row(where: string, r: { get: number; replay: number; post400: number }): string {
  return `| ${where} | ${r.get.toFixed(0)} µs | ${r.replay.toFixed(0)} µs | ${(r.replay / r.get).toFixed(2)}× | ${r.post400.toFixed(0)} µs (${(r.post400 / r.get).toFixed(2)}×) | ≤ 1.2× |`;
}

export default async function main() {
  console.log("| where | plain GET (mean) | replay (mean) | replay / GET | any POST's floor: a 400 (/ GET) | target |");
  console.log("|---|---|---|---|---|---|");

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
  console.log(`\n${ROUNDS} rounds × ${PER_ROUND} pairs, one client, alternating request by request; round 0 discarded.`);
}

if (import.meta.main) await main();
