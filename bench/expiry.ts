/**
 * Issue 13 on the SQLite store, in process: constrained allocation through the IPAM memory in a
 * 99 % fragmented /8 (target ≤ 2 µs), and expiry of 100,000 addresses — the first read after
 * their deadline (memory frees them all, `IpamMemory.settle`), then the sweep that deletes
 * the rows with one address.expire activity entry each, in transactions of 5,000 (target ≤ 1 s).
 * The clock is driven, never slept. `bun run bench expiry`. Numbers vary ±30 % on a shared machine.
 */
import { createApp } from "../src/app";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { sweepExpired } from "../src/features/addresses/expiry";
import { Journal } from "../src/ipam/journal";
import { createMemoryLogger } from "../src/logger";
import { createSqliteStore } from "../src/store/sqlite/store";
import { createTenant } from "../test/helpers/tenant";

const N = 100_000;
const T0 = Date.parse("2031-01-01T00:00:00.000Z");

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export default async function run(): Promise<void> {
  const database = openDatabase(":memory:");
  const tenant = createTenant(database);
  const app = createApp({ database, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await app.handle(
      new Request(`http://localhost/api/v1${path}`, { method, headers: { ...tenant.bearer, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }),
    );
    return r.json() as Promise<any>;
  };
  const rows: string[][] = [];

  // 1. Constrained allocation in a 99 % fragmented /8, through IpamMemory (journaled, as a request runs it).
  const slash8 = await call("POST", "/subnets", { cidr: "10.0.0.0/8" });
  const s = createSqliteStore(database);
  const memory = s.ipam.memory;
  await s.ipam.read(tenant.orgId, async () => undefined);
  const state = memory.subnet(tenant.orgId, slash8.id)!;
  const random = mulberry(8);
  const t0 = performance.now();
  for (let v = 0x0a000001n; v < 0x0affffffn; v++) if (random() < 0.99) state.allocator.take(v);
  const fillS = (performance.now() - t0) / 1000;
  const range = { start: 0x0a800000n, end: 0x0a80ffffn };
  const requests: [string, Parameters<typeof memory.allocateWhere>[2]][] = [
    ["range 10.128.0.0–10.128.255.255", { range }],
    ["same range, from end", { range, from: "end" }],
    ["same range, 10 excludes", { range, exclude: Array.from({ length: 10 }, (_, k) => ({ start: 0x0a800000n + BigInt(k) * 100n, end: 0x0a800000n + BigInt(k) * 100n + 50n })) }],
    ["same range, count 2 contiguous", { range, count: 2, contiguous: true }],
  ];
  for (const [label, request] of requests) {
    // Each op timed alone: on a shared machine the mean is mostly preemption; p50 is the cost.
    const n = 20_001;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = Bun.nanoseconds();
      const journal = new Journal();
      if (memory.allocateWhere(journal, state, request) === null) throw new Error("nothing fits");
      times.push(Bun.nanoseconds() - t);
      journal.rollback(); // undo: the next round searches the same fragmented subnet
    }
    const mean = times.reduce((a, b) => a + b, 0) / n;
    const p50 = times.sort((a, b) => a - b)[n >> 1]!;
    rows.push([`constrained allocation (journaled, as a request runs it), /8 99 % fragmented: ${label}`, `p50 ${(p50 / 1000).toFixed(2)} µs, mean ${(mean / 1000).toFixed(2)} µs`, "≤ 2 µs"]);
  }

  // 2. 100,000 expiring addresses in a fresh organization's /14, one deadline each second.
  const other = createTenant(database);
  const v = await (
    await app.handle(new Request("http://localhost/api/v1/subnets", { method: "POST", headers: { ...other.bearer, "content-type": "application/json" }, body: JSON.stringify({ cidr: "172.16.0.0/14" }) }))
  ).json() as any;
  const insert = database.sqlite.query(
    `INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, 'default', ?, ?, '', 'assigned', '', NULL, '', ?, ?, ?)`,
  );
  const at = new Date(T0).toISOString();
  database.sqlite.transaction(() => {
    for (let i = 0; i < N; i++) {
      const value = 0xac100001 + i;
      const key = new Uint8Array(16);
      key[10] = 0xff;
      key[11] = 0xff;
      new DataView(key.buffer).setUint32(12, value);
      const ip = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
      // Time-ordered ids, as the app's writer gives records (features/addresses/writer.ts).
      insert.run(Bun.randomUUIDv7(), other.orgId, v.id, ip, key, new Date(T0 + 1000 + (i % 3600) * 1000).toISOString(), at, at);
    }
  })();
  const loadStart = performance.now();
  const boot = createSqliteStore(database); // what a restart loads, deadlines included
  const loaded = boot.ipam.memory.subnet(other.orgId, v.id)!; // the IPAM facet loads on first use
  const loadMs = performance.now() - loadStart;
  if (loaded.allocator.counts().used !== BigInt(N)) throw new Error("the records did not load");
  boot.ipam.memory.clock = () => T0 + 3_601_000;
  const settleStart = performance.now();
  await boot.ipam.read(other.orgId, async () => undefined, [v.id]);
  const settleMs = performance.now() - settleStart;
  const freed = boot.ipam.memory.subnet(other.orgId, v.id)!.allocator.counts().used;
  const sweepStart = performance.now();
  const swept = await sweepExpired(boot);
  const sweepMs = performance.now() - sweepStart;
  if (swept !== N || freed !== 0n) throw new Error(`swept ${swept}, still used ${freed}`);
  rows.push(["boot load of the organizations (100,000 records with deadlines, and the /8 org)", `${loadMs.toFixed(0)} ms`, ""]);
  rows.push(["first read after 100,000 deadlines (memory frees them)", `${settleMs.toFixed(0)} ms`, ""]);
  rows.push(["sweep of 100,000 expiries (rows + activity, transactions of 5,000)", `${sweepMs.toFixed(0)} ms`, "≤ 1 s"]);

  console.log(`(setup: 99 % fill of the /8 in ${fillS.toFixed(1)} s)\n`);
  console.log("| operation | mean / total | target |");
  console.log("|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  database.close();
}

if (import.meta.main) await run();
