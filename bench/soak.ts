/**
 * Soak benchmark: mixed load against a real `ipcraft serve` child process for a while (60 s
 * by default), sampling the server's RSS every few seconds, to show that memory does not grow
 * under steady work. Prints a markdown table and a trend verdict.
 *
 * The load keeps the data size steady on purpose (each client releases what it allocated
 * beyond a small working set, and child subnets are created and deleted in pairs), so any
 * lasting RSS growth would be a leak, not data. (The activity log does grow, one row per
 * write, as it must; it lives in SQLite pages on disk, not in the process.)
 *
 * Run: `bun run bench:soak` (or `bun run bench soak`); `--seconds N` changes the length.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "./binary";
import { generateApiKey } from "../src/auth/tokens";
import { openDatabase } from "../src/db/client";

const argSeconds = process.argv.indexOf("--seconds");
const SECONDS = argSeconds > -1 ? Number(process.argv[argSeconds + 1]) : 60;
const SAMPLE_EVERY_S = 5;
const CLIENTS = 16;
const WORKING_SET = 40; // addresses a client keeps before releasing its oldest

const dir = mkdtempSync(join(tmpdir(), "ipcraft-soak-"));
const db = join(dir, "soak.db");
const binary = buildBinary(dir);

function seed(): string {
  const database = openDatabase(db);
  const now = new Date().toISOString();
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const key = generateApiKey();
  database.sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Soak', 'unlimited', ?, ?)", [orgId, now, now]);
  database.sqlite.run("INSERT INTO users (id, org_id, email, role, created_at, updated_at) VALUES (?, ?, 'soak@example.org', 'owner', ?, ?)", [userId, orgId, now, now]);
  database.sqlite.run(
    "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, 'soak', ?, ?, 'write', ?)",
    [crypto.randomUUID(), orgId, userId, key.prefix, key.hash, now],
  );
  database.close();
  return key.key;
}

async function rssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export default async function main(): Promise<void> {
  const key = seed();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}/api/v1`;
  const child = Bun.spawn([binary, "serve", "--db", db, "--port", String(port), "--rate-limit", "0"], {
    cwd: `${import.meta.dir}/..`,
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        if (i > 2000) throw new Error("server did not start");
      }
      await Bun.sleep(5);
    }
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      if (r.status >= 500) throw new Error(`${method} ${path} → ${r.status} ${text}`);
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };
    const subnet = (await call("POST", "/subnets", { cidr: "10.0.0.0/16" })).body;

    let ops = 0;
    const statuses = new Map<number, number>();
    let running = true;
    const client = async (n: number) => {
      const mine: string[] = [];
      for (let i = 0; running; i++) {
        let r: { status: number };
        const step = i % 10;
        if (step < 6) {
          // Allocate, or release the oldest once past the working set: the data stays the same size.
          if (mine.length >= WORKING_SET && step % 2 === 1) {
            r = await call("DELETE", `/addresses/${mine.shift()}`);
          } else {
            const a = await call("POST", `/subnets/${subnet.id}/addresses`, { hostname: `soak-${n}-${i}` });
            if (a.status === 201) mine.push(a.body.id);
            r = a;
          }
        } else if (step === 6) {
          r = await call("GET", `/subnets/${subnet.id}/addresses?limit=100`);
        } else if (step === 7) {
          r = await call("GET", `/subnets/${subnet.id}/first-free`);
        } else if (step === 8 && i % 50 === 8) {
          // A child subnet created and deleted again: tree, allocator and activity churn.
          const c = await call("POST", "/subnets", { cidr: `10.0.${200 + n}.0/24` });
          r = c.status === 201 ? await call("DELETE", `/subnets/${c.body.id}`) : c;
        } else {
          r = await call("GET", `/addresses?q=soak-${n}&limit=20`);
        }
        ops++;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));

    const samples: { t: number; rss: number; ops: number }[] = [{ t: 0, rss: await rssMb(child.pid), ops: 0 }];
    const started = performance.now();
    for (let t = SAMPLE_EVERY_S; t <= SECONDS; t += SAMPLE_EVERY_S) {
      await Bun.sleep(started + t * 1000 - performance.now());
      samples.push({ t, rss: await rssMb(child.pid), ops });
    }
    running = false;
    await Promise.all(clients);

    console.log(`Mixed load, ${CLIENTS} clients, ${SECONDS} s: allocate/release 60% (a steady working set of ${CLIENTS * WORKING_SET} addresses), list, first-free, search, child subnet create+delete.\n`);
    console.log("| t (s) | server RSS (MB) | ops in interval | ops/s |\n|---|---|---|---|");
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const prev = samples[i - 1];
      const delta = prev ? s.ops - prev.ops : 0;
      console.log(`| ${s.t} | ${s.rss.toFixed(1)} | ${prev ? delta : "—"} | ${prev ? Math.round(delta / (s.t - prev.t)) : "—"} |`);
    }
    // Trend over the second half (after warm-up: JIT, caches, SQLite page cache filling).
    const half = samples.filter((s) => s.t >= SECONDS / 2);
    const perMinute = slope(half.map((s) => [s.t / 60, s.rss]));
    const meanRss = half.reduce((a, s) => a + s.rss, 0) / half.length;
    const growing = perMinute > Math.max(2, meanRss * 0.02); // > 2 MB (or 2 %) per minute
    const total = samples[samples.length - 1]!.ops;
    console.log(
      `\n${total} operations (${Math.round(total / SECONDS)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}.` +
        `\nRSS trend over the second half: ${perMinute >= 0 ? "+" : ""}${perMinute.toFixed(2)} MB/min around ${meanRss.toFixed(1)} MB → ` +
        (growing ? "**GROWING** (investigate a leak)" : "**flat: no growth**"),
    );
  } finally {
    child.kill();
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
