/**
 * Two replicas on one PostgreSQL (as in pg-replicas.test.ts: two app instances, each with its
 * own Store, pool and in-memory allocators) and the change feed / webhook outbox. The
 * per-subnet allocation batches of store/pg/ipam.ts wrote their activity rows by themselves,
 * past the feed and the outbox: allocations from either replica must each produce exactly one
 * event and one delivery, however the two replicas' batches interleave.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { deliveryWorker } from "../../src/features/webhooks/worker";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { pgReplica } from "../helpers/pg-replica";
import { createTenantIn, type Tenant } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await db?.drop();
  db = undefined;
});

/** A replica: its own client and store over the shared database. */
const replica = (url: string, tenant: Tenant) => pgReplica(url, tenant, closers);

async function twoReplicas() {
  db = await freshPgDatabase({ migrated: true });
  const tenant = await createTenantIn(createPgStore(db.sql));
  return { a: replica(db.url, tenant), b: replica(db.url, tenant), sql: db.sql };
}

describe("two replicas on one PostgreSQL: change feed and webhooks", () => {
  test("concurrent allocations from both: exactly one change-feed entry and one delivery per allocated address, seq without gaps", async () => {
    const { a, b, sql } = await twoReplicas();
    const got: string[] = [];
    const receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(request): Promise<Response> {
        got.push(((await request.json()) as { target: { id: string } }).target.id);
        return new Response(null, { status: 204 });
      },
    });
    closers.push(async () => void receiver.stop(true));
    expect((await a.post("/webhooks", { url: `http://127.0.0.1:${receiver.port}/`, events: ["address.create"] })).status).toBe(201);
    const s = (await a.post("/subnets", { cidr: "10.24.0.0/22" })).body;
    expect((await b.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.24.0.1");
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).post(`/subnets/${s.id}/addresses`, i % 6 === 0 ? { count: 8 } : { hostname: `h${i}` })),
    );
    expect(answers.filter((r) => r.status !== 201)).toEqual([]);
    const ids = answers.flatMap((r) => (r.body.items ? r.body.items.map((x: any) => x.id) : [r.body.id])) as string[];
    expect(ids.length).toBe(50 + 10 * 8);

    const feed = [];
    for (let cursor = "0"; ; ) {
      const page = await a.get(`/events?after=${cursor}&limit=100`);
      feed.push(...page.body.items);
      if (page.body.items.length === 0) break;
      cursor = page.body.next_cursor;
    }
    expect(feed.map((e: any) => e.seq)).toEqual(feed.map((_: unknown, i: number) => i + 1));
    const allocated = feed.filter((e: any) => e.type === "address.create").map((e: any) => e.target.id);
    expect(allocated.sort()).toEqual([...ids].sort());
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_type = 'address.create'`;
    expect(n).toBe(ids.length);

    // Both replicas' workers deliver at once (SKIP LOCKED splits the rows): each address once.
    const workers = [a.store, b.store].map((store) => deliveryWorker(store, createMemoryLogger(), { timeoutMs: 5000 }));
    const drain = async (w: (typeof workers)[number]) => {
      while ((await w.runOnce()) > 0);
    };
    await Promise.all(workers.map(drain));
    expect(got.sort()).toEqual([...ids].sort());
  }, 60_000);
});
