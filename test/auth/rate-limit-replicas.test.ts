/**
 * An organization's rate limit lived in each process's memory, so N replicas on one
 * PostgreSQL let an organization through at N times its rate. Two app instances, each on its
 * own Store and connection pool over one database (two replicas), now share the count: with
 * requests spread over both, concurrently and over many windows, the organization gets its
 * configured rate (within 10 %), never double. The counter's contract (cap, windows, old
 * windows dropped) holds on both backends.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn } from "../helpers/tenant";
import { BACKENDS } from "../store/contract/backends";
import { SharedWindows } from "../../src/auth/shared-rate-limit";

usePgCluster();

// The first test swaps Date.now for a fake clock; a timed-out test never reaches its finally, and
// a fake clock left behind would freeze every later test file in this process: restore it here too.
const systemNow = Date.now;
afterEach(() => {
  Date.now = systemNow;
});

const RATE = 10; // requests a second (the server's --rate-limit; the tenant's plan has none)

describe("rate limit across two replicas on PostgreSQL", () => {
  test("requests spread over both replicas get the configured rate, not twice it", async () => {
    const db = await freshPgDatabase({ migrated: true });
    let now = Date.UTC(2026, 0, 1); // a fake clock both replicas read (their clocks agree, as NTP keeps them)
    const clock = () => now;
    // createApp's rate-limit plugin reads Date.now (captured when the app is built): drive it
    // through the fake clock instead.
    const realNow = Date.now;
    Date.now = clock;
    const replicas = [new SQL(db.url, { max: 4 }), new SQL(db.url, { max: 4 })].map((sql) => {
      const store = createPgStore(sql);
      const app = createApp({ store, config: defaultServerConfig({ rateLimit: RATE }), logger: createMemoryLogger() });
      return { sql, store, app };
    });
    try {
      const tenant = await createTenantIn(replicas[0]!.store);
      const get = async (i: number) => {
        const r = await replicas[i % 2]!.app.handle(new Request("http://localhost/api/v1/sections", { headers: tenant.bearer }));
        await r.arrayBuffer();
        return r;
      };

      // One window, 60 concurrent requests over both replicas: exactly the bucket's size pass.
      const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => get(i)));
      const statuses = burst.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(2 * RATE);
      expect(statuses.filter((s) => s === 429)).toHaveLength(60 - 2 * RATE);
      const refused = burst.find((r) => r.status === 429)!;
      expect(refused.headers.get("ratelimit-limit")).toBe(String(2 * RATE));
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

      // Steady load at twice the rate for 20 (fake) seconds, alternating replicas.
      now += 2_000;
      let allowed = 0;
      const seconds = 20;
      for (let step = 0; step < seconds * RATE * 2; step++) {
        if ((await get(step)).status === 200) allowed++;
        now += 1000 / (RATE * 2);
      }
      const measured = allowed / seconds;
      expect(Math.abs(measured - RATE) / RATE).toBeLessThanOrEqual(0.1);

      // Old windows are dropped: at most two rows per organization.
      const [{ n }] = await db.sql`SELECT count(*)::int AS n FROM rate_limit_windows`;
      expect(n).toBeLessThanOrEqual(2);
    } finally {
      Date.now = realNow;
      for (const r of replicas) await r.sql.close();
      await db.drop();
    }
  });
});

describe.each(BACKENDS)("rate-limit windows on $name", (backend) => {
  test("grants up to the cap per window, whatever is asked, refuses past it, starts again in the next window", async () => {
    const { store, close } = await backend.open();
    try {
      const tenant = await createTenantIn(store);
      const other = await createTenantIn(store);
      const take = (orgId: string, window: number, want: number) => store.write({ orgId }, (q) => q.rateLimits.take(orgId, window, 5, want));
      expect(await take(tenant.orgId, 100, 2)).toEqual({ granted: 2, hits: 2 });
      expect(await take(tenant.orgId, 100, 1)).toEqual({ granted: 1, hits: 3 });
      expect(await take(tenant.orgId, 100, 4)).toEqual({ granted: 2, hits: 5 });
      expect(await take(tenant.orgId, 100, 1)).toEqual({ granted: 0, hits: 5 });
      expect(await take(other.orgId, 100, 9)).toEqual({ granted: 5, hits: 5 });
      expect(await take(tenant.orgId, 101, 1)).toEqual({ granted: 1, hits: 1 });
    } finally {
      await close();
    }
  });
});

describe("leases (shared-rate-limit.ts, the database replaced by a counter)", () => {
  test("overload over 3 replicas at 200/s: the rate within 10 %, one database call per several requests", async () => {
    const hits = new Map<number, number>();
    let calls = 0;
    const counter = async (_org: string, window: number, cap: number, want: number) => {
      calls++;
      const before = hits.get(window) ?? 0;
      const granted = Math.max(0, Math.min(want, cap - before));
      hits.set(window, before + granted);
      return { granted, hits: before + granted };
    };
    const replicas = [new SharedWindows(counter), new SharedWindows(counter), new SharedWindows(counter)];
    let now = 0;
    const rate = 200;
    let allowed = 0;
    let requests = 0;
    for (; now < 20_000; now += 1000 / (rate * 3)) {
      const verdict = await replicas[requests++ % 3]!.take("org", rate, () => now);
      if (verdict!.allowed) allowed++;
    }
    expect(Math.abs(allowed / 20 - rate) / rate).toBeLessThanOrEqual(0.1);
    expect(allowed).toBeLessThanOrEqual(rate * 20);
    expect(calls).toBeLessThan(allowed / 4);
  });
});
