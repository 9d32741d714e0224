/**
 * `serve` on PostgreSQL used to answer 501 for the features still on SQLite; the storage split
 * is complete, so the app over a PostgreSQL store mounts exactly the routes of the SQLite app,
 * and the last features converted (import/export, the DNS/DHCP files) answer there.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { testApp } from "../helpers/app";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase | undefined;
afterAll(() => db?.drop());

const routes = (app: { router: { history: { method: string; path: string }[] } }) =>
  app.router.history.map((r) => `${r.method} ${r.path}`).sort();

describe("the app on PostgreSQL", () => {
  test("mounts the same routes as on SQLite, and serves import/export and the DNS/DHCP files", async () => {
    db = await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql);
    const tenant = await createTenantIn(store);
    const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    expect(routes(app).length).toBeGreaterThan(50);
    expect(routes(app)).toEqual(routes(testApp().app));

    const get = async (path: string) => {
      const r = await app.handle(new Request(`http://localhost${path}`, { headers: tenant.bearer }));
      return { status: r.status, body: await r.text(), serial: r.headers.get("x-ipcraft-serial") };
    };
    // The DNS and DHCP files (test/store/pg-dns-dhcp.test.ts checks their content).
    const hosts = await get("/api/v1/export/hosts");
    expect([hosts.status, hosts.serial]).toEqual([200, "1"]);
    // Import/export (test/store/contract/import-export.test.ts has the round trips).
    expect(await get("/api/v1/export/subnets.csv")).toMatchObject({ status: 200, body: "cidr,vrf,name,description,section,vlan\r\n" });
    expect(JSON.parse((await get("/api/v1/export.json")).body)).toMatchObject({ format: "ipcraft-export", subnets: [], addresses: [] });
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/api/v1/tools/subnet?cidr=10.0.0.0/24")).status).toBe(200);
    expect(JSON.parse((await get("/api/v1/subnets")).body)).toEqual({ items: [], total: 0, next_cursor: null });
  });
});
