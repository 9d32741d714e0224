/**
 * `bun run bench pg-import`: the import/export benchmark of bench/import.ts on PostgreSQL
 * (issue 12: import/export on the Store). The same files — 400 /24s under a /8 and 100,000
 * addresses — imported by `ipcraft import --db postgres://…` (in-process, one IPAM write per
 * file) and by the API (the app over the PostgreSQL Store, one request), then a dry run and
 * exports. Starts a throw-away cluster (scripts/pg-cluster; or uses IPCRAFT_BENCH_PG_URL)
 * with fsync and synchronous commit turned back on, as a real deployment has them. Prints a
 * markdown table beside the SQLite rows of `bun run bench import`.
 */
import { SQL } from "bun";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app";
import { defaultServerConfig } from "../src/config";
import { createMemoryLogger } from "../src/logger";
import { runCli } from "../src/main";
import { migratePostgres } from "../src/store/pg/migrate";
import { createPgStore } from "../src/store/pg/store";
import { createTenantIn } from "../test/helpers/tenant";
import { durablePgDatabase } from "./pg-database";
import { PER_SUBNET, SUBNETS, writeBenchFiles } from "./import";


export default async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ipcraft-bench-pg-io-"));
  const database = await durablePgDatabase("bench_io");
  const dbUrl = database.url;
  const sql = new SQL(dbUrl, { max: 4 });
  const results: [string, string][] = [];
  try {
    await migratePostgres(sql);
    const store = createPgStore(sql);
    const { subnetsFile, addressesFile } = writeBenchFiles(dir);
    const rows = (SUBNETS * PER_SUBNET).toLocaleString("en");
    const quiet = () => {};

    // CLI, in-process, on the PostgreSQL URL.
    const cliTenant = await createTenantIn(store);
    const args = ["--db", dbUrl, "--email", cliTenant.email];
    const [subnetsCode, sub] = await timed(() => runCli(["import", "subnets", subnetsFile, ...args], {}, quiet, quiet));
    if (subnetsCode !== 0) throw new Error("CLI subnet import failed");
    results.push([`CLI import of ${SUBNETS + 1} subnets`, seconds(sub)]);
    const [code, s] = await timed(() => runCli(["import", "addresses", addressesFile, ...args], {}, quiet, quiet));
    if (code !== 0) throw new Error("CLI import failed");
    results.push([`CLI import of ${rows} addresses`, seconds(s)]);
    const [, e] = await timed(() => runCli(["export", "addresses", join(dir, "out.csv"), ...args], {}, quiet, quiet));
    results.push([`CLI export of ${rows} addresses`, seconds(e)]);

    // API: the app over the PostgreSQL Store, one request with the whole file.
    const apiTenant = await createTenantIn(store);
    const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    const post = async (path: string, file: string) => {
      const r = await app.handle(
        new Request(`http://localhost/api/v1${path}`, { method: "POST", headers: { ...apiTenant.bearer, "content-type": "text/csv" }, body: readFileSync(file) }),
      );
      await r.text();
      return r.status;
    };
    if ((await post("/import/subnets", subnetsFile)) !== 200) throw new Error("API subnet import failed");
    const [status, a] = await timed(() => post("/import/addresses", addressesFile));
    if (status !== 200) throw new Error(`API import answered ${status}`);
    results.push([`API import of ${rows} addresses (one request)`, seconds(a)]);
    const [, d] = await timed(() => post("/import/addresses?dry_run=true", addressesFile));
    results.push(["API dry run of the same file (all rows refused: already in use)", seconds(d)]);
    const [bytes, x] = await timed(async () => {
      const r = await app.handle(new Request("http://localhost/api/v1/export/addresses.csv", { headers: apiTenant.bearer }));
      return (await r.arrayBuffer()).byteLength;
    });
    results.push([`API export addresses.csv (${(bytes / 1048576).toFixed(1)} MB, pages of 1,000)`, seconds(x)]);
  } finally {
    await sql.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("| import/export on PostgreSQL (this machine, fsync on) | time |\n|---|---|");
  for (const [what, time] of results) console.log(`| ${what} | ${time} |`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, (performance.now() - started) / 1000];
}

function seconds(s: number): string {
  return `${s.toFixed(2)} s`;
}

if (import.meta.main) await main();
