/**
 * Runs the compiled binary (dist/ipcraft, built by scripts/test; built here if missing)
 * as a real process, for the few tests that must prove the shipped artifact works.
 */
import { copyFileSync, existsSync } from "node:fs";

const ROOT = `${import.meta.dir}/../..`;
export const BINARY = `${ROOT}/dist/ipcraft`;

export function ensureBinary(): string {
  if (!existsSync(BINARY)) {
    const built = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "ignore", stderr: "inherit" });
    if (built.exitCode !== 0) throw new Error("could not build dist/ipcraft");
  }
  return BINARY;
}

/** Copies the binary alone into `dir` and returns its path there. */
export function copyBinaryInto(dir: string): string {
  const target = `${dir}/ipcraft`;
  copyFileSync(ensureBinary(), target);
  Bun.spawnSync(["chmod", "+x", target]);
  return target;
}

export interface ServerProcess {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  /** everything printed on stdout so far */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `<binary> serve --port 0 ...args` in `cwd` and waits for its "listening" line. */
export async function startBinaryServer(binary: string, cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = Bun.spawn([binary, "serve", "--port", "0", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start; output: ${text}`)), 15_000);
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
        const m = text.match(/listening url=(http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
          break;
        }
      }
    })().catch(reject);
  });
  // keep draining stdout so the child never blocks on a full pipe
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
  })();
  return {
    proc,
    url,
    output: () => text,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return await proc.exited;
    },
  };
}
