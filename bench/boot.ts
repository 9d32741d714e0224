/**
 * Boot and foreign-write benchmark (issue 16, "Boot and memory" and "Registry rebuilds only
 * when address or subnet tables change"): a real `ipcraft serve` child process on databases
 * holding 100,000 and 1,000,000 addresses (every other address of a /8: one run per
 * record, the worst case for the run sets), then, against the 100k server, what a write by
 * another connection costs the next request. Prints a markdown table.
 * Run: `bun run bench boot` (only when named: seeding a million rows takes a while).
 *
 * - boot: spawn → first 200 from /healthz, median of 3; the empty-database row is the fixed
 *   cost (Bun start, compiling the sources, migrations) every other row includes;
 * - RSS: VmRSS of the server right after that first 200;
 * - foreign write → next request: this process is "another process" to the server (its own
 *   connection to the file), writes, then times the next first-free on the /8 (median of
 *   20), and reads the server's rebuild / replay counters from /metrics.
 */
import { join } from "node:path";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { openDatabase, type OpenDatabase } from "../src/db/client";
import { createSqliteStore } from "../src/store/sqlite/store";
import { ipKey, formatIp } from "../src/ip";
import { generateApiKey } from "../src/auth/tokens";
import { IpamRegistry } from "../src/ipam/registry";
import type { Journal } from "../src/ipam/journal";
import { cpuMs } from "./ceilings";
import { seedDatabase } from "./seed";
import { buildBinary } from "./binary";

/** An IPAM write on `d` over `registry` (its own Store), the way the CLI writes. */
function ipamWrite<T>(d: OpenDatabase, registry: IpamRegistry, orgId: string, fn: (journal: Journal) => T): Promise<T> {
  return createSqliteStore(d, { registry }).ipam.write(orgId, async (_q, journal) => fn(journal));
}


const ms = (x: number) => `${x.toFixed(1)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function serve(binary: string, db: string, port: number, extra: string[] = []) {
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = Bun.spawn([binary, "serve", "--db", db, "--port", String(port), "--rate-limit", "0", ...extra], {
    stdout: "ignore",
    stderr: "inherit",
  });
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await Bun.sleep(2);
  }
  const bootMs = performance.now() - started;
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024;
  // CPU the server spent to get there: unlike wall time, barely moved by a loaded machine.
  const bootCpuMs = await cpuMs(child.pid);
  return { child, base, bootMs, rssMb, bootCpuMs };
}

async function stop(child: { kill(): void; exited: Promise<number> }) {
  child.kill();
  await child.exited;
}

const port = () => 20_000 + Math.floor(Math.random() * 20_000);

/** The registry counters the server exposes (absent before issue 16's counters existed). */
async function counters(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const pick = (name: string) => /^(\S+) (\d+)$/m.exec(text.split("\n").filter((l) => l.startsWith(name)).join("\n"))?.[2] ?? "–";
  return `rebuilds ${pick("ipcraft_registry_rebuilds_total")}, replays ${pick("ipcraft_registry_replays_total")}`;
}

export default async function main() {
  const dir = mkdtempSync(join(tmpdir(), "ipcraft-boot-"));
  const binary = buildBinary(dir);
  const rows: string[][] = [];
  try {
    for (const n of [0, 100_000, 1_000_000]) {
      const s = performance.now();
      const seeded = seedDatabase(join(dir, `boot-${n}.db`), n);
      const seedMs = performance.now() - s;
      const boots: number[] = [];
      const rss: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await serve(binary, seeded.path, port());
        boots.push(run.bootMs);
        rss.push(run.rssMb);
        cpu.push(run.bootCpuMs);
        await stop(run.child);
      }
      if (n > 0) {
        // The loader alone, in this process (no Bun start, no migrations): median of 3.
        const loads: number[] = [];
        const database = openDatabase(seeded.path);
        const loadCpu: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          const c = process.cpuUsage();
          IpamRegistry.load(database);
          const used = process.cpuUsage(c);
          loads.push(performance.now() - t);
          loadCpu.push((used.user + used.system) / 1000);
        }
        database.close();
        rows.push([`registry load alone, ${n.toLocaleString("en-US")} addresses`, `${ms(median(loads))} (${loads.map((b) => b.toFixed(0)).join(", ")}); CPU ${ms(median(loadCpu))}`, "", ""]);
      }
      const label = n === 0 ? "boot, empty database (fixed cost)" : `boot with ${n.toLocaleString("en-US")} addresses`;
      rows.push([
        label,
        `${ms(median(boots))} (${boots.map((b) => b.toFixed(0)).join(", ")}); server CPU ${ms(median(cpu))}`,
        `RSS ${median(rss).toFixed(1)} MB`,
        n ? `seeded in ${(seedMs / 1000).toFixed(1)} s` : "",
      ]);
      if (n !== 100_000) continue;

      // Foreign writes against the 100k server.
      const run = await serve(binary, seeded.path, port(), ["--metrics"]);
      const headers = { authorization: `Bearer ${seeded.key}` };
      const firstFree = async () => {
        const t = performance.now();
        const r = await fetch(`${run.base}/api/v1/subnets/${seeded.subnetId}/first-free`, { headers });
        if (r.status !== 200) throw new Error(`first-free answered ${r.status}`);
        await r.arrayBuffer();
        return performance.now() - t;
      };
      for (let i = 0; i < 50; i++) await firstFree(); // warm
      const other = openDatabase(seeded.path);
      try {
        const quiet: number[] = [];
        for (let i = 0; i < 20; i++) quiet.push(await firstFree());
        rows.push(["first-free, no foreign write (reference)", ms(median(quiet)), "", ""]);

        const keys: number[] = [];
        const userId = other.sqlite.query<{ id: string }, []>("SELECT id FROM users LIMIT 1").get()!.id;
        for (let i = 0; i < 20; i++) {
          const keyRow = generateApiKey();
          other.sqlite.run(
            "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, 'other', ?, ?, 'read', ?)",
            [crypto.randomUUID(), seeded.orgId, userId, keyRow.prefix, keyRow.hash, new Date().toISOString()],
          );
          keys.push(await firstFree());
        }
        rows.push(["key created by another process → next first-free", ms(median(keys)), await counters(run.base), ""]);

        // An address taken by another process the way the CLI writes (ipamWrite, its own
        // registry): logged to ipam_changes (replayed), then without the log (rebuilt).
        const insert = other.sqlite.query(
          "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)",
        );
        for (const logChanges of [true, false]) {
          const registry = IpamRegistry.load(other, seeded.orgId, { logChanges });
          const state = registry.subnet(seeded.orgId, seeded.subnetId)!;
          const addresses: number[] = [];
          for (let i = 0; i < 20; i++) {
            await ipamWrite(other, registry, seeded.orgId, (journal) => {
              const value = registry.allocate(journal, state, 1)![0]!;
              const ip = { family: 4 as const, value };
              const now = new Date().toISOString();
              insert.run(crypto.randomUUID(), seeded.orgId, seeded.subnetId, formatIp(ip), ipKey(ip), now, now);
            });
            addresses.push(await firstFree());
          }
          const how = logChanges ? "logged, as the CLI import" : "not logged: full rebuild";
          rows.push([`address taken by another process (${how}) → next first-free`, ms(median(addresses)), await counters(run.base), `max ${ms(Math.max(...addresses))}`]);
        }
      } finally {
        other.close();
        await stop(run.child);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const load = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
  console.log(`load average ${load} at the end (2 cores; above ~2 the figures are depressed)\n`);
  console.log("| measure | result | | |\n|---|---|---|---|");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

if (import.meta.main) await main();
