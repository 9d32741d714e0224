/**
 * Export and import through a real listening server (Bun.serve's own body limit and
 * streaming), and their entries in /docs/json.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer, type RunningServer } from "../../src/server";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

describe("a real server", () => {
  test("takes a multi-megabyte CSV import, still refuses JSON over 1 MB, and streams the export back", async () => {
    const db = join(tempDir("io-server"), "ipcraft.db");
    const database = openDatabase(db);
    const who = createTenant(database);
    database.close();
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
    running.push(server);
    const base = `http://127.0.0.1:${server.port}/api/v1`;
    const csvHeaders = { ...who.bearer, "content-type": "text/csv" };

    const subnets = await fetch(`${base}/import/subnets`, { method: "POST", headers: csvHeaders, body: "cidr,name\n10.0.0.0/16,big\n" });
    expect(subnets.status).toBe(200);
    const lines = ["ip,vrf,hostname,status,owner,mac,description"];
    for (let i = 1; i <= 40_000; i++) {
      lines.push(`10.0.${i >> 8}.${i & 255},default,host-${i},reserved,platform,02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")},"rack ${i >> 6}, slot ${i & 63}"`);
    }
    const csv = `${lines.join("\r\n")}\r\n`;
    expect(csv.length).toBeGreaterThan(2 * 1024 * 1024);
    const imported = await fetch(`${base}/import/addresses`, { method: "POST", headers: csvHeaders, body: csv });
    expect(imported.status).toBe(200);
    expect(((await imported.json()) as any).created).toEqual({ addresses: 40_000 });

    const big = await fetch(`${base}/sections`, {
      method: "POST",
      headers: { ...who.bearer, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", description: "y".repeat(1024 * 1024) }),
    });
    expect(big.status).toBe(413);

    const exported = await fetch(`${base}/export/addresses.csv`, { headers: who.bearer });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(exported.headers.get("x-request-id")).toBeTruthy();
    expect(await exported.text()).toBe(csv);
  });
});

describe("/docs/json", () => {
  test("documents every export and import route", async () => {
    const { call } = testApp();
    const spec = (await call("GET", "/docs/json")).body;
    for (const path of ["/api/v1/export/subnets.csv", "/api/v1/export/addresses.csv", "/api/v1/export.json"]) {
      expect(spec.paths[path]?.get?.summary).toBeTruthy();
      expect(spec.paths[path].get.responses["401"]).toBeDefined();
    }
    for (const path of ["/api/v1/import/subnets", "/api/v1/import/addresses"]) {
      const op = spec.paths[path]?.post;
      expect(op?.summary).toBeTruthy();
      expect(op.requestBody.content["text/csv"]).toBeDefined();
      expect(op.responses["400"]).toBeDefined();
      expect(op.parameters.map((p: any) => p.name)).toContain("dry_run");
    }
  });
});
