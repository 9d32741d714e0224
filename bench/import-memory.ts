/**
 * Memory of the largest API import (issue 11, item 7: "an import's memory stays within a
 * small multiple of the file size"): a server process (from source, on a database file)
 * receives 100,000 address rows as one POST, dry run then real, and the CLI imports the
 * same file in its own process. For each: the time, and the process's peak resident memory
 * above what it held before (server + import worker: the worker is a thread of the server).
 *
 * Peak = VmHWM from /proc after resetting it (`echo 5 > /proc/PID/clear_refs`) just before
 * the request; where the reset is refused, /proc is polled every 5 ms instead.
 * Run: `bun run bench/import-memory.ts [rounds]` (or `bun run bench import-memory`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { databaseWithTenant } from "../test/reliability/child-server";
import { largestAddressCsv } from "../test/reliability/long-work";

const ROOT = join(import.meta.dir, "..");
const MAIN = join(ROOT, "src/main.ts");

function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** CPU time (user + system) the process has used so far, in seconds (from /proc). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Measured {
  before: number;
  peak: number;
  after: number;
  seconds: number;
  cpu: number;
}

/** Runs `work` and returns the peak RSS of `pid` while it ran (MB), and the time and CPU it took. */
async function peakDuring<T>(pid: number, work: () => Promise<T>, settle = true): Promise<Measured & { result: T }> {
  if (settle) await Bun.sleep(500);
  const before = status(pid).rss;
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    reset = false;
  }
  let polled = before;
  let running = true;
  const cpuBefore = cpuOf(pid);
  let cpu = 0;
  const poll = (async () => {
    while (running) {
      try {
        polled = Math.max(polled, status(pid).rss);
        cpu = cpuOf(pid) - cpuBefore;
      } catch {
        break; // the process ended
      }
      await Bun.sleep(5);
    }
  })();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await poll;
  let peak = polled;
  let after = polled;
  try {
    const s = status(pid);
    if (reset) peak = Math.max(peak, s.hwm);
    after = s.rss;
    cpu = cpuOf(pid) - cpuBefore;
  } catch {}
  return { result, before, peak, after, seconds, cpu };
}

async function startServer(dir: string, db: string): Promise<{ proc: Bun.Subprocess; url: string }> {
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--db", db, "--rate-limit", "0"], {
    cwd: dir,
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server did not start: ${text}`);
    text += decoder.decode(value);
    const m = text.match(/listening url=(http:\/\/\S+)/);
    if (m) {
      reader.releaseLock();
      return { proc, url: m[1]! };
    }
  }
}

export default async function runImportMemoryBench(): Promise<void> {
  const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1);
  const csv = largestAddressCsv();
  const fileMb = Buffer.byteLength(csv) / 1048576;
  const lines: string[] = [];
  const row = (what: string, r: Measured) =>
    lines.push(
      `| ${what} | ${r.seconds.toFixed(2)} s | ${r.cpu.toFixed(2)} s | ${r.before.toFixed(0)} → ${r.peak.toFixed(0)} | ${(r.peak - r.before).toFixed(0)} MB (${((r.peak - r.before) / fileMb).toFixed(1)}×) | ${r.after.toFixed(0)} |`,
    );

  for (let round = 0; round < rounds; round++) {
    // API: a fresh server process for each, one POST with the whole file.
    for (const dryRun of [true, false]) {
      const { dir, db, tenant } = databaseWithTenant("ipcraft-bench-import-memory");
      const server = await startServer(dir, db);
      const post = async (path: string, body: string, type: string) => {
        const r = await fetch(`${server.url}/api/v1${path}`, { method: "POST", headers: { ...tenant.bearer, "content-type": type }, body });
        const text = await r.text();
        if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text.slice(0, 300)}`);
        return text;
      };
      try {
        await post("/subnets", JSON.stringify({ cidr: "10.0.0.0/8", name: "import target" }), "application/json");
        // Warm-up: a small import loads the worker's code once.
        await post("/import/addresses?dry_run=true", "ip\n10.255.0.1\n", "text/csv");
        const path = `/import/addresses${dryRun ? "?dry_run=true" : ""}`;
        row(dryRun ? "API dry run" : "API import", await peakDuring(server.proc.pid, () => post(path, csv, "text/csv")));
      } finally {
        server.proc.kill();
        await server.proc.exited;
      }
    }

    // CLI: its own process; growth measured against a one-row import of the same process kind.
    {
      const { dir, db, tenant } = databaseWithTenant("ipcraft-bench-import-memory-cli");
      const file = join(dir, "addresses.csv");
      const small = join(dir, "one.csv");
      writeFileSync(file, csv);
      writeFileSync(small, "ip\n10.255.0.1\n");
      const subnets = join(dir, "subnets.csv");
      writeFileSync(subnets, "cidr\n10.0.0.0/8\n");
      const made = Bun.spawnSync([process.execPath, MAIN, "import", "subnets", subnets, "--db", db, "--email", tenant.email]);
      if (made.exitCode !== 0) throw new Error(`CLI subnet import: ${made.stderr}`);
      const cli = async (args: string[]) => {
        const proc = Bun.spawn([process.execPath, MAIN, "import", "addresses", ...args, "--db", db, "--email", tenant.email], { stdout: "ignore", stderr: "pipe" });
        const r = await peakDuring(
          proc.pid,
          async () => {
            const code = await proc.exited;
            if (code !== 0) throw new Error(`CLI import: ${await new Response(proc.stderr).text()}`);
            return code;
          },
          false,
        );
        return { ...r, cpu: Number(proc.resourceUsage()?.cpuTime.total ?? 0) / 1e6 };
      };
      const base = await cli([small, "--dry-run"]);
      const dry = await cli([file, "--dry-run"]);
      const real = await cli([file]);
      // Time and CPU of the whole process, start-up included; memory above a 1-row import's peak.
      row("CLI dry run (growth over a 1-row import)", { ...dry, before: base.peak });
      row("CLI import (growth over a 1-row import)", { ...real, before: base.peak });
    }
  }

  console.log(`File: ${MAX_ROWS.toLocaleString("en")} address rows, ${fileMb.toFixed(1)} MB.\n`);
  console.log("| what | time | CPU | RSS MB before → peak | peak growth (× file) | RSS after |\n|---|---|---|---|---|---|");
  for (const line of lines) console.log(line);
}

const MAX_ROWS = 100_000;

if (import.meta.main) await runImportMemoryBench();
