/**
 * `serve` on PostgreSQL used to answer 501 for the features still on SQLite; the storage split
 * is complete, so the app over a PostgreSQL store mounts exactly the routes of the SQLite app,
 * and the last features converted (import/export, the DNS/DHCP files) answer there.
 */
import { SQL } from "bun";
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

/** The app's /healthz status over a store whose pool is `pool` and whose lookups go to the test database. */
async function healthOver(pool: SQL, lookups: SQL): Promise<number> {
  const store = createPgStore(pool, { lookups });
  const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  return (await app.handle(new Request("http://localhost/healthz"))).status;
}

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

  test("/healthz: 503 when the pool cannot connect although the lookup connection answers; 200 while the pool is only busy", async () => {
    db ??= await freshPgDatabase({ migrated: true });
    // Writes go through the pool: a pool that cannot connect is an outage even if lookups work.
    const nowhere = new URL(db.url);
    nowhere.port = "1";
    const broken = new SQL(nowhere.toString(), { max: 2, connectionTimeout: 1 });
    expect(await healthOver(broken, db.sql)).toBe(503);
    await broken.close();
    // Every pool connection held by a long transaction: late, but the database is up.
    const busy = new SQL(db.url, { max: 1 });
    const holding = busy.begin((tx) => tx`SELECT pg_sleep(1.5)`);
    try {
      await Bun.sleep(100);
      const started = performance.now();
      expect(await healthOver(busy, db.sql)).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(200); // it did wait for the busy pool
    } finally {
      await holding;
      await busy.close();
    }
  });

  test("/healthz: a pool whose connections fail slowly (a server that accepts and never answers) turns 503 once its probe failed, however late", async () => {
    db ??= await freshPgDatabase({ migrated: true });
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const stalled = new SQL(`postgres://ipcraft@127.0.0.1:${silent.port}/nowhere`, { max: 1, connectionTimeout: 1 });
    const store = createPgStore(stalled, { lookups: db.sql });
    const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    const health = async () => (await app.handle(new Request("http://localhost/healthz"))).status;
    try {
      expect(await health()).toBe(200); // still connecting: busy as far as anyone can tell
      // Its connection attempt times out after 1 s: from then on the pings say so.
      let status = 200;
      const until = performance.now() + 4000;
      while (status === 200 && performance.now() < until) {
        await Bun.sleep(100);
        status = await health();
      }
      expect(status).toBe(503);
    } finally {
      silent.stop(true);
      await stalled.close().catch(() => {});
    }
  }, 10_000);
});
