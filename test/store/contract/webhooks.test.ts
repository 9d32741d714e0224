/**
 * Webhooks (issue 14) on both backends, through the real app and a real receiver (Bun.serve):
 * management rules (owners and admins, secret shown once, validation, tenant isolation), the
 * outbox written in the write's own transaction (a rolled-back write sends nothing), signed
 * deliveries, retries with backoff then success, giving up after 24 h, and two workers (two
 * replicas) never delivering one event twice.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createMemoryLogger } from "../../../src/logger";
import { deliveryWorker, type WorkerOptions } from "../../../src/features/webhooks/worker";
import type { Store } from "../../../src/store/store";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

interface Received {
  headers: Headers;
  body: string;
}

/** A local receiver; `answer` decides each status (default 200). */
function receiver(answer: (n: number, body: string) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = await request.text();
      received.push({ headers: request.headers, body });
      return new Response("ok", { status: await answer(received.length, body) });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, received, stop: () => server.stop(true) };
}

let receivers: ReturnType<typeof receiver>[] = [];
afterEach(() => {
  for (const r of receivers) r.stop();
  receivers = [];
});
function newReceiver(answer?: Parameters<typeof receiver>[0]) {
  const r = receiver(answer);
  receivers.push(r);
  return r;
}

/** What a receiver does (README "Webhooks"): HMAC-SHA256 over "<t>.<body>", constant-time compare. */
function verify(secret: string, header: string | null, body: string): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((kv) => kv.split("=", 2) as [string, string]));
  const expected = createHmac("sha256", secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
}

function worker(store: Store, options: WorkerOptions = {}) {
  return deliveryWorker(store, createMemoryLogger(), { timeoutMs: 2000, ...options });
}

describe.each(BACKENDS)("webhooks on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("create shows the secret once (generated when absent); list and get never show it; patch and delete; each change is in the activity log", async () => {
    const t = await fresh();
    const created = await t.api.post("/webhooks", { url: "http://192.168.1.20:9000/ipcraft", events: ["address.*", "subnet.create"] });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.body).toEqual({
      id: expect.any(String),
      url: "http://192.168.1.20:9000/ipcraft",
      events: ["address.*", "subnet.create"],
      active: true,
      description: "",
      created_at: expect.any(String),
      updated_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[0-9A-Za-z]{40}$/),
    });
    const { id, secret } = created.body;
    const own = await t.api.post("/webhooks", { url: "https://hooks.example.org/x", events: ["*"], secret: "my-own-secret-0123456789" });
    expect(own.body.secret).toBe("my-own-secret-0123456789");

    const list = await t.api.get("/webhooks");
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    // Creation order; two made in the same millisecond are ordered by id (the keyset).
    const byCreation = [created.body, own.body].sort((a, b) => a.created_at.localeCompare(b.created_at) || (a.id < b.id ? -1 : 1));
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual(byCreation.map((w) => w.id));
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toContain("my-own-secret");
    const one = await t.api.get(`/webhooks/${id}`);
    expect(one.body).not.toHaveProperty("secret");

    const paused = await t.api.patch(`/webhooks/${id}`, { active: false, events: ["*"] });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ active: false, events: ["*"] });
    expect(paused.body).not.toHaveProperty("secret");
    const rotated = await t.api.patch(`/webhooks/${id}`, { rotate_secret: true });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);

    expect((await t.api.del(`/webhooks/${own.body.id}`)).status).toBe(204);
    expect((await t.api.get(`/webhooks/${own.body.id}`)).status).toBe(404);
    const actions = (await t.probes.activity(t.tenant.orgId)).map((a) => a.action);
    expect(actions).toEqual(["webhook.create", "webhook.create", "webhook.update", "webhook.update", "webhook.delete"]);
    const all = JSON.stringify(await t.probes.activity(t.tenant.orgId));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(rotated.body.secret);
    expect(all).not.toContain("my-own-secret");
  });

  test("bad input is a 400 naming the field, and changes nothing", async () => {
    const t = await fresh();
    const bad: [unknown, string][] = [
      [{ url: "ftp://files.lan/x", events: ["*"] }, "url"],
      [{ url: "not a url", events: ["*"] }, "url"],
      [{ url: "http://user:pw@hooks.lan/x", events: ["*"] }, "url"],
      [{ url: "http://hooks.lan/x", events: [] }, "events"],
      [{ url: "http://hooks.lan/x", events: ["adress.*"] }, "events"],
      [{ url: "http://hooks.lan/x", events: ["address"] }, "events"],
      [{ url: "http://hooks.lan/x", events: ["*"], secret: "short" }, "secret"],
      [{ url: "http://hooks.lan/x", events: ["*"], colour: "red" }, ""],
      [{ events: ["*"] }, "url"],
      // What URL parsers quietly clean up would be stored as given: refused instead.
      [{ url: "http://hooks.lan/\u0000x", events: ["*"] }, "url"],
      [{ url: "http://hooks.lan/a\nb", events: ["*"] }, "url"],
      [{ url: "\thttp://hooks.lan/x ", events: ["*"] }, "url"],
      [{ url: "http://hooks.lan/\u001b[31m", events: ["*"] }, "url"],
      [{ url: "http://hooks.lan/\ud800", events: ["*"] }, "url"],
    ];
    for (const [body, field] of bad) {
      const r = await t.api.post("/webhooks", body);
      expect({ body, status: r.status, code: r.body.code }).toEqual({ body, status: 400, code: expect.any(String) });
      expect(JSON.stringify(r.body)).toContain(field);
    }
    expect((await t.api.get("/webhooks")).body.total).toBe(0);
    const hook = (await t.api.post("/webhooks", { url: "http://hooks.lan/x", events: ["*"] })).body;
    expect((await t.api.patch(`/webhooks/${hook.id}`, { url: "gopher://x" })).status).toBe(400);
    expect((await t.api.patch(`/webhooks/${hook.id}`, { url: "http://hooks.lan/y\r\n" })).status).toBe(400);
    // Either a secret of one's own or a generated one: both at once is ambiguous.
    const both = await t.api.patch(`/webhooks/${hook.id}`, { rotate_secret: true, secret: "abcdefghijklmnopqrstuv" });
    expect({ status: both.status, text: JSON.stringify(both.body).includes("rotate_secret") }).toEqual({ status: 400, text: true });
    expect((await t.api.get(`/webhooks/${hook.id}`)).body.url).toBe("http://hooks.lan/x");
    expect((await t.api.get("/events?after=abc")).status).toBe(400);
    expect((await t.api.get("/events?wait=999")).status).toBe(400);
  });

  test("owners and admins only (403 for members and viewers, read too); another organization's webhook is 404 everywhere", async () => {
    const t = await fresh();
    const hook = (await t.api.post("/webhooks", { url: "http://hooks.lan/x", events: ["*"] })).body;
    const admin = await t.newMember(t.tenant.orgId, "admin");
    expect((await t.call("GET", `/webhooks/${hook.id}`, admin.browser)).status).toBe(200);
    for (const role of ["member", "viewer"]) {
      const m = await t.newMember(t.tenant.orgId, role);
      expect((await t.call("GET", "/webhooks", m.browser)).status).toBe(403);
      expect((await t.call("POST", "/webhooks", m.browser, { url: "http://hooks.lan/y", events: ["*"] })).status).toBe(403);
      expect((await t.call("DELETE", `/webhooks/${hook.id}`, m.browser)).status).toBe(403);
    }
    const other = await t.newTenant();
    const them = t.as(other);
    for (const r of [
      await them.get(`/webhooks/${hook.id}`),
      await them.patch(`/webhooks/${hook.id}`, { active: false }),
      await them.del(`/webhooks/${hook.id}`),
      await them.post(`/webhooks/${hook.id}/ping`, {}),
      await them.get(`/webhooks/${hook.id}/deliveries`),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
    }
    expect((await them.get("/webhooks")).body.items).toEqual([]);
    expect((await t.api.get(`/webhooks/${hook.id}`)).body.active).toBe(true);
  });

  test("a committed change is delivered as a signed JSON POST the receiver can verify, and logged", async () => {
    const t = await fresh();
    const r = newReceiver();
    const hook = (await t.api.post("/webhooks", { url: r.url, events: ["section.*"] })).body;
    const section = (await t.api.post("/sections", { name: "Lab" })).body;
    await t.call("PATCH", "/organization", t.tenant.browser, { name: "Not wanted" }); // organization.* is not subscribed
    expect(await worker(t.store).runOnce()).toBe(1);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got!.headers.get("content-type")).toBe("application/json");
    expect(got!.headers.get("x-ipcraft-event")).toBe("section.create");
    expect(verify(hook.secret, got!.headers.get("x-ipcraft-signature"), got!.body)).toBe(true);
    expect(verify(hook.secret, got!.headers.get("x-ipcraft-signature"), got!.body.replace("Lab", "Lax"))).toBe(false);
    const event = JSON.parse(got!.body);
    expect(event).toEqual({
      id: got!.headers.get("x-ipcraft-event-id"),
      seq: expect.any(Number),
      type: "section.create",
      at: expect.any(String),
      organization_id: t.tenant.orgId,
      actor: { type: "api_key", id: t.tenant.keyId, label: expect.any(String) },
      target: { type: "section", id: section.id, label: "Lab" },
      changes: expect.any(Object),
    });
    // The feed carries the very same event.
    const feed = await t.api.get("/events");
    expect(feed.body.items.find((e: { id: string }) => e.id === event.id)).toEqual(event);
    const log = await t.api.get(`/webhooks/${hook.id}/deliveries`);
    expect(log.body.items).toEqual([
      expect.objectContaining({ event_id: event.id, event_type: "section.create", status: "succeeded", attempts: 1, last_status: 200, last_error: null }),
    ]);
    expect(await worker(t.store).runOnce()).toBe(0); // nothing sent twice
  });

  test("a receiver answering 500 gets the delivery again after the backoff, then it succeeds; after 24 h of failures it is marked failed", async () => {
    const t = await fresh();
    const flaky = newReceiver((n) => (n === 1 ? 500 : 200));
    const dead = newReceiver(() => 503);
    const a = (await t.api.post("/webhooks", { url: flaky.url, events: ["section.create"] })).body;
    const b = (await t.api.post("/webhooks", { url: dead.url, events: ["section.create"] })).body;
    await t.api.post("/sections", { name: "Lab" });
    const w = worker(t.store, { baseDelayMs: 200 });
    expect(await w.runOnce()).toBe(2);
    const pending = (await t.api.get(`/webhooks/${a.id}/deliveries`)).body.items[0];
    expect(pending).toMatchObject({ status: "pending", attempts: 1, last_status: 500, last_error: "receiver answered 500" });
    expect(Date.parse(pending.next_attempt_at)).toBeGreaterThan(Date.parse(pending.last_attempt_at));
    expect(await w.runOnce()).toBe(0); // not before the backoff
    await Bun.sleep(250);
    expect(await w.runOnce()).toBe(2);
    expect(flaky.received).toHaveLength(2);
    expect(flaky.received[0]!.body).toBe(flaky.received[1]!.body); // the same event, same id
    expect((await t.api.get(`/webhooks/${a.id}/deliveries`)).body.items[0]).toMatchObject({ status: "succeeded", attempts: 2, last_status: 200 });
    // The dead receiver, a day later: given up.
    const later = worker(t.store, { baseDelayMs: 200, now: () => Date.now() + 25 * 3600_000 });
    expect(await later.runOnce()).toBe(1);
    const failed = (await t.api.get(`/webhooks/${b.id}/deliveries?status=failed`)).body;
    expect(failed.items).toEqual([expect.objectContaining({ status: "failed", attempts: 3, last_status: 503, next_attempt_at: null, completed_at: expect.any(String) })]);
    expect(await later.runOnce()).toBe(0);
  });

  test("a write that rolls back sends nothing and leaves no event in the feed", async () => {
    const t = await fresh();
    const r = newReceiver();
    await t.api.post("/webhooks", { url: r.url, events: ["subnet.*"] });
    const before = (await t.api.get("/events")).body;
    const boom = t.store.write({ orgId: t.tenant.orgId }, async (q) => {
      await q.activity.record({ orgId: t.tenant.orgId, actor: { type: "system", id: null, label: "test" }, action: "subnet.create", target: { type: "subnet", id: "s1", label: "10.0.0.0/24" } });
      throw new Error("the write failed after recording");
    });
    await expect(boom).rejects.toThrow("the write failed after recording");
    // A duplicate section is refused (409): nothing recorded either.
    await t.api.post("/sections", { name: "Lab" });
    expect((await t.api.post("/sections", { name: "lab" })).status).toBe(409);
    expect(await worker(t.store).runOnce()).toBe(0);
    expect(r.received).toHaveLength(0);
    const after = (await t.api.get(`/events?after=${before.next_cursor}`)).body;
    expect(after.items.map((e: { type: string; seq: number }) => [e.type, e.seq])).toEqual([["section.create", Number(before.next_cursor) + 1]]);
  });

  test("two workers (two replicas) draining one outbox at once deliver each event exactly once", async () => {
    const t = await fresh();
    const r = newReceiver(async () => {
      await Bun.sleep(5);
      return 200;
    });
    await t.api.post("/webhooks", { url: r.url, events: ["section.*"] });
    for (let i = 0; i < 30; i++) await t.api.post("/sections", { name: `S${i}` });
    // A second store over the same database stands for a second replica (PostgreSQL: its own pool).
    const second = await t.secondStore();
    try {
      const drain = async (store: Store) => {
        const w = worker(store, { concurrency: 4 });
        let sent = 0;
        for (let n; (n = await w.runOnce()) > 0; ) sent += n;
        return sent;
      };
      const [x, y] = await Promise.all([drain(t.store), drain(second.store)]);
      expect(x + y).toBe(30);
      const ids = r.received.map((g) => JSON.parse(g.body).id);
      expect(new Set(ids).size).toBe(30);
      expect(ids).toHaveLength(30);
    } finally {
      await second.close();
    }
  });

  test("ping sends a signed webhook.ping now and answers with the attempt; a dead receiver is a failed attempt, not an error", async () => {
    const t = await fresh();
    const r = newReceiver();
    const hook = (await t.api.post("/webhooks", { url: r.url, events: ["*"], active: false })).body;
    const ping = await t.api.post(`/webhooks/${hook.id}/ping`, {});
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ event_type: "webhook.ping", status: "succeeded", attempts: 1, last_status: 200 });
    expect(r.received).toHaveLength(1);
    expect(verify(hook.secret, r.received[0]!.headers.get("x-ipcraft-signature"), r.received[0]!.body)).toBe(true);
    r.stop();
    const down = await t.api.post(`/webhooks/${hook.id}/ping`, {});
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ status: "failed", last_status: null, last_error: expect.stringContaining("could not reach") });
    const log = (await t.api.get(`/webhooks/${hook.id}/deliveries`)).body;
    expect(log.items.map((d: { status: string }) => d.status)).toEqual(["failed", "succeeded"]);
  });
});
