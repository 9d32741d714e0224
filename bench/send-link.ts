/**
 * send-link timing, known vs unknown emails (issue 11 item 10), against a real
 * `ipcraft serve` child process on loopback with signup closed: the answer must not tell
 * whether an account exists, by its body or by its time. Requests alternate known/unknown,
 * one at a time, each to an address with links to spare (the per-email limit is 5).
 * Prints a markdown table. Run: `bun run bench/send-link.ts [path/to/src/main.ts]`
 * (the optional entry lets you time another checkout the same way).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const PAIRS = 1500;
const WARMUP = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export default async function main(entry = process.argv.slice(2).find((a) => a.endsWith(".ts")) ?? "src/main.ts") {
  const dir = mkdtempSync(join(tmpdir(), "ipcraft-bench-send-link-"));
  const db = join(dir, "bench.db");
  const users = PAIRS + WARMUP;
  {
    // Seeded by the measured checkout's own code, so its migrations match its server.
    const { openDatabase } = await import(join(resolve(dirname(entry)), "db/client.ts"));
    const database = openDatabase(db);
    const now = new Date().toISOString();
    const orgId = crypto.randomUUID();
    database.sqlite.transaction(() => {
      database.sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)", [orgId, now, now]);
      const insert = database.sqlite.query("INSERT INTO users (id, org_id, email, role, created_at, updated_at) VALUES (?, ?, ?, 'member', ?, ?)");
      for (let i = 0; i < users; i++) insert.run(crypto.randomUUID(), orgId, `known${i}@example.org`, now, now);
    })();
    database.close();
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const child = Bun.spawn(["bun", "run", entry, "serve", "--db", db, "--port", String(port), "--rate-limit", "0", "--signup", "closed"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    for (let i = 0; i < 200; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
      await Bun.sleep(25);
    }
    const post = async (email: string): Promise<number> => {
      const started = performance.now();
      const r = await fetch(`${base}/api/v1/auth/send-link`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email }),
      });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`send-link answered ${r.status}`);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < users; i++) {
      // Alternate which goes first, so neither always follows the other's background delivery.
      const k = i % 2 === 0 ? await post(`known${i}@example.org`) : 0;
      const u = await post(`unknown${i}@example.org`);
      const k2 = i % 2 === 1 ? await post(`known${i}@example.org`) : k;
      if (i < WARMUP) continue;
      known.push(k2);
      unknown.push(u);
    }
    known.sort((a, b) => a - b);
    unknown.sort((a, b) => a - b);
    const row = (name: string, xs: number[]) =>
      `| ${name} | ${xs.length} | ${percentile(xs, 50).toFixed(3)} ms | ${percentile(xs, 90).toFixed(3)} ms | ${percentile(xs, 99).toFixed(3)} ms |`;
    console.log(`send-link on ${entry}, signup closed, sequential over loopback\n`);
    console.log("| email | requests | median | p90 | p99 |\n|---|---|---|---|---|");
    console.log(row("known (link delivered to the log)", known));
    console.log(row("unknown (token stored, nothing delivered)", unknown));
    const gap = percentile(known, 50) - percentile(unknown, 50);
    console.log(`\nmedian known − unknown: ${gap.toFixed(3)} ms`);
  } finally {
    child.kill();
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
