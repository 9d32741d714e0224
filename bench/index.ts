/**
 * `bun run bench [name...]`: runs the benchmark modules below in order (all when no name is
 * given). Each module default-exports an async function that prints markdown. Timings live
 * here, never in tests.
 */
const benches: { name: string; load: () => Promise<{ default: () => Promise<void> }> }[] = [
  { name: "ip-core", load: () => import("./ip-core.ts") },
  { name: "http", load: () => import("./http.ts") },
  { name: "import", load: () => import("./import.ts") },
];

const wanted = process.argv.slice(2);
for (const bench of benches) {
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
  console.log(`\n## ${bench.name}\n`);
  const started = performance.now();
  await (await bench.load()).default();
  console.log(`\n_${bench.name}: ${((performance.now() - started) / 1000).toFixed(1)} s_`);
}
export {};
