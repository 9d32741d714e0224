/**
 * `ipcraft copy` both ways on a deployment of N addresses (default 100,000) in 100 subnets of
 * one organization: SQLite → PostgreSQL, then PostgreSQL → a new SQLite file; each includes
 * the per-table count verification and `check` on the target. SQLite: temp files.
 * PostgreSQL: a throw-away cluster (scripts/pg-cluster, fsync off), or IPCRAFT_BENCH_PG_URL.
 * Prints a markdown table. Run: `bun run bench/copy.ts [N]`.
 */
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/client";
import { keyOf } from "../src/ipam/codec";
import { copyDeployment } from "../src/ops/copy";

const N = Number(process.argv[2] ?? 100_000);
const PER_SUBNET = Math.min(250, Math.ceil(N / 100));

async function pgUrl(): Promise<string> {
  if (process.env.IPCRAFT_BENCH_PG_URL) return process.env.IPCRAFT_BENCH_PG_URL;
  const dir = mkdtempSync("/tmp/ipcraft-pg-");
  const proc = Bun.spawn([`${import.meta.dir}/../scripts/pg-cluster`, "start", dir, "--owner-pid", String(process.pid)], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error("could not start PostgreSQL");
  return out.trim();
}

/** A SQLite deployment written straight to the file (the API would take minutes for 100k rows). */
function seed(path: string): void {
  const database = openDatabase(path);
  const { sqlite } = database;
  const at = new Date().toISOString();
  const org = crypto.randomUUID();
  sqlite.run("BEGIN");
  sqlite.query("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)").run(org, at, at);
  sqlite.query("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, 'bench@example.org', '', 'owner', ?, ?)").run(crypto.randomUUID(), org, at, at);
  const subnet = sqlite.query("INSERT INTO subnets (id, org_id, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, 4, ?, 24, ?, ?, ?)");
  const address = sqlite.query("INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)");
  let made = 0;
  for (let s = 0; made < N; s++) {
    const id = crypto.randomUUID();
    const base = (10n << 24n) | (BigInt(s) << 8n);
    const text = (v: bigint) => [24n, 16n, 8n, 0n].map((b) => (v >> b) & 255n).join(".");
    subnet.run(id, org, keyOf(4, base), `${text(base)}/24`, at, at);
    for (let h = 1; h <= PER_SUBNET && made < N; h++, made++) address.run(crypto.randomUUID(), org, id, text(base + BigInt(h)), keyOf(4, base + BigInt(h)), at, at);
  }
  sqlite.run("COMMIT");
  database.close();
}

const dir = mkdtempSync(join(tmpdir(), "ipcraft-copy-bench-"));
seed(`${dir}/source.db`);
const base = await pgUrl();
const admin = new SQL(base, { max: 1 });
const name = `copy_bench_${process.pid}`;
await admin.unsafe(`CREATE DATABASE ${name}`);
const target = new URL(base);
target.pathname = `/${name}`;

const rows: string[] = [];
for (const [label, from, to] of [
  ["SQLite → PostgreSQL", `${dir}/source.db`, target.toString()],
  ["PostgreSQL → SQLite", target.toString(), `${dir}/back.db`],
] as const) {
  const t0 = performance.now();
  const result = await copyDeployment(from, to);
  const seconds = (performance.now() - t0) / 1000;
  const total = result.tables.reduce((n, t) => n + t.rows, 0);
  if (result.check.problems.length > 0) throw new Error(`check failed on ${label}`);
  rows.push(`| ${label} | ${total.toLocaleString("en")} | ${seconds.toFixed(1)} s | ${Math.round(total / seconds).toLocaleString("en")} |`);
}
await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
await admin.close();

console.log(`\n### ipcraft copy (${N.toLocaleString("en")} addresses, incl. count verification and check on the target)\n`);
console.log("| direction | rows | time | rows/s |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(row);
