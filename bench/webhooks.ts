/**
 * Webhooks and API latency (issue 14: "a receiver that hangs does not change API latency").
 * A real server (startServer: its delivery worker runs) on a temporary database; 8 clients
 * allocate addresses over HTTP for a fixed number of requests in each setting:
 *   none      no webhook (the write still appends its event to the change feed)
 *   fast      a webhook on address.* to a receiver answering 204 at once
 *   hanging   a webhook on address.* to a receiver that never answers (every attempt holds a
 *             worker slot for the 10 s timeout, then is retried)
 * The receiver is a separate process. Prints p50/p95/p99 and throughput per setting. Run: `bun run bench webhooks` or `bun run bench/webhooks.ts`.
 */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { createMemoryLogger } from "../src/logger";
import { startServer } from "../src/server";
import { createTenant } from "../test/helpers/tenant";

const REQUESTS = 1000;
const CLIENTS = 8;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(setting: "none" | "fast" | "hanging"): Promise<{ rps: number; line: string }> {
  const dir = mkdtempSync(join(tmpdir(), "ipcraft-bench-webhooks-"));
  const db = join(dir, "ipcraft.db");
  const database = openDatabase(db);
  const tenant = createTenant(database);
  database.close();
  const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
  const api = `http://127.0.0.1:${server.port}/api/v1`;
  const headers = { ...tenant.bearer, "content-type": "application/json" };
  // The receiver runs in its own process, as it would on the LAN: its work is not the server's.
  const receiver = Bun.spawn(
    [
      process.execPath,
      "-e",
      `const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => ${setting === "hanging" ? "new Promise(() => {})" : "new Response(null, { status: 204 })"} }); console.log(s.port);`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const { value } = await receiver.stdout.getReader().read();
  const port = Number(new TextDecoder().decode(value).trim());
  try {
    if (setting !== "none") {
      await fetch(`${api}/webhooks`, { method: "POST", headers, body: JSON.stringify({ url: `http://127.0.0.1:${port}/`, events: ["address.*"] }) });
    }
    const subnet = await (await fetch(`${api}/subnets`, { method: "POST", headers, body: '{"cidr": "10.0.0.0/16"}' })).json();
    const times: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next++ < REQUESTS) {
          const t = performance.now();
          const r = await fetch(`${api}/subnets/${subnet.id}/addresses`, { method: "POST", headers, body: "{}" });
          await r.arrayBuffer();
          if (r.status !== 201) throw new Error(`allocation answered ${r.status}`);
          times.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const rps = Math.round(REQUESTS / seconds);
    return { rps, line: `| ${setting} | ${REQUESTS} | ${pct(times, 50).toFixed(2)} | ${pct(times, 95).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${rps} |` };
  } finally {
    receiver.kill();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function main(): Promise<void> {
  console.log(`Allocation over HTTP, ${CLIENTS} clients, server with its delivery worker running:\n`);
  console.log("| webhook | requests | p50 ms | p95 ms | p99 ms | req/s |");
  console.log("|---|---|---|---|---|---|");
  // Interleaved rounds, the median row of each setting: the machine's other load varies.
  const rows: Record<string, { rps: number; line: string }[]> = { none: [], fast: [], hanging: [] };
  for (let round = 0; round < 3; round++) {
    for (const setting of ["none", "fast", "hanging"] as const) rows[setting]!.push(await run(setting));
  }
  for (const [, results] of Object.entries(rows)) console.log(results.sort((a, b) => a.rps - b.rps)[1]!.line);
}

if (import.meta.main) await main();
