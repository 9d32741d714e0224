/**
 * HTTP benchmark of the IPAM hot paths against a real `ipcraft serve` child process on
 * loopback (its own event loop, as in production), with a /8 holding 100,000 addresses.
 * Prints a markdown table. Run: `bun run bench/http.ts` (or `bun run bench`).
 *
 * Targets (issue 5): first-free p99 ≤ 2 ms; ≥ 4,000 allocations/s (committed, WAL) with 32
 * clients; one bulk allocation of 10,000 ≤ 300 ms; boot ≤ 1 s. Allocations are measured in
 * both durability modes (issue 11): synchronous=FULL, the default, and the opt-in NORMAL.
 */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { openDatabase } from "../src/db/client";
import { ipKey, formatIp } from "../src/ip";
import { IpamRegistry } from "../src/ipam/registry";
import { generateApiKey } from "../src/auth/tokens";

const ADDRESSES = 100_000;
const dir = mkdtempSync(join(tmpdir(), "ipcraft-bench-"));
const db = join(dir, "bench.db");

function seed(): { key: string; subnetId: string } {
  const database = openDatabase(db);
  const { sqlite } = database;
  const now = new Date().toISOString();
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const subnetId = crypto.randomUUID();
  const key = generateApiKey();
  sqlite.transaction(() => {
    sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)", [orgId, now, now]);
    sqlite.run("INSERT INTO users (id, org_id, email, role, created_at, updated_at) VALUES (?, ?, 'bench@example.org', 'owner', ?, ?)", [userId, orgId, now, now]);
    sqlite.run(
      "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, 'bench', ?, ?, 'write', ?)",
      [crypto.randomUUID(), orgId, userId, key.prefix, key.hash, now],
    );
    sqlite.run(
      `INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at)
       VALUES (?, ?, 'default', 4, ?, 8, '10.0.0.0/8', ?, ?)`,
      [subnetId, orgId, ipKey({ family: 4, value: 10n << 24n }), now, now],
    );
    const insert = sqlite.query(
      "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)",
    );
    // Every other address of the low range: 100,000 runs, a realistic worst case for the run set.
    for (let i = 0; i < ADDRESSES; i++) {
      const ip = { family: 4 as const, value: (10n << 24n) + 1n + BigInt(i * 2) };
      insert.run(crypto.randomUUID(), orgId, subnetId, formatIp(ip), ipKey(ip), now, now);
    }
  })();
  database.close();
  return { key: key.key, subnetId };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

export default async function main() {
  const { key, subnetId } = seed();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}` };
  const rows: [string, string, string][] = [];

  // Registry build alone (what createApp adds to boot), in this process.
  const probe = openDatabase(db);
  const t0 = performance.now();
  IpamRegistry.load(probe);
  const registryMs = performance.now() - t0;
  probe.close();

  const started = performance.now();
  let child = await serve(port, base, []);
  const bootMs = performance.now() - started;
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(await Bun.file(`/proc/${child.pid}/status`).text())![1]) / 1024;
  rows.push(["boot (spawn → first 200) with 100,000 addresses", ms(bootMs), "≤ 1,000 ms"]);
  rows.push(["  of which registry build", ms(registryMs), ""]);
  rows.push(["RSS after boot", `${rssMb.toFixed(1)} MB`, ""]);

  try {
    // first-free on the /8: 100,000 records below it.
    const ff: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = performance.now();
      const r = await fetch(`${base}/api/v1/subnets/${subnetId}/first-free`, { headers });
      await r.json();
      if (i >= 200) ff.push(performance.now() - s);
    }
    ff.sort((a, b) => a - b);
    rows.push(["first-free on a /8 holding 100,000 addresses, p50", ms(percentile(ff, 50)), ""]);
    rows.push(["first-free, p99", ms(percentile(ff, 99)), "≤ 2 ms"]);

    // 32 concurrent clients allocating, synchronous=FULL (the default).
    const full = await allocations(base, headers, subnetId, 8000);
    rows.push(["allocations/s, 32 concurrent clients, synchronous=full (default)", `${full.perSecond}/s`, "≥ 4,000/s"]);
    rows.push(["  latency p50 / p99", full.latency, ""]);

    // One bulk allocation of 10,000.
    const bulk: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      const r = await fetch(`${base}/api/v1/subnets/${subnetId}/addresses`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ count: 10_000 }),
      });
      if (r.status !== 201) throw new Error(`bulk answered ${r.status}`);
      await r.arrayBuffer();
      bulk.push(performance.now() - s);
    }
    bulk.sort((a, b) => a - b);
    rows.push(["bulk allocation of 10,000 (median of 3)", ms(bulk[1]!), "≤ 300 ms"]);

    // The same allocation load with the opt-in --synchronous normal (no fsync per commit).
    child.kill();
    await child.exited;
    child = await serve(port, base, ["--synchronous", "normal"]);
    const normal = await allocations(base, headers, subnetId, 8000);
    rows.push(["allocations/s, 32 concurrent clients, --synchronous normal", `${normal.perSecond}/s`, ""]);
    rows.push(["  latency p50 / p99", normal.latency, ""]);
  } finally {
    child.kill();
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  }

  console.log("| measure | result | target |\n|---|---|---|");
  for (const [what, value, target] of rows) console.log(`| ${what} | ${value} | ${target} |`);
}

/** Spawns `ipcraft serve` from source on `port` and waits for its first 200. */
async function serve(port: number, base: string, extra: string[]) {
  const child = Bun.spawn(["bun", "run", "src/main.ts", "serve", "--db", db, "--port", String(port), "--rate-limit", "0", ...extra], {
    stdout: "ignore",
    stderr: "inherit",
  });
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await Bun.sleep(5);
  }
}

/** `total` single allocations from 32 concurrent clients: rate and latency. */
async function allocations(base: string, headers: Record<string, string>, subnetId: string, total: number) {
  const lat: number[] = [];
  let issued = 0;
  const body = JSON.stringify({ hostname: "bench" });
  const client = async () => {
    while (issued < total) {
      issued++;
      const s = performance.now();
      const r = await fetch(`${base}/api/v1/subnets/${subnetId}/addresses`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
      });
      if (r.status !== 201) throw new Error(`allocation answered ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
      lat.push(performance.now() - s);
    }
  };
  const a0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, client));
  const seconds = (performance.now() - a0) / 1000;
  lat.sort((a, b) => a - b);
  return { perSecond: Math.round(lat.length / seconds), latency: `${ms(percentile(lat, 50))} / ${ms(percentile(lat, 99))}` };
}

if (import.meta.main) await main();
