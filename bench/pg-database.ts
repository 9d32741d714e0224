/**
 * A PostgreSQL database for one benchmark run: a throw-away cluster (scripts/pg-cluster,
 * stopped when this process exits) or the server at IPCRAFT_BENCH_PG_URL, with fsync and
 * synchronous commit turned back ON (the test cluster turns both off), so that an
 * acknowledged write is durable as in a real deployment.
 */
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";

const ROOT = `${import.meta.dir}/..`;

export interface BenchPgDatabase {
  /** the new database's URL */
  url: string;
  /** drops the database and closes the admin connection */
  drop(): Promise<void>;
}

/** Creates the database `<prefix>_<pid>` on a durable cluster. */
export function durablePgDatabase(prefix: string): Promise<BenchPgDatabase> {
  return benchPgDatabase(prefix, true);
}

/**
 * Creates the database `<prefix>_<pid>`; `durable`: turn fsync and synchronous commit on first
 * (else the cluster stays as it is: the throw-away one has them off, to measure CPU alone).
 */
export async function benchPgDatabase(prefix: string, durable: boolean): Promise<BenchPgDatabase> {
  const base = process.env.IPCRAFT_BENCH_PG_URL ?? (await startCluster());
  const admin = new SQL(base, { max: 1 });
  if (durable) {
    await admin.unsafe("ALTER SYSTEM SET fsync = on");
    await admin.unsafe("ALTER SYSTEM SET synchronous_commit = on");
    await admin`SELECT pg_reload_conf()`;
  }
  const name = `${prefix}_${process.pid}`;
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.close();
    },
  };
}

async function startCluster(): Promise<string> {
  const dir = mkdtempSync("/tmp/ipcraft-bench-pg-");
  const proc = Bun.spawn([`${ROOT}/scripts/pg-cluster`, "start", dir, "--owner-pid", String(process.pid)], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error("scripts/pg-cluster start failed");
  return out.trim();
}
