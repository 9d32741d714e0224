/**
 * The scenario of "a CLI import beside a running server" (issue 11, item 3), shared by the
 * regression test (small, generous bounds) and bench/cli-import.ts (300,000 rows, exact
 * figures): a real `ipcraft serve` under load — /healthz probes, reads, allocations — while
 * `ipcraft import addresses` (another process) holds SQLite's write lock for its transaction.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerProcess } from "../helpers/binary";
import type { Tenant } from "../helpers/tenant";
import { api, runBinary } from "./child-server";

export interface ImportBesideServerResult {
  importCode: number;
  importErr: string;
  importSeconds: number;
  /** every /healthz latency (ms) and every non-200 status seen there */
  healthMs: number[];
  /** when each /healthz probe started, in ms from the import's start (negative: before it) */
  healthAt: number[];
  healthBad: string[];
  reads: { ok: number; bad: string[] };
  /** allocations: 201s, 503s that carried Retry-After and code database_busy, anything else */
  writes: { created: number; busy: number; bad: string[]; maxMs: number };
}

/** Addresses `10.<a>.<b>.<c>` for `rows` rows, all inside 10.0.0.0/8 (one subnet holds them). */
export function addressCsv(dir: string, rows: number): string {
  const lines = ["ip,hostname,description"];
  for (let i = 0; i < rows; i++) {
    const n = i + 1; // 10.0.0.0 is the /8's network address
    lines.push(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255},imported-${i},row ${i}`);
  }
  const file = join(dir, `addresses-${rows}.csv`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

export async function importBesideServer(
  server: ServerProcess,
  tenant: Tenant,
  db: string,
  csv: string,
  options: { healthEveryMs?: number; readers?: number; writers?: number } = {},
): Promise<ImportBesideServerResult> {
  const base = server.url;
  const target = await api(base, tenant, "POST", "/subnets", { cidr: "10.0.0.0/8" });
  const pool = await api(base, tenant, "POST", "/subnets", { cidr: "192.168.0.0/16" });
  if (target.status !== 201 || pool.status !== 201) throw new Error(`setup: ${target.status} ${pool.status}`);

  let running = true;
  let importStarted = performance.now();
  const result: ImportBesideServerResult = {
    importCode: -1,
    importErr: "",
    importSeconds: 0,
    healthMs: [],
    healthAt: [],
    healthBad: [],
    reads: { ok: 0, bad: [] },
    writes: { created: 0, busy: 0, bad: [], maxMs: 0 },
  };

  const health = async () => {
    while (running) {
      const t0 = performance.now();
      const r = await fetch(`${base}/healthz`);
      await r.arrayBuffer();
      result.healthMs.push(performance.now() - t0);
      result.healthAt.push(t0 - importStarted);
      if (r.status !== 200) result.healthBad.push(String(r.status));
      await Bun.sleep(options.healthEveryMs ?? 20);
    }
  };
  const reader = async () => {
    while (running) {
      for (const path of [`/subnets/${pool.body.id}`, `/subnets/${pool.body.id}/addresses?limit=50`, "/subnets?limit=10"]) {
        const r = await api(base, tenant, "GET", path);
        if (r.status === 200) result.reads.ok++;
        else result.reads.bad.push(`${r.status} ${JSON.stringify(r.body)}`);
      }
      await Bun.sleep(5);
    }
  };
  const writer = async (n: number) => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}/api/v1/subnets/${pool.body.id}/addresses`, {
        method: "POST",
        headers: { ...tenant.bearer, "content-type": "application/json" },
        body: JSON.stringify({ hostname: `w${n}-${i}` }),
      });
      const body = (await r.json()) as { code?: string };
      result.writes.maxMs = Math.max(result.writes.maxMs, performance.now() - t0);
      if (r.status === 201) result.writes.created++;
      else if (r.status === 503 && body.code === "database_busy" && Number(r.headers.get("retry-after")) > 0) result.writes.busy++;
      else result.writes.bad.push(`${r.status} ${JSON.stringify(body)}`);
      await Bun.sleep(5);
    }
  };

  const loads = [health(), ...Array.from({ length: options.readers ?? 2 }, reader), ...Array.from({ length: options.writers ?? 2 }, (_, n) => writer(n))];
  await Bun.sleep(300); // load first, then the import starts beside it
  const t0 = (importStarted = performance.now());
  const imported = await runBinary(["import", "addresses", csv, "--db", db, "--email", tenant.email]);
  result.importSeconds = (performance.now() - t0) / 1000;
  result.importCode = imported.code;
  result.importErr = imported.err;
  await Bun.sleep(500); // and a moment after it, when the server catches up with its commit
  running = false;
  await Promise.all(loads);
  return result;
}

/** The p-th percentile (0-100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
