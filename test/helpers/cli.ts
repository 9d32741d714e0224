import { runCli } from "../../src/main";

/** Runs the CLI in-process and keeps what it printed: stdout and stderr lines apart. */
export async function runCliCaptured(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, env, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}
