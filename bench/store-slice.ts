/**
 * The store slice on both backends: sections created and listed through the real app
 * (createApp + app.handle, in-process, API key auth on every request), sequentially, so the
 * figures are per-request latency of the whole path (auth lookup + unit of work).
 * SQLite: a temp file, synchronous=FULL (the default). PostgreSQL: a throw-away cluster on a
 * Unix socket (scripts/pg-cluster: fsync off — so its writes here are cheaper than a durable
 * deployment's), or IPCRAFT_BENCH_PG_URL. Prints a markdown table. Run: `bun run bench/store-slice.ts [N]`.
 */
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { createMemoryLogger } from "../src/logger";
import { migratePostgres } from "../src/store/pg/migrate";
import { createPgStore } from "../src/store/pg/store";
import { createSqliteStore } from "../src/store/sqlite/store";
import type { Store } from "../src/store/store";
import { createTenantIn } from "../test/helpers/tenant";

const N = Number(process.argv[2] ?? 500);

async function pgUrl(): Promise<string> {
  if (process.env.IPCRAFT_BENCH_PG_URL) return process.env.IPCRAFT_BENCH_PG_URL;
  const dir = mkdtempSync("/tmp/ipcraft-pg-");
  const proc = Bun.spawn([`${import.meta.dir}/../scripts/pg-cluster`, "start", dir, "--owner-pid", String(process.pid)], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error("could not start PostgreSQL");
  const admin = new SQL(out.trim(), { max: 1 });
  await admin.unsafe(`DROP DATABASE IF EXISTS bench_store`);
  await admin.unsafe(`CREATE DATABASE bench_store`);
  await admin.close();
  const url = new URL(out.trim());
  url.pathname = "/bench_store";
  return url.toString();
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, store: Store) {
  const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const tenant = await createTenantIn(store);
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await app.handle(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: { ...tenant.bearer, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      }),
    );
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  };
  const time = async (fn: (i: number) => Promise<void>) => {
    const ms: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await fn(i);
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b);
  };
  for (let i = 0; i < 20; i++) await call("GET", "/sections?limit=1"); // warm-up
  const create = await time((i) => call("POST", "/sections", { name: `section ${String(i).padStart(5, "0")}` }));
  const list = await time((i) => call("GET", `/sections?limit=50${i % 2 ? "&q=1" : ""}`));
  const row = (what: string, ms: number[]) =>
    `| ${name} | ${what} | ${pct(ms, 50).toFixed(2)} | ${pct(ms, 99).toFixed(2)} | ${Math.round(1000 / (ms.reduce((a, b) => a + b, 0) / ms.length))} |`;
  return [row("create", create), row(`list 50 of ${N} (half with q)`, list)];
}

const rows: string[] = [];
{
  const database = openDatabase(join(mkdtempSync(join(tmpdir(), "ipcraft-bench-")), "bench.db"), { busyTimeoutMs: 0 });
  const store = createSqliteStore(database, { ownsDatabase: true });
  rows.push(...(await measure("SQLite (file, synchronous=FULL)", store)));
  await store.close();
}
{
  const sql = new SQL(await pgUrl(), { max: 10 });
  await migratePostgres(sql);
  const store = createPgStore(sql, { ownsClient: true });
  rows.push(...(await measure("PostgreSQL (Unix socket, RLS)", store)));
  await store.close();
}
console.log(`Sections through the app, sequential, ${N} requests each (ms)\n`);
console.log("| backend | request | p50 | p99 | req/s |");
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(row);
process.exit(0);
