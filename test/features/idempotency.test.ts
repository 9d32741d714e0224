/**
 * Idempotency-Key in process (the real-server and two-replica tests are
 * idempotency-server.test.ts and store/pg-idempotency.test.ts): keys belong to one
 * organization, the OpenAPI document names the header on every creating POST, the error
 * table has both codes, and housekeeping prunes answers older than 24 h.
 */
import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { ERROR_STATUS } from "../../src/http/errors";
import { pruneIdempotencyKeys } from "../../src/http/idempotency";
import { createMemoryLogger } from "../../src/logger";
import { createSqliteStore } from "../../src/store/sqlite/store";
import { createColleague, createTenant, type Tenant } from "../helpers/tenant";

/** Every POST that creates something (issue 13): each takes an Idempotency-Key. */
const CREATING_POSTS = [
  "/api/v1/sections",
  "/api/v1/vrfs",
  "/api/v1/subnets",
  "/api/v1/subnets/{id}/split",
  "/api/v1/subnets/{id}/addresses",
  "/api/v1/api-keys",
  "/api/v1/webhooks",
  "/api/v1/users/invite",
];

function setup() {
  const database = openDatabase(":memory:");
  const app = createApp({ database, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const post = async (tenant: Tenant, path: string, body: unknown, key?: string) => {
    const headers: Record<string, string> = { ...tenant.bearer, "content-type": "application/json" };
    if (key) headers["idempotency-key"] = key;
    const r = await app.handle(new Request(`http://localhost/api/v1${path}`, { method: "POST", headers, body: JSON.stringify(body) }));
    return { status: r.status, replayed: r.headers.get("idempotent-replayed"), body: (await r.json()) as any };
  };
  return { database, app, post };
}

describe("Idempotency-Key", () => {
  test("a key belongs to its organization: the same key and body in another organization creates its own, and never shows the first's answer", async () => {
    const { database, post } = setup();
    const a = createTenant(database);
    const b = createTenant(database);
    const first = await post(a, "/sections", { name: "Core" }, "same-key");
    const other = await post(b, "/sections", { name: "Core" }, "same-key");
    expect(first).toMatchObject({ status: 201, replayed: null });
    expect(other).toMatchObject({ status: 201, replayed: null });
    expect(other.body.id).not.toBe(first.body.id);
    expect((await post(b, "/sections", { name: "Core" }, "same-key")).body.id).toBe(other.body.id);
  });

  test("without the header nothing changes: the same body twice is two requests", async () => {
    const { database, post } = setup();
    const t = createTenant(database);
    const subnet = (await post(t, "/subnets", { cidr: "10.90.0.0/24" })).body;
    const one = await post(t, `/subnets/${subnet.id}/addresses`, { hostname: "h" });
    const two = await post(t, `/subnets/${subnet.id}/addresses`, { hostname: "h" });
    expect([one.body.ip, two.body.ip]).toEqual(["10.90.0.1", "10.90.0.2"]);
  });

  test("the OpenAPI document names the header on every creating POST; the error table has both codes", async () => {
    const { app } = setup();
    const spec = (await (await app.handle(new Request("http://localhost/docs/json"))).json()) as any;
    // Every POST that answers 201 (it creates something), the phpIPAM-compatible ones included.
    const creating = Object.keys(spec.paths).filter((path) => spec.paths[path].post?.responses?.["201"]);
    expect(creating).toEqual(expect.arrayContaining([...CREATING_POSTS, "/api/{app}/subnets", "/api/{app}/addresses", "/api/{app}/addresses/first_free/{subnetId}"]));
    for (const path of creating) {
      const names = (spec.paths[path].post.parameters ?? []).map((p: { in: string; name: string }) => `${p.in}:${p.name}`);
      expect({ path, names }).toEqual({ path, names: expect.arrayContaining(["header:Idempotency-Key"]) });
    }
    expect(ERROR_STATUS.idempotency_key_reused).toBe(422);
    expect(ERROR_STATUS.idempotency_key_in_flight).toBe(409);
  });

  test("a replay is shown only to a caller who may make the request: a read-only key, or an API key on a session-only route, of the same organization gets the refusal", async () => {
    const { database, app, post } = setup();
    const t = createTenant(database);
    const send = async (path: string, headers: Record<string, string>, body: unknown, key: string) => {
      const r = await app.handle(
        new Request(`http://localhost${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(body) }),
      );
      return { status: r.status, replayed: r.headers.get("idempotent-replayed"), body: (await r.json()) as any };
    };
    const readKey = await send("/api/v1/api-keys", t.browser, { name: "reader", scope: "read" }, "k-reader");
    expect(readKey.status).toBe(201);
    const reader = { authorization: `Bearer ${readKey.body.key}` };
    const subnet = (await post(t, "/subnets", { cidr: "10.91.0.0/24" })).body;

    // What the owner's write key created with a key (section, address, invitation, webhook, phpIPAM address)…
    const made = [
      ["/api/v1/sections", { name: "Core" }],
      [`/api/v1/subnets/${subnet.id}/addresses`, { hostname: "web1" }],
      ["/api/v1/users/invite", { email: "new@example.org", role: "member" }],
      ["/api/v1/webhooks", { url: "http://127.0.0.1:9/hook", events: ["address.create"] }],
      ["/api/pve/addresses/", { ip: "10.91.0.200", subnetId: subnet.number, hostname: "gw" }],
    ] as const;
    for (const [path, body] of made) {
      const first = await send(path, { ...t.bearer, token: t.key }, body, `k${path}`);
      expect({ path, status: first.status }).toEqual({ path, status: 201 });
      // …the same request and key from the organization's read-only key: 403, not the stored 201.
      const again = await send(path, { ...reader, token: readKey.body.key }, body, `k${path}`);
      expect({ path, status: again.status, replayed: again.replayed }).toEqual({ path, status: 403, replayed: null });
      expect(JSON.stringify(again.body)).not.toContain(JSON.stringify(first.body.id));
    }
    // An API key may not manage keys, and may not see the answer of a session's key creation either.
    const byKey = await send("/api/v1/api-keys", t.bearer, { name: "reader", scope: "read" }, "k-reader");
    expect([byKey.status, byKey.body.code, byKey.replayed]).toEqual([403, "session_required", null]);
    // The owner's own retry is still a replay.
    const replay = await send("/api/v1/sections", t.bearer, { name: "Core" }, "k/api/v1/sections");
    expect([replay.status, replay.replayed]).toEqual([201, "true"]);
  });

  test("the same request in another order is a replay: query parameters reordered, phpIPAM body keys reordered; another value is not", async () => {
    const { database, app, post } = setup();
    const t = createTenant(database);
    const subnet = (await post(t, "/subnets", { cidr: "10.92.0.0/24" })).body;
    const send = async (query: string, key: string, body?: unknown) => {
      const headers = { token: t.key, "idempotency-key": key, "content-type": "application/json" };
      const init = { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) };
      const r = await app.handle(new Request(`http://localhost/api/pve/addresses/?${query}`, init));
      return { status: r.status, replayed: r.headers.get("idempotent-replayed"), body: (await r.json()) as any };
    };
    const first = await send(`ip=10.92.0.7&subnetId=${subnet.number}&hostname=db%201`, "k-query");
    expect([first.status, first.replayed]).toEqual([201, null]);
    const reordered = await send(`hostname=db%201&subnetId=${subnet.number}&ip=10.92.0.7`, "k-query");
    expect([reordered.status, reordered.replayed, reordered.body.id]).toEqual([201, "true", first.body.id]);
    const other = await send(`ip=10.92.0.7&subnetId=${subnet.number}&hostname=db2`, "k-query");
    expect(other.status).toBe(422);
    // A Perl client (Proxmox) sends its JSON keys in any order.
    const inBody = await send("", "k-body", { ip: "10.92.0.8", subnetId: subnet.number, hostname: "db3", mac: "bc:24:11:00:00:08" });
    const keysReordered = await send("", "k-body", { mac: "bc:24:11:00:00:08", hostname: "db3", subnetId: subnet.number, ip: "10.92.0.8" });
    expect([inBody.status, keysReordered.status, keysReordered.replayed, keysReordered.body.id]).toEqual([201, 201, "true", inBody.body.id]);
    const listed = (await (await app.handle(new Request(`http://localhost/api/v1/subnets/${subnet.id}/addresses`, { headers: t.bearer }))).json()) as any;
    expect(listed.items.map((a: { ip: string; hostname: string }) => [a.ip, a.hostname])).toEqual([["10.92.0.7", "db 1"], ["10.92.0.8", "db3"]]);
  });

  test("a query value that decodes alike but is sent differently is not taken for the first request", async () => {
    const { database, app, post } = setup();
    const t = createTenant(database);
    const subnet = (await post(t, "/subnets", { cidr: "10.93.0.0/24" })).body;
    const send = async (hostname: string) => {
      const headers = { token: t.key, "idempotency-key": "k-bytes" };
      const r = await app.handle(new Request(`http://localhost/api/pve/addresses/?ip=10.93.0.9&subnetId=${subnet.number}&hostname=${hostname}`, { method: "POST", headers }));
      return { status: r.status, replayed: r.headers.get("idempotent-replayed") };
    };
    // "%FF" is not UTF-8: decoded, it reads as U+FFFD ("%EF%BF%BD"), but the route stores what was sent.
    expect(await send("x%EF%BF%BD")).toEqual({ status: 201, replayed: null });
    expect((await send("x%FF")).replayed).toBeNull();
  });

  test("an answer stored by an earlier version (its request hash over the query and body as sent) is still replayed", async () => {
    const { database, post } = setup();
    const t = createTenant(database);
    const first = await post(t, "/sections", { name: "Edge", description: "before the upgrade" }, "k-upgrade");
    expect(first.status).toBe(201);
    // What earlier versions stored: SHA-256 of "METHOD path?query\nJSON.stringify(body)", body keys in schema order.
    const stored = database.sqlite.query("SELECT response FROM idempotency_keys WHERE key = 'k-upgrade'").get() as { response: string };
    const earlier = new Bun.CryptoHasher("sha256").update(`POST /api/v1/sections\n${JSON.stringify({ name: "Edge", description: "before the upgrade" })}`).digest("hex");
    database.sqlite.run("UPDATE idempotency_keys SET request_hash = ? WHERE key = 'k-upgrade'", [earlier]);
    const again = await post(t, "/sections", { name: "Edge", description: "before the upgrade" }, "k-upgrade");
    expect([again.status, again.replayed, JSON.stringify(again.body)]).toEqual([201, "true", stored.response]);
    expect((await post(t, "/sections", { name: "Edge 2" }, "k-upgrade")).status).toBe(422);
  });

  test("roles and owners: a viewer gets no replay of a write key, an admin none of an owner's invitation, a colleague none of another user's key", async () => {
    const { database, app } = setup();
    const owner = createTenant(database);
    const send = async (who: Tenant, path: string, body: unknown, key: string) => {
      const r = await app.handle(
        new Request(`http://localhost/api/v1${path}`, { method: "POST", headers: { ...who.browser, "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(body) }),
      );
      return { status: r.status, replayed: r.headers.get("idempotent-replayed"), body: (await r.json()) as any };
    };
    const viewer = createColleague(database, owner, { role: "viewer" });
    const admin = createColleague(database, owner, { role: "admin" });
    const member = createColleague(database, owner, { role: "member" });

    const writeKey = await send(owner, "/api-keys", { name: "deploy", scope: "write" }, "k-key");
    expect(writeKey.status).toBe(201);
    const byViewer = await send(viewer, "/api-keys", { name: "deploy", scope: "write" }, "k-key");
    expect([byViewer.status, byViewer.body.code, byViewer.replayed]).toEqual([403, "insufficient_scope", null]);
    // A viewer's own read key still works, and its key is not another user's answer.
    const readKey = await send(viewer, "/api-keys", { name: "deploy", scope: "read" }, "k-viewer");
    expect([readKey.status, readKey.replayed, readKey.body.scope]).toEqual([201, null, "read"]);
    // Same request, same Idempotency-Key, another user: that user's key is not theirs to see.
    const byMember = await send(member, "/api-keys", { name: "deploy", scope: "write" }, "k-key");
    expect([byMember.status, byMember.body.code]).toEqual([422, "idempotency_key_reused"]);
    expect(JSON.stringify(byMember.body)).not.toContain(writeKey.body.id);

    const ownerInvite = await send(owner, "/users/invite", { email: "boss@example.org", role: "owner" }, "k-invite");
    expect(ownerInvite.status).toBe(201);
    const byAdmin = await send(admin, "/users/invite", { email: "boss@example.org", role: "owner" }, "k-invite");
    expect([byAdmin.status, byAdmin.body.code, byAdmin.replayed]).toEqual([403, "forbidden", null]);
  });

  test("housekeeping prunes answers older than 24 h and keeps younger ones; an expired key is free again", async () => {
    const { database, post } = setup();
    const t = createTenant(database);
    await post(t, "/sections", { name: "Old" }, "k-old");
    await post(t, "/sections", { name: "New" }, "k-new");
    const day = 24 * 3600_000;
    database.sqlite.run("UPDATE idempotency_keys SET created_at = ? WHERE key = 'k-old'", [new Date(Date.now() - day - 60_000).toISOString()]);
    // Before the sweep an expired key already counts as unused: another request may take it.
    const reusedLater = await post(t, "/sections", { name: "Later" }, "k-old");
    expect({ status: reusedLater.status, replayed: reusedLater.replayed }).toEqual({ status: 201, replayed: null });
    database.sqlite.run("UPDATE idempotency_keys SET created_at = ? WHERE key = 'k-old'", [new Date(Date.now() - day - 60_000).toISOString()]);
    const sqliteStore = createSqliteStore(database);
    expect(await pruneIdempotencyKeys(sqliteStore)).toBe(1);
    const left = database.sqlite.query("SELECT key FROM idempotency_keys ORDER BY key").all() as { key: string }[];
    expect(left.map((r) => r.key)).toEqual(["k-new"]);
  });
});
