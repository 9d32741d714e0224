/**
 * Health, readiness and metrics read the SQLite file directly, so an app on PostgreSQL had
 * no /healthz at all. They now go through the Store (a ping, its storage health, its totals)
 * and answer the same on both backends; on PostgreSQL an out-of-space error (SQLSTATE class
 * 53, here raised by a trigger exactly as a full disk raises it) is a 507 storage_full that
 * changes nothing, /healthz and /readyz say so (503), and both recover with the next write
 * that commits. A database that does not answer makes them 503 within seconds, not a hang.
 */
import { SQL } from "bun";
import { describe, expect, test } from "bun:test";
import { createApp } from "../../../src/app";
import { defaultServerConfig } from "../../../src/config";
import { createMemoryLogger } from "../../../src/logger";
import { createPgStore } from "../../../src/store/pg/store";
import { freshPgDatabase, usePgCluster } from "../../helpers/pg";
import { createTenantIn } from "../../helpers/tenant";
import { BACKENDS, openApp } from "./backends";

usePgCluster();

describe.each(BACKENDS)("health and metrics on $name", (backend) => {
  test("/healthz and /readyz answer ok with the version; /metrics counts the stored rows", async () => {
    const t = await openApp(backend, { metrics: true });
    try {
      const tenant = await t.newTenant();
      for (const path of ["/healthz", "/readyz"]) {
        const r = await t.app.handle(new Request(`http://localhost${path}`));
        expect([path, r.status, await r.json()]).toEqual([path, 200, { status: "ok", version: expect.any(String), db: "ok" }]);
      }
      await t.as(tenant).post("/sections", { name: "Lab" });
      await Bun.sleep(5); // request metrics are recorded after the response is handed over
      // PostgreSQL's counts are its live-row statistics, published when a transaction ends.
      let text = "";
      for (let i = 0; i < 50 && !text.includes("ipcraft_organizations 1"); i++) {
        if (i > 0) await Bun.sleep(100);
        text = await (await t.app.handle(new Request("http://localhost/metrics"))).text();
      }
      expect(text).toContain("ipcraft_organizations 1");
      expect(text).toContain("ipcraft_subnets 0");
      expect(text).toContain("ipcraft_addresses 0");
      expect(text).toContain('ipcraft_http_requests_total{method="GET",route="/readyz",status="200"} 1');
    } finally {
      await t.close();
    }
  });
});

describe("health on PostgreSQL", () => {
  test("out of space (class 53): 507 storage_full, nothing written, health 503 naming it; recovers with the next commit", async () => {
    const db = await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql, { where: "postgres://ipcraft:***@db/ipcraft" });
    const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    const tenant = await createTenantIn(store);
    const call = async (method: string, path: string, body?: unknown) => {
      const init: RequestInit = { method, headers: { ...tenant.bearer, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined };
      const r = await app.handle(new Request(`http://localhost${path}`, init));
      return { status: r.status, body: await r.json() };
    };
    try {
      await db.sql.unsafe(`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file "base/16384/2619": No space left on device' USING ERRCODE = '53100'; END $$`);
      await db.sql.unsafe("CREATE TRIGGER full_disk BEFORE INSERT ON sections FOR EACH ROW EXECUTE FUNCTION full_disk()");
      const refused = await call("POST", "/api/v1/sections", { name: "Lab" });
      expect(refused.status).toBe(507);
      expect(refused.body.code).toBe("storage_full");
      expect(refused.body.error).toBe(
        'the PostgreSQL database postgres://ipcraft:***@db/ipcraft is out of disk space or another resource (could not extend file "base/16384/2619": No space left on device); free space on the database server and retry (nothing was written)',
      );
      expect((await call("GET", "/api/v1/sections")).body.items).toEqual([]);
      expect(await db.sql`SELECT id FROM activity`).toHaveLength(0);
      for (const path of ["/healthz", "/readyz"]) {
        const r = await call("GET", path);
        expect(r.status).toBe(503);
        expect(r.body).toMatchObject({ status: "error", db: "error", storage: { status: "full", error: refused.body.error } });
      }
      await db.sql.unsafe("DROP TRIGGER full_disk ON sections");
      expect((await call("POST", "/api/v1/sections", { name: "Lab" })).status).toBe(201);
      expect(await call("GET", "/healthz")).toEqual({ status: 200, body: { status: "ok", version: expect.any(String), db: "ok" } });
    } finally {
      await db.drop();
    }
  });

  test("a database that does not answer: 503 from /healthz and /readyz, no hang, no stack trace", async () => {
    // A socket folder where no server listens.
    const dead = new SQL(`postgres://postgres@localhost:5432/postgres?host=/tmp/no-such-postgres-${process.pid}`, { max: 1 });
    const app = createApp({ store: createPgStore(dead), config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    try {
      for (const path of ["/healthz", "/readyz"]) {
        const r = await app.handle(new Request(`http://localhost${path}`));
        expect([path, r.status, await r.json()]).toEqual([path, 503, { status: "error", version: expect.any(String), db: "error" }]);
      }
    } finally {
      await dead.close().catch(() => undefined);
    }
  });
});
