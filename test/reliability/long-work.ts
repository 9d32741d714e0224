/**
 * Shared by the long-work test and bench/long-work.ts: a server (the compiled binary) with two
 * organizations, the largest split and import it allows, and probes that keep asking
 * /healthz and the other organization's reads while one of them runs.
 */
import { readFileSync } from "node:fs";
import { INLINE_SPLIT_PARTS } from "../../src/features/subnets/split";
import { MAX_IMPORT_ROWS } from "../../src/features/io/import-thread";
import { openDatabase } from "../../src/db/client";
import type { ServerProcess } from "../helpers/binary";
import { createTenant, type Tenant } from "../helpers/tenant";
import { api, databaseWithTenant, startChild } from "./child-server";

export interface Sample {
  what: string;
  /** ms since the probe started */
  at: number;
  ms: number;
  status: number;
}

export interface LongWorkServer {
  server: ServerProcess;
  base: string;
  /** the organization doing the long work */
  busy: Tenant;
  /** the other organization, whose reads are probed */
  other: Tenant;
  otherSubnetId: string;
  /** the database file */
  db: string;
}

export async function startLongWorkServer(label: string): Promise<LongWorkServer> {
  const { dir, db, tenant: busy } = databaseWithTenant(label);
  const database = openDatabase(db);
  const other = createTenant(database);
  database.close();
  const server = await startChild(dir, db);
  const base = server.url;
  await api(base, busy, "POST", "/subnets", { cidr: "10.0.0.0/8", name: "import target" });
  const s = await api(base, other, "POST", "/subnets", { cidr: "192.168.0.0/24", name: "other org" });
  await api(base, other, "POST", `/subnets/${s.body.id}/addresses`, { hostname: "printer" });
  return { server, base, busy, other, otherSubnetId: s.body.id, db };
}

/** The largest address file an API import takes: MAX_IMPORT_ROWS rows under 10.0.0.0/8. */
export function largestAddressCsv(): string {
  const lines = ["ip,vrf,hostname,status,owner,mac,description"];
  for (let n = 1; n <= MAX_IMPORT_ROWS; n++) {
    const block = Math.floor((n - 1) / 250);
    const ip = `10.${block >> 8}.${block & 255}.${((n - 1) % 250) + 1}`;
    lines.push(`${ip},default,host-${n},assigned,team-${n % 7},,"rack ${n >> 6}, slot ${n & 63}"`);
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Runs `work` while two loops time /healthz and the other organization's reads; returns every sample. */
export async function probeDuring<T>(w: LongWorkServer, work: () => Promise<T>): Promise<{ result: T; samples: Sample[]; workStart: number; workEnd: number }> {
  const started = performance.now();
  const samples: Sample[] = [];
  let stop = false;
  const loop = async (what: string, request: () => Promise<Response>) => {
    while (!stop) {
      const t0 = performance.now();
      const response = await request();
      await response.arrayBuffer();
      samples.push({ what, at: t0 - started, ms: performance.now() - t0, status: response.status });
      await Bun.sleep(2);
    }
  };
  const headers = w.other.bearer;
  const loops = [
    loop("healthz", () => fetch(`${w.base}/healthz`)),
    loop("other org: GET /subnets", () => fetch(`${w.base}/api/v1/subnets`, { headers })),
    loop("other org: GET addresses", () => fetch(`${w.base}/api/v1/subnets/${w.otherSubnetId}/addresses`, { headers })),
  ];
  await Bun.sleep(50); // the probes are running before the work starts
  const workStart = performance.now() - started;
  const result = await work();
  const workEnd = performance.now() - started;
  stop = true;
  await Promise.all(loops);
  return { result, samples: samples.filter((s) => s.at + s.ms >= workStart && s.at <= workEnd), workStart, workEnd };
}

/** The largest split run on the server's thread: a /12 into INLINE_SPLIT_PARTS parts (or a given split). */
export async function largestSplit(w: LongWorkServer, cidr = "172.16.0.0/12", parts = INLINE_SPLIT_PARTS): Promise<{ status: number; parts: number }> {
  const r = await splitNew(w, cidr, parts);
  return { status: r.status, parts: r.body?.items?.length ?? 0 };
}

/** Creates `cidr` in the busy organization and splits it into `parts`; the whole answer. */
export async function splitNew(w: LongWorkServer, cidr: string, parts: number): Promise<{ status: number; body: any; contentType: string | null }> {
  const s = await api(w.base, w.busy, "POST", "/subnets", { cidr });
  const r = await fetch(`${w.base}/api/v1/subnets/${s.body.id}/split`, {
    method: "POST",
    headers: { ...w.busy.bearer, "content-type": "application/json" },
    body: JSON.stringify({ parts }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined, contentType: r.headers.get("content-type") };
}

/** POSTs an address CSV as the busy organization. */
export async function importCsv(w: LongWorkServer, csv: string, dryRun: boolean): Promise<{ status: number; body: any }> {
  const r = await fetch(`${w.base}/api/v1/import/addresses${dryRun ? "?dry_run=true" : ""}`, {
    method: "POST",
    headers: { ...w.busy.bearer, "content-type": "text/csv" },
    body: csv,
  });
  return { status: r.status, body: await r.json() };
}

/** The server process's resident memory now and at its peak (kB → MB), from /proc. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** CPU time (user + system) the process has used so far, in ms (from /proc; 10 ms resolution). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
