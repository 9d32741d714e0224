/**
 * CSV import/export benchmark: 400 subnets and 100,000 addresses (with MACs, owners and
 * descriptions that need quoting), imported by the CLI (`ipcraft import`, in-process, file
 * database) and by the API (a real listening server, one POST), then exported again.
 * Prints a markdown table. Run: `bun run bench/import.ts`.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateApiKey } from "../src/auth/tokens";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { createMemoryLogger } from "../src/logger";
import { runCli } from "../src/main";
import { startServer } from "../src/server";

export const SUBNETS = 400;
export const PER_SUBNET = 250;

function seed(file: string, email: string): string {
  const database = openDatabase(file);
  const now = new Date().toISOString();
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const key = generateApiKey();
  database.sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)", [orgId, now, now]);
  database.sqlite.run("INSERT INTO users (id, org_id, email, role, created_at, updated_at) VALUES (?, ?, ?, 'owner', ?, ?)", [userId, orgId, email, now, now]);
  database.sqlite.run(
    "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, 'bench', ?, ?, 'write', ?)",
    [crypto.randomUUID(), orgId, userId, key.prefix, key.hash, now],
  );
  database.close();
  return key.key;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** The bench's files in `dir`: 400 /24s under a /8 and 100,000 addresses (quoting, MACs, owners). */
export function writeBenchFiles(dir: string): { subnetsFile: string; addressesFile: string } {
  const subnetLines = ["cidr,vrf,name,description,section,vlan", "10.0.0.0/8,default,Bench,,Lab,"];
  const addressLines = ["ip,vrf,hostname,status,owner,mac,description"];
  for (let s = 0; s < SUBNETS; s++) {
    const [b, c] = [Math.floor(s / 256), s % 256];
    subnetLines.push(`10.${b}.${c}.0/24,default,rack ${s},,Lab,${(s % 4094) + 1}`);
    for (let h = 1; h <= PER_SUBNET; h++) {
      const n = s * PER_SUBNET + h;
      addressLines.push(`10.${b}.${c}.${h},default,host-${n},assigned,team-${s % 7},02:00:${hex((n >> 16) & 255)}:${hex((n >> 8) & 255)}:${hex(n & 255)}:01,"rack ${s}, slot ${h}"`);
    }
  }
  const subnetsFile = join(dir, "subnets.csv");
  const addressesFile = join(dir, "addresses.csv");
  writeFileSync(subnetsFile, subnetLines.join("\r\n") + "\r\n");
  writeFileSync(addressesFile, addressLines.join("\r\n") + "\r\n");
  return { subnetsFile, addressesFile };
}

export default async function runImportBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ipcraft-bench-io-"));
  try {
    const { subnetsFile, addressesFile } = writeBenchFiles(dir);
    const quiet = () => {};

    async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
      const started = performance.now();
      const value = await fn();
      return [value, (performance.now() - started) / 1000];
    }

    const results: [string, string][] = [];
    const rows = SUBNETS * PER_SUBNET;
    const mb = (statSync(addressesFile).size / 1048576).toFixed(1);

    // CLI, in-process, on a database file.
    {
      const db = join(dir, "cli.db");
      seed(db, "cli@example.org");
      const args = ["--db", db, "--email", "cli@example.org"];
      await runCli(["import", "subnets", subnetsFile, ...args], {}, quiet, quiet);
      const [code, s] = await timed(() => runCli(["import", "addresses", addressesFile, ...args], {}, quiet, quiet));
      if (code !== 0) throw new Error("CLI import failed");
      results.push([`CLI import of ${rows.toLocaleString("en")} addresses (${mb} MB CSV)`, `${s.toFixed(2)} s`]);
      const [, e] = await timed(() => runCli(["export", "addresses", join(dir, "out.csv"), ...args], {}, quiet, quiet));
      results.push([`CLI export of ${rows.toLocaleString("en")} addresses`, `${e.toFixed(2)} s`]);
    }

    // API, a real listening server, one POST with the whole file.
    {
      const db = join(dir, "api.db");
      const key = seed(db, "api@example.org");
      const server = startServer(defaultServerConfig({ db, port: 0, publicUrl: "http://127.0.0.1:0" }), createMemoryLogger());
      const headers = { authorization: `Bearer ${key}`, "content-type": "text/csv" };
      try {
        await fetch(`${server.url}/api/v1/import/subnets`, { method: "POST", headers, body: Bun.file(subnetsFile) });
        const [response, s] = await timed(async () => {
          const r = await fetch(`${server.url}/api/v1/import/addresses`, { method: "POST", headers, body: Bun.file(addressesFile) });
          await r.text();
          return r;
        });
        if (response.status !== 200) throw new Error(`API import answered ${response.status}`);
        results.push([`API import of ${rows.toLocaleString("en")} addresses (one POST)`, `${s.toFixed(2)} s`]);
        const [, d] = await timed(async () => {
          const r = await fetch(`${server.url}/api/v1/import/addresses?dry_run=true`, { method: "POST", headers, body: Bun.file(addressesFile) });
          return r.text();
        });
        results.push([`API dry run of the same file (all rows refused: already in use)`, `${d.toFixed(2)} s`]);
        const [bytes, e] = await timed(async () => (await (await fetch(`${server.url}/api/v1/export/addresses.csv`, { headers })).arrayBuffer()).byteLength);
        results.push([`API export addresses.csv (${(bytes / 1048576).toFixed(1)} MB, streamed)`, `${e.toFixed(2)} s`]);
      } finally {
        await server.stop();
      }
    }

    console.log("| what | time |\n|---|---|");
    for (const [what, time] of results) console.log(`| ${what} | ${time} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await runImportBench();
