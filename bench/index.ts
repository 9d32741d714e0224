/**
 * `bun run bench [name...]`: runs the benchmark modules below in order (all when no name is
 * given). Each module default-exports an async function that prints markdown. Timings live
 * here, never in tests. `soak` (60 s), `long-work` (needs `bun run build`), `import-memory` (~1 min), `boot` (seeds a million addresses, a few minutes), and `pg-replicas`, `pg-import`, `pg-statements` (start a PostgreSQL) run only when named: `bun run bench soak`
 * (or `bun run bench:soak`).
 */
const benches: { name: string; onlyWhenNamed?: boolean; load: () => Promise<{ default: () => Promise<void> }> }[] = [
  { name: "ip-core", load: () => import("./ip-core.ts") },
  { name: "http", load: () => import("./http.ts") },
  { name: "import", load: () => import("./import.ts") },
  { name: "send-link", load: () => import("./send-link.ts") },
  { name: "expiry", load: () => import("./expiry.ts") },
  { name: "next-free-subnet", load: () => import("./next-free-subnet.ts") },
  { name: "utilization", onlyWhenNamed: true, load: () => import("./utilization.ts") },
  { name: "long-work", onlyWhenNamed: true, load: () => import("./long-work.ts") },
  { name: "import-memory", onlyWhenNamed: true, load: () => import("./import-memory.ts") },
  { name: "soak", onlyWhenNamed: true, load: () => import("./soak.ts") },
  { name: "pg-replicas", onlyWhenNamed: true, load: () => import("./pg-replicas.ts") },
  { name: "pg-import", onlyWhenNamed: true, load: () => import("./pg-import.ts") },
  { name: "pg-statements", onlyWhenNamed: true, load: () => import("./pg-statements.ts") },
  { name: "ui-pages", onlyWhenNamed: true, load: () => import("./ui-pages.ts") },
  { name: "webhooks", onlyWhenNamed: true, load: () => import("./webhooks.ts") },
  { name: "boot", onlyWhenNamed: true, load: () => import("./boot.ts") },
  { name: "idempotency", onlyWhenNamed: true, load: () => import("./idempotency.ts") },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("--"));
for (const bench of benches) {
  if (wanted.length > 0 ? !wanted.includes(bench.name) : bench.onlyWhenNamed) continue;
  console.log(`\n## ${bench.name}\n`);
  const started = performance.now();
  await (await bench.load()).default();
  console.log(`\n_${bench.name}: ${((performance.now() - started) / 1000).toFixed(1)} s_`);
}
export {};
