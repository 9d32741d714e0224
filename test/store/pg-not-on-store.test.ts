/**
 * `serve` on PostgreSQL used to refuse to start at all while some features still needed
 * SQLite; now it serves everything on the store and the rest answer 501 `not_on_postgres`
 * with a sentence naming the feature (never a bare 404 that looks like a wrong URL).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase | undefined;
afterAll(() => db?.drop());

describe("the app on PostgreSQL", () => {
  test("features still on SQLite answer 501 naming themselves; health, the network tools and the DNS/DHCP files work", async () => {
    db = await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql);
    const tenant = await createTenantIn(store);
    const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    const get = async (path: string) => {
      const r = await app.handle(new Request(`http://localhost${path}`, { headers: tenant.bearer }));
      return { status: r.status, body: await r.json() };
    };
    expect(await get("/api/v1/export/subnets.csv")).toEqual({
      status: 501,
      body: {
        error: "import/export does not run on PostgreSQL yet; it works on a SQLite database (--db ./ipcraft.db)",
        code: "not_on_postgres",
        details: { feature: "import/export" },
      },
    });
    // The DNS and DHCP files are on the store (test/store/pg-dns-dhcp.test.ts): served, not refused.
    const hosts = await app.handle(new Request("http://localhost/api/v1/export/hosts", { headers: tenant.bearer }));
    expect(hosts.status).toBe(200);
    expect(hosts.headers.get("x-ipcraft-serial")).toBe("1");
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/api/v1/tools/subnet?cidr=10.0.0.0/24")).status).toBe(200);
    expect((await get("/api/v1/subnets")).body).toEqual({ items: [], total: 0, next_cursor: null });
  });
});
