/**
 * `bun run build` → dist/ipcraft: one executable with the Bun runtime, the app, its
 * migrations (a build-time macro), the API docs' assets and the web UI embedded.
 */
import { mkdirSync } from "node:fs";

const root = `${import.meta.dir}/..`;
mkdirSync(`${root}/dist`, { recursive: true });
const outfile = process.env.IPCRAFT_BUILD_OUT ?? `${root}/dist/ipcraft`;

const result = Bun.spawnSync(
  // The import worker (src/features/io/import-thread.ts) is a second entry point, embedded under src/.
  [process.execPath, "build", "--compile", "--minify", `${root}/src/main.ts`, `${root}/src/features/io/import-worker.ts`, "--outfile", outfile],
  { cwd: root, stdout: "inherit", stderr: "inherit", env: { ...process.env, NODE_ENV: "production" } },
);
if (result.exitCode !== 0) {
  console.error("build failed");
  process.exit(result.exitCode ?? 1);
}
console.log(`built ${outfile}`);
