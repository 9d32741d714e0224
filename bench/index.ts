/**
 * `bun run bench`: every benchmark, one markdown table each. The 60 s soak runs only when
 * asked (`bun run bench -- --soak`, or alone: `bun run bench:soak`).
 */
console.log("## IPAM over HTTP (bench/http.ts)\n");
await import("./http.ts");
if (process.argv.includes("--soak")) {
  console.log("\n## Soak: memory under 60 s of mixed load (bench/soak.ts)\n");
  await import("./soak.ts");
}
export {};
