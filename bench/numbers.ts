/**
 * What the integer ids cost (issue 14). SQLite: subnets and addresses are numbered by the
 * inserting code, one counter statement per batch (store/sqlite/numbers.ts), compared with the
 * AFTER INSERT trigger drizzle/0008 created (an UPSERT of number_counters and an UPDATE of the
 * new row; 0011 dropped it) and with no numbers. PostgreSQL: numbered by the code
 * (store/pg/numbers.ts), and with the per-row BEFORE INSERT trigger of pg/0011 re-created.
 * Allocation through the real app (createApp + app.handle, API key auth), on SQLite (temp file,
 * synchronous=FULL) and PostgreSQL (the throw-away cluster of scripts/pg-cluster,
 * fsync off, or IPCRAFT_BENCH_PG_URL); plus the phpIPAM route Proxmox uses (POST
 * /api/pve/addresses/first_free/{id}/). Sequential requests: per-request latency; 64 at once:
 * throughput with group commit / per-subnet batches. Prints markdown tables.
 * Run: `bun run bench/numbers.ts [N]`.
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
import { takeNumbers } from "../src/store/sqlite/numbers";
import type { Store } from "../src/store/store";
import { createTenantIn } from "../test/helpers/tenant";
import { benchPgDatabase } from "./pg-database";

const N = Number(process.argv[2] ?? 1000);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(name: string, store: Store, trigger: string): Promise<string[]> {
  const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const tenant = await createTenantIn(store);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = tenant.bearer) => {
    const r = await app.handle(new Request(`http://localhost${path}`, { method, headers: { ...headers, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined }));
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<any>;
  };
  const section = await call("POST", "/api/v1/sections", { name: "bench" });
  const subnet = async (octet: number) => call("POST", "/api/v1/subnets", { cidr: `10.${octet}.0.0/16`, section_id: section.id });
  const [seq, par, php] = [await subnet(1), await subnet(2), await subnet(3)];
  const phpNumber = (await call("GET", "/api/pve/subnets/cidr/10.3.0.0/16", undefined, { token: tenant.key })).data[0].id;
  const sequential = async (fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b);
  };
  const row = (what: string, ms: number[]) => `| ${name} | ${trigger} | ${what} | ${pct(ms, 50).toFixed(2)} | ${pct(ms, 99).toFixed(2)} | ${Math.round(1000 / (ms.reduce((a, b) => a + b, 0) / ms.length))} |`;
  const one = await sequential(() => call("POST", `/api/v1/subnets/${seq.id}/addresses`, {}));
  const t0 = performance.now();
  for (let done = 0; done < N; done += 64) {
    await Promise.all(Array.from({ length: Math.min(64, N - done) }, () => call("POST", `/api/v1/subnets/${par.id}/addresses`, {})));
  }
  const parallel = `| ${name} | ${trigger} | allocate, 64 at once | – | – | ${Math.round(N / ((performance.now() - t0) / 1000))} |`;
  const viaPhp = await sequential(() => call("POST", `/api/pve/addresses/first_free/${phpNumber}/`, { hostname: "vm", mac: "bc:24:11:00:00:01" }, { token: tenant.key }));
  return [row("allocate, sequential", one), parallel, row("phpIPAM first_free, sequential", viaPhp)];
}

/** The address trigger drizzle/0008 created and 0011 dropped on SQLite, re-created for the comparison. */
const SQLITE_TRIGGER_0008 = `CREATE TRIGGER addresses_number AFTER INSERT ON addresses FOR EACH ROW WHEN NEW.number IS NULL BEGIN
  INSERT INTO number_counters (org_id, kind, next) VALUES (NEW.org_id, 'address', 2) ON CONFLICT (org_id, kind) DO UPDATE SET next = next + 1;
  UPDATE addresses SET number = (SELECT next - 1 FROM number_counters WHERE org_id = NEW.org_id AND kind = 'address') WHERE rowid = NEW.rowid;
END`;

const SQLITE_WAYS = ["numbered in code (this release)", "trigger (0008, re-created)", "no numbers"] as const;

/**
 * SQLite without HTTP: rows inserted in one transaction (the shape of a group commit or an
 * import), numbered by the code (one counter statement, store/sqlite/numbers.ts), by the 0008
 * trigger, or not at all; alternating, best of 3 (a busy machine slows runs, never speeds them
 * up). µs per row.
 */
function rawSqlite(rows: number): string[] {
  const out: string[] = [];
  const best: Record<string, number> = {};
  for (let round = 0; round < 3; round++) {
    for (const way of SQLITE_WAYS) {
      const database = openDatabase(":memory:");
      const { sqlite } = database;
      if (way.startsWith("trigger")) sqlite.run(SQLITE_TRIGGER_0008);
      const at = new Date().toISOString();
      sqlite.run("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o', 'o', ?, ?)", [at, at]);
      sqlite.run("INSERT INTO subnets (id, org_id, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES ('s', 'o', 4, ?, 8, '10.0.0.0/8', ?, ?)", [new Uint8Array(16), at, at]);
      const insert = sqlite.query("INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, number, created_at, updated_at) VALUES (?, 'o', 's', 'default', ?, ?, ?, ?, ?)");
      const t0 = performance.now();
      sqlite.transaction(() => {
        let number = way === "numbered in code (this release)" ? takeNumbers(sqlite, "o", "address", rows) : null;
        for (let i = 1; i <= rows; i++) {
          const key = new Uint8Array(16);
          key[10] = 0xff; key[11] = 0xff; key[12] = 10; key[13] = (i >> 16) & 255; key[14] = (i >> 8) & 255; key[15] = i & 255;
          insert.run(`a${i}`, `10.${key[13]}.${key[14]}.${key[15]}`, key, number === null ? null : number++, at, at);
        }
      })();
      const us = ((performance.now() - t0) * 1000) / rows;
      best[way] = Math.min(best[way] ?? Infinity, us);
      database.close();
    }
  }
  for (const [way, us] of Object.entries(best)) out.push(`| SQLite (memory), ${rows} rows in one transaction | ${way} | ${us.toFixed(2)} µs/row |`);
  return out;
}

const raw = rawSqlite(20_000);
console.log("Address inserts without HTTP (best of 3)\n");
console.log("| workload | numbers | cost |");
console.log("|---|---|---|");
for (const row of raw) console.log(row);
console.log("");

// Two rounds, ways alternating; only the second is printed (the first warms the JIT up, which
// otherwise flatters whichever way runs last).
const rows: string[] = [];
const pg = await benchPgDatabase("bench_numbers", false);
const url = pg.url;
for (let round = 0; round < 2; round++) {
  const keep = (measured: string[]) => round === 1 && rows.push(...measured);
  for (const way of SQLITE_WAYS.slice(0, 2)) {
    const database = openDatabase(join(mkdtempSync(join(tmpdir(), "ipcraft-bench-")), "bench.db"), { busyTimeoutMs: 0 });
    // With the trigger back, the code's numbers still arrive first: the trigger's WHEN is false and only its presence costs.
    if (way.startsWith("trigger")) database.sqlite.run(SQLITE_TRIGGER_0008);
    const store = createSqliteStore(database, { ownsDatabase: true });
    keep(await measure("SQLite (file, synchronous=FULL)", store, way));
    await store.close();
  }
  for (const way of ["numbered in code (this release)", "+ the 0011 trigger re-created"]) {
    const sql = new SQL(url, { max: 10 });
    await sql.unsafe("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS drizzle CASCADE").catch(() => undefined);
    await migratePostgres(sql);
    // The per-row trigger 0014 dropped (its body skips rows that arrive numbered; its call per row remains).
    if (way.startsWith("+")) await sql.unsafe(`CREATE TRIGGER addresses_number BEFORE INSERT ON addresses FOR EACH ROW EXECUTE FUNCTION ipcraft_assign_number('address')`);
    const store = createPgStore(sql, { ownsClient: true });
    keep(await measure("PostgreSQL (Unix socket, RLS)", store, way));
    await store.close();
  }
}
console.log(`Address allocation through the app, ${N} requests per row (ms)\n`);
console.log("| backend | numbers | request | p50 | p99 | req/s |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
await pg.drop();
process.exit(0);
