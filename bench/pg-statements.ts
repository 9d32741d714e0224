/**
 * `bun run bench pg-statements`: how many statements PostgreSQL executes per request on the
 * hot paths (issue 12), counted from the server's own log (`log_statement = all`) rather than
 * timed, so the figure holds on a loaded machine: single allocations from 32 clients on one
 * and on two in-process replicas, and sequential first-free. Uses the test helpers' throw-away
 * cluster (scripts/pg-cluster). Prints a markdown table.
 */
import { SQL } from "bun";
import { readFileSync } from "node:fs";
import { createPgStore } from "../src/store/pg/store";
import { freshPgDatabase, pgClusterUrl } from "../test/helpers/pg";
import { pgReplica } from "../test/helpers/pg-replica";
import { createTenantIn } from "../test/helpers/tenant";

type Replica = ReturnType<typeof pgReplica>;

export default async function main() {
  const base = await pgClusterUrl();
  const dir = new URL(base).searchParams.get("host");
  if (!dir) throw new Error("the cluster URL names no socket folder (its log is there)");
  const admin = new SQL(base, { max: 1 });
  const db = await freshPgDatabase({ migrated: true });
  const tenant = await createTenantIn(createPgStore(db.sql));
  const closers: (() => Promise<void>)[] = [];
  const a = pgReplica(db.url, tenant, closers);
  const b = pgReplica(db.url, tenant, closers);
  const subnet = (await a.post("/subnets", { cidr: "10.0.0.0/16" })).body;
  const allocate = (on: Replica) => on.post(`/subnets/${subnet.id}/addresses`, { hostname: "h" });
  // Both replicas loaded and warm, as running servers are.
  await clients([a, b], 200, allocate);

  const rows: [string, number, number][] = [];
  const counted = async (label: string, requests: number, work: () => Promise<unknown>) => {
    await admin.unsafe("ALTER SYSTEM SET log_statement = 'all'");
    await admin`SELECT pg_reload_conf()`;
    await Bun.sleep(300);
    const mark = `${process.pid}-${rows.length}`;
    await admin.unsafe(`SELECT 'MARK-START-${mark}'`);
    await work();
    await admin.unsafe(`SELECT 'MARK-END-${mark}'`);
    await admin.unsafe("ALTER SYSTEM RESET log_statement");
    await admin`SELECT pg_reload_conf()`;
    const log = readFileSync(`${dir}/server.log`, "utf8");
    const part = log.slice(log.indexOf(`MARK-START-${mark}`), log.indexOf(`MARK-END-${mark}`));
    const statements = (part.match(/LOG: {2}(statement|execute)/g) ?? []).length - 1; // the start mark itself
    rows.push([label, requests, statements]);
  };
  await counted("single allocations, 32 clients over 2 replicas", 640, () => clients([a, b], 640, allocate));
  await counted("single allocations, 32 clients, 1 replica", 640, () => clients([a], 640, allocate));
  await counted("first-free, sequential", 200, async () => {
    for (let i = 0; i < 200; i++) await a.get(`/subnets/${subnet.id}/first-free`);
  });

  for (const close of closers) await close();
  await db.drop();
  await admin.close();
  console.log("| requests (PostgreSQL, API key auth) | requests | statements | per request |\n|---|---|---|---|");
  for (const [label, n, s] of rows) console.log(`| ${label} | ${n} | ${s} | ${(s / n).toFixed(2)} |`);
}

/** `total` requests from 32 clients spread round-robin over `replicas`. */
async function clients(replicas: Replica[], total: number, request: (on: Replica) => Promise<{ status: number }>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async (_, c) => {
      const on = replicas[c % replicas.length]!;
      while (next < total) {
        next++;
        const r = await request(on);
        if (r.status >= 300) throw new Error(`answered ${r.status}`);
      }
    }),
  );
}
