/**
 * `bun run build` → dist/ipcraft: one executable with the Bun runtime, the app, its
 * migrations (a build-time macro), the API docs' assets and the web UI embedded.
 */
import { mkdirSync } from "node:fs";

const root = `${import.meta.dir}/..`;
mkdirSync(`${root}/dist`, { recursive: true });
const outfile = process.env.IPCRAFT_BUILD_OUT ?? `${root}/dist/ipcraft`;

const result = Bun.spawnSync(
  // The import worker (src/features/io/import-thread.ts) and the checkpointer (src/db/checkpointer.ts) are entry points of their own, embedded under src/.
  // --bytecode: JavaScriptCore's bytecode compiled at build time, so a start does not parse
  // and compile the bundle (~45 ms of each boot here, issue 16); it needs ESM output spelled out.
  [process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm", `${root}/src/main.ts`, `${root}/src/features/io/import-worker.ts`, `${root}/src/db/checkpoint-worker.ts`, "--outfile", outfile],
  { cwd: root, stdout: "inherit", stderr: "inherit", env: { ...process.env, NODE_ENV: "production" } },
);
if (result.exitCode !== 0) {
  console.error("build failed");
  process.exit(result.exitCode ?? 1);
}
console.log(`built ${outfile}`);
