/**
 * After the IPAM rewrite, subnet and address writes go through the Store's IPAM facet (on
 * SQLite GroupCommit's batches, on PostgreSQL per-subnet batches that wrote activity rows by
 * themselves): every one of their activity rows must come with its change-feed event and its
 * webhook outbox row in the same transaction, on both backends, and a refused write with none.
 */
import { describe, expect, test } from "bun:test";
import { deliveryWorker } from "../../../src/features/webhooks/worker";
import { createMemoryLogger } from "../../../src/logger";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

type Event = { id: string; seq: number; type: string; target: { id: string | null } };

const received: { type: string; id: string }[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request): Promise<Response> {
    const body = (await request.json()) as { id: string; type: string };
    received.push({ type: body.type, id: body.id });
    return new Response(null, { status: 204 });
  },
});

describe.each(BACKENDS)("subnet and address changes in the change feed and webhooks on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("create, allocate (single, given ip, bulk), patch, delete, split, child create, subnet patch and delete: one event and one delivery per activity row", async () => {
    received.length = 0;
    const t = await fresh();
    const hook = await t.api.post("/webhooks", { url: `http://127.0.0.1:${receiver.port}/`, events: ["subnet.*", "address.*"] });
    expect(hook.status).toBe(201);
    const s = (await t.api.post("/subnets", { cidr: "10.9.0.0/24" })).body;
    const one = (await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "web-01" })).body;
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { ip: "10.9.0.200" })).status).toBe(201);
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { count: 5 })).body.items.length).toBe(5);
    // Refused writes add nothing: taken address, subnet full.
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { ip: one.ip })).status).toBe(409);
    expect((await t.api.post(`/subnets/${s.id}/addresses`, { count: 1000 })).status).toBe(409);
    expect((await t.api.patch(`/addresses/${one.id}`, { hostname: "web-02" })).status).toBe(200);
    expect((await t.api.del(`/addresses/${one.id}`)).status).toBe(204);
    expect((await t.api.patch(`/subnets/${s.id}`, { name: "office" })).status).toBe(200);
    // A child that takes addresses over, a split, and deleting the parent with its records.
    expect((await t.api.post("/subnets", { cidr: "10.9.0.192/26" })).status).toBe(201);
    const other = (await t.api.post("/subnets", { cidr: "10.10.0.0/24" })).body;
    expect((await t.api.post(`/subnets/${other.id}/split`, { parts: 4 })).status).toBe(201);
    expect((await t.api.del(`/subnets/${s.id}?force=true`)).status).toBe(204);

    const feed = (await t.api.get("/events?limit=1000")).body.items as Event[];
    expect(feed.map((e) => e.seq)).toEqual(feed.map((_, i) => i + 1));
    const activity = await t.probes.activity(t.tenant.orgId);
    const key = (type: string, id: string | null) => `${type} ${id}`;
    expect(feed.map((e) => key(e.type, e.target.id)).sort()).toEqual(activity.map((a) => key(a.action, a.target_id)).sort());
    const ipam = feed.filter((e) => e.type.startsWith("subnet.") || e.type.startsWith("address."));
    expect(ipam.filter((e) => e.type === "address.create").length).toBe(7);
    expect(new Set(ipam.map((e) => e.type))).toEqual(
      new Set(["subnet.create", "subnet.update", "subnet.split", "subnet.delete", "address.create", "address.update", "address.delete"]),
    );

    // Every subnet.*/address.* event is in the outbox exactly once, and is delivered.
    const worker = deliveryWorker(t.store, createMemoryLogger(), { timeoutMs: 2000 });
    while ((await worker.runOnce()) > 0);
    expect(received.map((r) => r.id).sort()).toEqual(ipam.map((e) => e.id).sort());
  });
});
