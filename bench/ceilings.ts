/**
 * The machine's ceilings, measured in the same run as ipcraft so that each figure can be
 * printed as a fraction of what this machine can do at all (issue 16):
 * - a bare Bun.serve JSON POST endpoint (bench/bare-server.ts), 32 clients over loopback;
 * - SQLite alone writing an address row and its activity row per "allocation", in batches
 *   of 32 (the group commit's size with 32 clients), FULL and NORMAL;
 * - an fsync probe: 4 KiB write + fdatasync, the floor under every durable commit.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { openDatabase } from "../src/db/client";
import { insertActivity } from "../src/store/sqlite/activity";
import { formatIp, ipKey } from "../src/ip";

export interface Ceilings {
  bare: { perSecond: number; cpuUsPerRequest: number };
  sqlite: { full: number; normal: number };
  fsyncMs: number;
}

/** utime + stime of `pid`, in ms (10 ms ticks). */
export async function cpuMs(pid: number): Promise<number> {
  return statCpuMs(await Bun.file(`/proc/${pid}/stat`).text());
}

/** utime + stime (ms) from the text of a /proc/<pid>/stat (fields after the command name). */
export function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `total` requests from `clients` concurrent loops; latencies in ms, sorted. */
export async function load(clients: number, total: number, send: () => Promise<void>): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  let issued = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (issued < total) {
        issued++;
        const s = performance.now();
        await send();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(total / seconds), latencies };
}

export async function measureCeilings(dir: string): Promise<Ceilings> {
  // Bare Bun.serve.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = Bun.spawn(["bun", "run", `${import.meta.dir}/bare-server.ts`, String(port)], { stdout: "ignore", stderr: "inherit" });
  const url = `http://127.0.0.1:${port}/api/v1/subnets/x/addresses`;
  const body = JSON.stringify({ hostname: "bench" });
  const post = async () => {
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    await r.arrayBuffer();
  };
  for (;;) {
    try {
      await post();
      break;
    } catch {
      await Bun.sleep(5);
    }
  }
  await load(32, 1000, post);
  const c0 = await cpuMs(child.pid);
  const bare = await load(32, 6000, post);
  const c1 = await cpuMs(child.pid);
  child.kill();
  await child.exited;

  return {
    bare: { perSecond: bare.perSecond, cpuUsPerRequest: ((c1 - c0) * 1000) / 6000 },
    sqlite: { full: rawSqlite(`${dir}/ceiling-full.db`, "full"), normal: rawSqlite(`${dir}/ceiling-normal.db`, "normal") },
    fsyncMs: fsyncProbe(`${dir}/fsync-probe`),
  };
}

/** Address + activity row pairs per second, in batches of 32, with nothing else around them. */
function rawSqlite(path: string, synchronous: "full" | "normal"): number {
  // A bench may block: BEGIN waits (busy_timeout) while the checkpointer holds the gate.
  const database = openDatabase(path, { synchronous, busyTimeoutMs: 5000, backgroundCheckpoints: true });
  const { sqlite } = database;
  const now = new Date().toISOString();
  const orgId = crypto.randomUUID();
  const subnetId = crypto.randomUUID();
  sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)", [orgId, now, now]);
  sqlite.run(
    "INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, 'default', 4, ?, 8, '10.0.0.0/8', ?, ?)",
    [subnetId, orgId, ipKey({ family: 4, value: 10n << 24n }), now, now],
  );
  const address = sqlite.query(
    "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, 'bench', ?, ?)",
  );
  let value = (10n << 24n) + 1n;
  const pairs = synchronous === "full" ? 3200 : 16000;
  const t0 = performance.now();
  for (let b = 0; b < pairs / 32; b++) {
    sqlite.run("BEGIN IMMEDIATE");
    for (let i = 0; i < 32; i++) {
      const id = Bun.randomUUIDv7();
      const ip = formatIp({ family: 4, value });
      address.run(id, orgId, subnetId, ip, ipKey({ family: 4, value }), now, now);
      value++;
      insertActivity(database, {
        orgId,
        actor: { type: "api_key", id: "k", label: "bench" },
        action: "address.create",
        target: { type: "address", id, label: ip },
        at: now,
        changes: { ip: [null, ip] as [unknown, unknown], hostname: [null, "bench"] as [unknown, unknown] },
      });
    }
    sqlite.run("COMMIT");
  }
  const perSecond = Math.round(pairs / ((performance.now() - t0) / 1000));
  database.close();
  return perSecond;
}

/** Median ms of a 4 KiB write + fdatasync (what a durable COMMIT waits for at least). */
function fsyncProbe(path: string): number {
  const fd = openSync(path, "w");
  const block = new Uint8Array(4096);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const s = performance.now();
    writeSync(fd, block, 0, block.length, (i % 16) * 4096);
    fdatasyncSync(fd);
    times.push(performance.now() - s);
  }
  closeSync(fd);
  times.sort((a, b) => a - b);
  return times[50]!;
}
