/**
 * Address expiry (issue 13) on both backends, through the real app, with the IPAM clock driven
 * by the test (`store.ipam.memory.clock`), never slept: `expires_at` / `hold_seconds` on create
 * and PATCH, free at the deadline to the millisecond for reads and first-free before any
 * sweep, re-allocation of an unswept address in one transaction, the sweep (activity
 * address.expire, actor system), PATCH `expires_at: null` keeps it, a new store (a restart or
 * another replica) loads the deadlines.
 */
import { describe, expect, test } from "bun:test";
import { SWEEP_BATCH, sweepExpired } from "../../../src/features/addresses/expiry";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

const T0 = Date.parse("2031-05-01T12:00:00.000Z");

describe.each(BACKENDS)("address expiry on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  async function setup() {
    const t = await fresh();
    let now = T0;
    t.store.ipam.memory.clock = () => now;
    const s = (await t.api.post("/subnets", { cidr: "10.50.0.0/29" })).body;
    return { ...t, s, at: (ms: number) => (now = ms) };
  }

  test("hold_seconds: the address is free exactly at its deadline, for reads and first-free, before any sweep", async () => {
    const t = await setup();
    const held = await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "deploy-42", hold_seconds: 60 });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ ip: "10.50.0.1", expires_at: "2031-05-01T12:01:00.000Z" });
    await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "kept" });
    t.at(T0 + 59_999);
    expect((await t.api.get(`/subnets/${t.s.id}/first-free`)).body.ip).toBe("10.50.0.3");
    expect((await t.api.get(`/addresses/${held.body.id}`)).status).toBe(200);
    expect((await t.api.get(`/subnets/${t.s.id}`)).body.utilization.used).toBe("2");
    t.at(T0 + 60_000);
    expect((await t.api.get(`/subnets/${t.s.id}/first-free`)).body.ip).toBe("10.50.0.1");
    expect((await t.api.get(`/addresses/${held.body.id}`)).status).toBe(404);
    expect((await t.api.get(`/subnets/${t.s.id}/addresses`)).body.items.map((a: any) => a.hostname)).toEqual(["kept"]);
    expect((await t.api.get("/addresses?q=deploy")).body.total).toBe(0);
    expect((await t.api.get(`/subnets/${t.s.id}`)).body.utilization.used).toBe("1");
    expect((await t.api.patch(`/addresses/${held.body.id}`, { hostname: "late" })).status).toBe(404);
  });

  test("reuse never hands back an expired record: the hostname's held address lapses, the next reuse makes a new one", async () => {
    const t = await setup();
    const held = await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "ci-runner-17", hold_seconds: 60, reuse: "hostname" });
    expect(held.status).toBe(201);
    const again = await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "ci-runner-17", reuse: "hostname" });
    expect([again.status, again.body.id]).toEqual([200, held.body.id]);
    t.at(T0 + 60_000);
    const fresh = await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "ci-runner-17", reuse: "hostname" });
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(held.body.id);
    expect(fresh.body).toMatchObject({ ip: "10.50.0.1", expires_at: null });
  });

  test("an unswept expired address is allocated again: its old row goes in the same transaction (address.expire, system)", async () => {
    const t = await setup();
    const held = (await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "old", expires_at: "2031-05-01T12:00:30Z" })).body;
    expect(held.expires_at).toBe("2031-05-01T12:00:30.000Z");
    t.at(T0 + 30_000);
    const again = await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "new" });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ ip: "10.50.0.1", hostname: "new", expires_at: null });
    const rows = (await t.api.get("/addresses?ip=10.50.0.1")).body.items;
    expect(rows.map((a: any) => a.hostname)).toEqual(["new"]);
    const log = (await t.probes.activity(t.tenant.orgId)).filter((a) => a.action.startsWith("address."));
    // (ordered by `at`: the expire entry carries the test clock's time, the creates the wall clock's)
    expect(log.map((a) => [a.action, a.target_id]).sort()).toEqual([
      ["address.create", again.body.id],
      ["address.create", held.id],
      ["address.expire", held.id],
    ].sort());
    expect(log.find((a) => a.action === "address.expire")).toMatchObject({ actor_type: "system", actor_id: null, target_label: "10.50.0.1" });
    expect(await sweepExpired(t.store)).toBe(0); // nothing left to sweep
  });

  test("the sweep deletes expired rows with address.expire; PATCH sets, moves and clears (null keeps it)", async () => {
    const t = await setup();
    const a = (await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "a" })).body;
    const b = (await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "b", hold_seconds: 10 })).body;
    const c = (await t.api.post(`/subnets/${t.s.id}/addresses`, { hostname: "c", hold_seconds: 10 })).body;
    const set = await t.api.patch(`/addresses/${a.id}`, { hold_seconds: 20 });
    expect(set.body.expires_at).toBe("2031-05-01T12:00:20.000Z");
    expect((await t.api.patch(`/addresses/${b.id}`, { expires_at: null })).body.expires_at).toBeNull();
    expect((await t.api.patch(`/addresses/${c.id}`, { expires_at: "2031-05-01T12:00:40Z" })).body.expires_at).toBe("2031-05-01T12:00:40.000Z");
    t.at(T0 + 25_000);
    expect(await sweepExpired(t.store)).toBe(1); // a (20 s); b kept; c moved to 40 s
    expect((await t.api.get(`/subnets/${t.s.id}/addresses`)).body.items.map((x: any) => x.hostname)).toEqual(["b", "c"]);
    expect((await t.api.get(`/subnets/${t.s.id}/first-free`)).body.ip).toBe("10.50.0.1");
    t.at(T0 + 3_600_000);
    expect(await sweepExpired(t.store)).toBe(1);
    expect((await t.api.get(`/subnets/${t.s.id}/addresses`)).body.items.map((x: any) => x.hostname)).toEqual(["b"]);
    const expired = (await t.probes.activity(t.tenant.orgId)).filter((x) => x.action === "address.expire");
    expect(expired.map((x) => [x.actor_type, x.target_id, x.target_label])).toEqual([
      ["system", a.id, "10.50.0.1"],
      ["system", c.id, "10.50.0.3"],
    ]);
    expect((await t.api.get(`/subnets/${t.s.id}`)).body.utilization.used).toBe("1");
  });

  test("the sweep's entries reach the change feed and the webhooks: one event each, seqs after the writes before, one delivery each", async () => {
    const t = await setup();
    const hook = (await t.api.post("/webhooks", { url: "http://hooks.lan/x", events: ["address.expire"] })).body;
    await t.api.post("/webhooks", { url: "http://hooks.lan/y", events: ["subnet.*"] }); // wants none of them
    const held = (await t.api.post(`/subnets/${t.s.id}/addresses`, { count: 3, hold_seconds: 10 })).body.items;
    const head = Number((await t.api.get("/events")).body.next_cursor);
    t.at(T0 + 10_000);
    expect(await sweepExpired(t.store)).toBe(3);
    const after = (await t.api.get(`/events?after=${head}`)).body.items;
    // Which row the database hands back first is its business; the seqs are consecutive.
    expect(after.map((e: any) => [e.seq, e.type, e.actor.type])).toEqual([1, 2, 3].map((k) => [head + k, "address.expire", "system"]));
    expect(after.map((e: any) => `${e.target.id} ${e.target.label}`).sort()).toEqual(held.map((a: any) => `${a.id} ${a.ip}`).sort());
    const deliveries = (await t.api.get(`/webhooks/${hook.id}/deliveries`)).body.items;
    expect(deliveries.map((d: any) => d.event_id).sort()).toEqual(after.map((e: any) => e.id).sort());
    await t.api.post("/sections", { name: "next" }); // the feed goes on after the sweep's seqs
    expect((await t.api.get(`/events?after=${head + 3}`)).body.items.map((e: any) => [e.seq, e.type])).toEqual([[head + 4, "section.create"]]);
  });

  test("a deadline in the past, or both fields, is 400; nothing is written", async () => {
    const t = await setup();
    const post = (body: unknown) => t.api.post(`/subnets/${t.s.id}/addresses`, body);
    expect((await post({ expires_at: "2031-05-01T11:59:59Z" })).body).toMatchObject({ code: "validation_failed", details: { field: "expires_at" } });
    expect((await post({ expires_at: "2031-05-01T13:00:00Z", hold_seconds: 5 })).body).toMatchObject({ code: "validation_failed", details: { field: "hold_seconds" } });
    expect((await post({ expires_at: "tomorrow" })).status).toBe(400);
    expect((await post({ hold_seconds: 0 })).status).toBe(400);
    expect((await t.api.get(`/subnets/${t.s.id}/addresses`)).body.total).toBe(0);
  });

  test("a deadline of a record deleted with its subnet never frees a later record of that address", async () => {
    const t = await setup();
    await t.api.post(`/subnets/${t.s.id}/addresses`, { ip: "10.50.0.3", hold_seconds: 30 });
    expect((await t.api.del(`/subnets/${t.s.id}?force=true`)).status).toBe(204);
    const again = (await t.api.post("/subnets", { cidr: "10.50.0.0/29" })).body;
    expect((await t.api.post(`/subnets/${again.id}/addresses`, { ip: "10.50.0.3", hostname: "permanent" })).status).toBe(201);
    t.at(T0 + 31_000);
    expect((await t.api.get(`/subnets/${again.id}`)).body.utilization.used).toBe("1");
    expect((await t.api.get(`/subnets/${again.id}/free`)).body.ranges.map((r: any) => r.start + "-" + r.end)).toEqual(["10.50.0.1-10.50.0.2", "10.50.0.4-10.50.0.6"]);
    expect(await sweepExpired(t.store)).toBe(0);
  });

  test("a reserved range can be held too; the sweep takes more than one batch of rows", async () => {
    const t = await setup();
    const big = (await t.api.post("/subnets", { cidr: "10.60.0.0/16" })).body;
    const held = await t.api.post(`/subnets/${big.id}/addresses`, { start: "10.60.0.1", end: "10.60.19.138", status: "dhcp", hold_seconds: 5 });
    expect(held.body.items).toHaveLength(SWEEP_BATCH + 2);
    t.at(T0 + 5_000);
    expect((await t.api.get(`/subnets/${big.id}`)).body.utilization.used).toBe("0");
    expect(await sweepExpired(t.store)).toBe(SWEEP_BATCH + 2);
    expect((await t.probes.activity(t.tenant.orgId)).filter((a) => a.action === "address.expire")).toHaveLength(SWEEP_BATCH + 2);
    expect((await t.api.post(`/subnets/${big.id}/addresses`, {})).body.ip).toBe("10.60.0.1");
  });

  test("deadlines survive a restart: a new store over the same database loads them", async () => {
    const t = await setup();
    await t.api.post(`/subnets/${t.s.id}/addresses`, { count: 3, hold_seconds: 100 });
    await t.api.post(`/subnets/${t.s.id}/addresses`, { ip: "10.50.0.2", hold_seconds: 0 + 1 }).then((r) => expect(r.status).toBe(409));
    const other = await t.secondStore();
    try {
      other.store.ipam.memory.clock = () => T0 + 99_999;
      const read = (store: typeof other.store) =>
        store.ipam.read(t.tenant.orgId, async () => store.ipam.memory.subnet(t.tenant.orgId, t.s.id)!.allocator.firstFree(), [t.s.id]);
      expect(await read(other.store)).toBe(0x0a320004n); // 10.50.0.4: the three are still held
      other.store.ipam.memory.clock = () => T0 + 100_000;
      expect(await read(other.store)).toBe(0x0a320001n);
      expect(await sweepExpired(other.store)).toBe(3);
    } finally {
      await other.close();
    }
  });
});

describe.each(BACKENDS.filter((b) => b.name === "postgres"))("address expiry across replicas on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("another replica follows deadlines from the change log, and re-allocation of an expired address", async () => {
    const t = await fresh();
    let now = T0;
    t.store.ipam.memory.clock = () => now;
    const s = (await t.api.post("/subnets", { cidr: "10.51.0.0/29" })).body;
    const other = await t.secondStore();
    try {
      const b = other.store;
      let bNow = T0;
      b.ipam.memory.clock = () => bNow;
      const firstFree = (store: typeof b) =>
        store.ipam.read(t.tenant.orgId, async () => store.ipam.memory.subnet(t.tenant.orgId, s.id)!.allocator.firstFree(), [s.id]);
      expect(await firstFree(b)).toBe(0x0a330001n); // B has loaded the organization
      const held = (await t.api.post(`/subnets/${s.id}/addresses`, { hostname: "held", hold_seconds: 60 })).body;
      expect(await firstFree(b)).toBe(0x0a330002n); // caught up: taken, with its deadline
      bNow = T0 + 60_000;
      expect(await firstFree(b)).toBe(0x0a330001n); // free on B at the deadline
      // B allocates it again: the expired row goes in B's transaction; A follows (no deadline any more).
      const { addressService } = await import("../../../src/features/addresses/service");
      const { createMetrics } = await import("../../../src/http/metrics");
      const principal = { orgId: t.tenant.orgId, scope: "write", via: "api_key", userId: null, email: "", apiKey: { id: "k", name: "b", prefix: "x" } } as any;
      const again = await addressService({ store: b, metrics: createMetrics() }).create(principal, s.id, { hostname: "again" } as any);
      expect((again.value as any).ip).toBe("10.51.0.1");
      now = T0 + 120_000;
      expect((await t.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.51.0.2");
      expect((await t.api.get(`/addresses/${held.id}`)).status).toBe(404);
      expect((await t.api.get("/addresses?ip=10.51.0.1")).body.items.map((a: any) => a.hostname)).toEqual(["again"]);
      expect(await sweepExpired(t.store)).toBe(0);
    } finally {
      await other.close();
    }
  });
});
