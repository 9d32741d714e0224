import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { IpamRegistry } from "../../src/ipam/registry";
import { createMemoryLogger } from "../../src/logger";
import { createSqliteStore } from "../../src/store/sqlite/store";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

describe("IPAM in /docs/json", () => {
  test("every IPAM route is documented with request and response schemas and the IPCraft examples", async () => {
    const { call } = testApp();
    const spec = (await call("GET", "/docs/json")).body;
    const ops: [string, string][] = [
      ["/api/v1/sections", "get"], ["/api/v1/sections", "post"], ["/api/v1/sections/{id}", "get"], ["/api/v1/sections/{id}", "patch"], ["/api/v1/sections/{id}", "delete"],
      ["/api/v1/subnets", "get"], ["/api/v1/subnets", "post"], ["/api/v1/subnets/{id}", "get"], ["/api/v1/subnets/{id}", "patch"], ["/api/v1/subnets/{id}", "delete"],
      ["/api/v1/subnets/{id}/split", "post"], ["/api/v1/subnets/{id}/first-free", "get"], ["/api/v1/subnets/{id}/free", "get"],
      ["/api/v1/subnets/{id}/addresses", "get"], ["/api/v1/subnets/{id}/addresses", "post"],
      ["/api/v1/addresses", "get"], ["/api/v1/addresses/{id}", "get"], ["/api/v1/addresses/{id}", "patch"], ["/api/v1/addresses/{id}", "delete"],
    ];
    for (const [path, method] of ops) {
      const op = spec.paths[path]?.[method];
      expect(op).toBeDefined();
      expect(op.summary).toBeTruthy();
      expect(op.responses["401"]).toBeDefined();
      if (method === "post" || method === "patch") {
        // the JSON schema itself, not just an empty requestBody shell
        expect(op.requestBody?.content?.["application/json"]?.schema).toBeDefined();
        expect(Object.keys(op.requestBody.content)).toEqual(["application/json"]); // JSON only; anything else is a 415
      }
    }
    // Response schemas are converted on the first read of the document (ipam/schemas.ts
    // jsonSchemaOnDemand): they are there, whole, and the same on the next read.
    const firstFree = spec.paths["/api/v1/subnets/{id}/first-free"].get.responses["200"].content["application/json"].schema;
    expect(firstFree.properties.ip).toBeDefined();
    expect((await call("GET", "/docs/json")).body).toEqual(spec);
    const text = JSON.stringify(spec);
    expect(text).toContain('"hostname":"web-server-03"');
    expect(text).toContain('"owner":"ops-team"');
    expect(text).toContain('{"ip":"10.0.1.51"}');
  });
});

describe("writes by another process", () => {
  test("the server's memory follows rows another connection (the CLI) committed", async () => {
    const file = join(tempDir("ipam-external"), "x.db");
    const database = openDatabase(file);
    const app = createApp({ database, config: defaultServerConfig({ db: file }), logger: createMemoryLogger() });
    const t = createTenant(database);
    const get = async (path: string) => (await app.handle(new Request(`http://localhost/api/v1${path}`, { headers: t.bearer }))).json() as any;
    const post = async (path: string, body: unknown) =>
      (await app.handle(new Request(`http://localhost/api/v1${path}`, { method: "POST", headers: { ...t.bearer, "content-type": "application/json" }, body: JSON.stringify(body) }))).json() as any;
    const s = await post("/subnets", { cidr: "10.60.0.0/24" });
    expect((await get(`/subnets/${s.id}/first-free`)).ip).toBe("10.60.0.1");
    // Written the way the CLI writes: an IPAM write of a Store over its own connection and
    // registry, which bumps the organization's ipam_versions row in the same transaction.
    const other = openDatabase(file);
    const cli = createSqliteStore(other, { registry: IpamRegistry.load(other, t.orgId) });
    await cli.ipam.write(t.orgId, async () =>
      other.sqlite.run(
        "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', '10.60.0.1', ?, 'x', 'x')",
        [crypto.randomUUID(), t.orgId, s.id, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 60, 0, 1])],
      ),
    );
    other.close();
    expect((await get(`/subnets/${s.id}/first-free`)).ip).toBe("10.60.0.2");
    expect((await post(`/subnets/${s.id}/addresses`, {})).ip).toBe("10.60.0.2");
    database.close();
  });
});
