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
import { createTenant, type Tenant } from "../helpers/tenant";

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
