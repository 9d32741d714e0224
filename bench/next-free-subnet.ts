/**
 * The next free subnet (issue 13) in a 10.0.0.0/8 with 60,000 /24 children: the search in
 * process (the parent's allocator as the server holds it after boot; target ≤ 50 µs), then
 * the same through the app in process (`app.handle`: GET first-free-subnet, and POST
 * /subnets/{id}/subnets, which creates the child in its transaction on an in-memory SQLite).
 * Two layouts: the children packed from the bottom, and at random among the 65,536 /24s,
 * made through the API (a split, then deletes). Not a test: numbers vary ±30 % on a shared machine. `bun run bench next-free-subnet`.
 */
import { createApp } from "../src/app";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { formatCidr, type Prefix } from "../src/ip";
import { createMemoryLogger } from "../src/logger";
import { createSqliteStore } from "../src/store/sqlite/store";
import { createTenant } from "../test/helpers/tenant";

const CHILDREN = 60_000;
const SLASH8: Prefix = { family: 4, network: 0x0a000000n, length: 8 };

/** mulberry32, seeded: runs are comparable. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mean and p50 µs of `n` sequential calls (after one warm-up). */
async function timed(n: number, fn: (i: number) => unknown): Promise<[string, string]> {
  await fn(-1);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Bun.nanoseconds();
    await fn(i);
    times.push(Bun.nanoseconds() - t);
  }
  const mean = times.reduce((a, b) => a + b, 0) / n / 1000;
  const p50 = [...times].sort((a, b) => a - b)[n >> 1]! / 1000;
  return [mean.toFixed(1), p50.toFixed(1)];
}

async function layout(label: string, keep: Set<number>): Promise<string[][]> {
  const database = openDatabase(":memory:");
  const tenant = createTenant(database);
  const store = createSqliteStore(database);
  const app = createApp({ database, store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const call = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { ...tenant.bearer };
    if (body !== undefined) headers["content-type"] = "application/json";
    const r = await app.handle(new Request(`http://localhost/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
    const text = await r.text();
    return (text ? JSON.parse(text) : undefined) as any;
  };
  // Through the API only (the rows as the server writes them): the /8 split into its 65,536
  // /24s, then every /24 not kept deleted.
  const parentId = (await call("POST", "/subnets", { cidr: formatCidr(SLASH8) })).id as string;
  const parts = (await call("POST", `/subnets/${parentId}/split`, { prefix_length: 24 })).items as { id: string }[];
  for (let k = 0; k < parts.length; k++) if (!keep.has(k)) await call("DELETE", `/subnets/${parts[k]!.id}`);
  const first = await call("GET", `/subnets/${parentId}/first-free-subnet?prefix_length=24`);
  const rows: string[][] = [];
  // The parent's allocator as the app's memory holds it.
  const allocator = store.ipam.memory.subnet(tenant.orgId, parentId)!.allocator;
  const [pureMean, pureP50] = await timed(20_000, () => allocator.freeSubnets(24, { limit: 1 }));
  rows.push([label, "in process: allocator.freeSubnets(/24)", first.cidr, pureMean, pureP50]);
  const [getMean, getP50] = await timed(2000, () => call("GET", `/subnets/${parentId}/first-free-subnet?prefix_length=24`));
  rows.push([label, "app.handle GET first-free-subnet?prefix_length=24", first.cidr, getMean, getP50]);
  const made: string[] = [];
  const [postMean, postP50] = await timed(200, async (i) => {
    const child = await call("POST", `/subnets/${parentId}/subnets`, { prefix_length: 24 });
    if (i === 0) made.push(child.cidr);
  });
  rows.push([label, "app.handle POST /subnets/{id}/subnets (creates it)", made[0] ?? "?", postMean, postP50]);
  await store.close();
  database.close();
  return rows;
}

export default async function run(): Promise<void> {
  const random = prng(60_000);
  const picked = new Set<number>();
  while (picked.size < CHILDREN) picked.add(Math.floor(random() * 65_536));
  const rows = [
    ...(await layout("60,000 /24 from the bottom", new Set(Array.from({ length: CHILDREN }, (_, k) => k)))),
    ...(await layout("60,000 /24 at random", picked)),
  ];
  console.log("| 10.0.0.0/8 with | next free /24 via | first found | mean µs | p50 µs |\n|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log("\nTarget (issue 13): next free /24 in a /8 with 60,000 children ≤ 50 µs in process (the first row of each layout).");
}
