/**
 * Subnet and address writes (the Store's IPAM facet: ipam.write units and GroupCommit's
 * allocation batches on SQLite) must reach the change feed and the webhook outbox exactly
 * like every other write, and a refused write none. Both backends and every kind of IPAM
 * change: test/store/contract/events-ipam.test.ts; two PostgreSQL replicas: pg-replicas.test.ts.
 */
import { afterEach, expect, test } from "bun:test";
import { deliveryWorker } from "../../src/features/webhooks/worker";
import { createMemoryLogger } from "../../src/logger";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

const received: { type: string; body: any }[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    received.push({ type: request.headers.get("x-ipcraft-event")!, body: await request.json() });
    return new Response(null, { status: 204 });
  },
});
afterEach(() => {
  received.length = 0;
});

test("subnet and address writes appear in the feed in order and are delivered to an address.* webhook; a refused write adds nothing", async () => {
  const { call, database, store } = testApp();
  const t = createTenant(database);
  const as = (method: string, path: string, body?: unknown) => call(method, `/api/v1${path}`, { headers: t.bearer, body });
  expect((await as("POST", "/webhooks", { url: `http://127.0.0.1:${receiver.port}/`, events: ["address.*"] })).status).toBe(201);
  const subnet = (await as("POST", "/subnets", { cidr: "10.9.0.0/24" })).body;
  const a = (await as("POST", `/subnets/${subnet.id}/addresses`, { hostname: "web-01" })).body;
  expect((await as("POST", `/subnets/${subnet.id}/addresses`, { ip: a.ip })).status).toBe(409);
  expect((await as("PATCH", `/addresses/${a.id}`, { hostname: "web-02" })).status).toBe(200);
  expect((await as("DELETE", `/addresses/${a.id}`)).status).toBe(204);

  const feed = (await as("GET", "/events")).body.items as { seq: number; type: string; target: { id: string } }[];
  expect(feed.map((e) => [e.seq, e.type])).toEqual([
    [1, "webhook.create"],
    [2, "subnet.create"],
    [3, "address.create"],
    [4, "address.update"],
    [5, "address.delete"],
  ]);
  const worker = deliveryWorker(store, createMemoryLogger(), { timeoutMs: 2000 });
  while ((await worker.runOnce()) > 0);
  // Sent concurrently: arrival order is not promised (the body's seq is); compare in seq order.
  expect(received.map((r) => [r.type, r.body.seq]).sort((x, y) => (x[1] as number) - (y[1] as number))).toEqual([
    ["address.create", 3],
    ["address.update", 4],
    ["address.delete", 5],
  ]);
  expect(received.find((r) => r.type === "address.update")!.body.changes).toEqual({ hostname: ["web-01", "web-02"] });
});
