/**
 * The benches serve with the compiled binary, as users run it (`bun run build`), not the
 * sources through `bun run`: a start from source transpiles every file first, which is a
 * cost of the development loop, not of ipcraft. Built afresh from the current sources into
 * the bench's own folder, so a stale dist/ipcraft never measures old code.
 */
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** Builds the binary into `dir` and returns its path. */
export function buildBinary(dir: string): string {
  const out = join(dir, "ipcraft");
  const built = Bun.spawnSync([process.execPath, "run", "scripts/build.ts"], {
    cwd: ROOT,
    env: { ...process.env, IPCRAFT_BUILD_OUT: out },
    stdout: "ignore",
    stderr: "inherit",
  });
  if (built.exitCode !== 0) throw new Error("the build failed");
  return out;
}
