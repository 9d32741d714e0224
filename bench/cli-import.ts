/**
 * A CLI import of 300,000 addresses beside a running server under load (issue 11, item 3):
 * the real binary serves /healthz probes, reads and allocations while `ipcraft import`
 * (another process) holds SQLite's write lock for its whole transaction. Target: zero 5xx
 * other than 503 database_busy (with Retry-After) on writes, /healthz p99 < 100 ms.
 * Prints a markdown table. Run: `bun run build && bun run bench/cli-import.ts [rows]`.
 */
import { databaseWithTenant, killLeftovers, startChild } from "../test/reliability/child-server";
import { addressCsv, importBesideServer, percentile } from "../test/reliability/import-beside-server";

const rows = Number(process.argv[2] ?? 300_000);
const { dir, db, tenant } = databaseWithTenant("ipcraft-bench-cli-import");
const server = await startChild(dir, db);
try {
  const r = await importBesideServer(server, tenant, db, addressCsv(dir, rows), { healthEveryMs: 10 });
  if (r.importCode !== 0) throw new Error(`import failed: ${r.importErr.slice(-500)}`);
  const during = r.healthMs.filter((_, i) => r.healthAt[i]! >= 0 && r.healthAt[i]! <= r.importSeconds * 1000);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`\n### CLI import of ${rows.toLocaleString("en")} addresses beside a loaded server\n`);
  console.log("| what | figure |\n|---|---|");
  console.log(`| import (its own process, one transaction) | ${r.importSeconds.toFixed(1)} s |`);
  console.log(`| /healthz probes (all / during the import) | ${r.healthMs.length} / ${during.length}, non-200: ${r.healthBad.length} |`);
  console.log(`| /healthz p50 / p99 / max, whole run | ${ms(percentile(r.healthMs, 50))} / ${ms(percentile(r.healthMs, 99))} / ${ms(Math.max(...r.healthMs))} |`);
  console.log(`| /healthz p99 during the import | ${ms(percentile(during, 99))} |`);
  console.log(`| reads 200 / other | ${r.reads.ok} / ${r.reads.bad.length} |`);
  console.log(`| allocations 201 / 503 database_busy / other | ${r.writes.created} / ${r.writes.busy} / ${r.writes.bad.length} |`);
  console.log(`| slowest allocation answer | ${ms(r.writes.maxMs)} |`);
} finally {
  await server.stop();
  await killLeftovers();
}
