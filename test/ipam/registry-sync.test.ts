/**
 * The registry follows other processes' commits per organization.
 *
 * What went wrong: any commit by another connection (the CLI, `ipcraft keys create`, the API
 * import Worker) made the next IPAM request rebuild the WHOLE registry synchronously: every
 * organization's requests froze for ~0.25 s per 100,000 addresses (14 s at worst after a
 * 300,000-row CLI import). Now only organizations whose `ipam_versions` row moved are
 * rebuilt, in slices, while the others are served; a write never acts on stale memory.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase, type OpenDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase } from "../../src/db/migrate";
import { keyOf } from "../../src/ipam/codec";
import type { Journal } from "../../src/ipam/journal";
import { IpamRegistry } from "../../src/ipam/registry";
import { createMemoryLogger } from "../../src/logger";
import { createSqliteStore } from "../../src/store/sqlite/store";
import { createTenant, type Tenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";
import { ipamFixture } from "./fixture";

const open: OpenDatabase[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

/** The server's connection (busy_timeout 0, like `serve`) and a second one, like the CLI's. */
function twoConnections() {
  const path = join(tempDir("registry-sync"), "ipcraft.db");
  const server = openDatabase(path, { busyTimeoutMs: 0 });
  const other = openDatabase(path, { migrate: false });
  open.push(other, server);
  return { server, other };
}

const NOW = "2026-01-02T03:04:05.000Z";

/**
 * One IPAM write of a Store over `d` and `registry` (store/sqlite/ipam.ts): wait until the
 * organization's memory is current, BEGIN IMMEDIATE, check it still is, run `fn`, bump the
 * organization's version, COMMIT; a stale organization runs it again.
 */
function ipamWrite<T>(d: OpenDatabase, registry: IpamRegistry, orgId: string, fn: (journal: Journal) => T): Promise<T> {
  return createSqliteStore(d, { registry }).ipam.write(orgId, async (_q, journal) => fn(journal));
}

/**
 * What another process (`ipcraft import`) does on its own connection: rows written inside
 * an IPAM write, which bumps the organization's version in the same transaction.
 */
async function elsewhere(d: OpenDatabase, orgId: string, fn: () => void): Promise<void> {
  await ipamWrite(d, IpamRegistry.load(d, orgId), orgId, fn);
}

/** What an IPAM write adds to a transaction (for a test that holds one open by hand). */
function bump(d: OpenDatabase, orgId: string): void {
  d.sqlite.run("INSERT INTO ipam_versions (org_id, version) VALUES (?, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1", [orgId]);
}

function insertSubnet(d: OpenDatabase, orgId: string, cidr: string, network: bigint, length: number): string {
  const id = crypto.randomUUID();
  d.sqlite.run(
    "INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, 'default', 4, ?, ?, ?, ?, ?)",
    [id, orgId, keyOf(4, network), length, cidr, NOW, NOW],
  );
  return id;
}

function insertAddresses(d: OpenDatabase, orgId: string, subnetId: string, values: bigint[]): void {
  const insert = d.sqlite.query(
    "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)",
  );
  for (const v of values) insert.run(crypto.randomUUID(), orgId, subnetId, `v${v}`, keyOf(4, v), NOW, NOW);
}

const TEN = 10n << 24n;

describe("registry follows other connections per organization", () => {
  test("a commit to organization B, or one that is not IPAM at all, rebuilds nothing of A", async () => {
    const { server, other } = twoConnections();
    const a = createTenant(server);
    const b = createTenant(server);
    let subnetA = "";
    let subnetB = "";
    await elsewhere(other, a.orgId, () => (subnetA = insertSubnet(other, a.orgId, "10.0.0.0/24", TEN, 24)));
    await elsewhere(other, b.orgId, () => (subnetB = insertSubnet(other, b.orgId, "10.0.0.0/24", TEN, 24)));
    const registry = IpamRegistry.load(server);
    const stateA = registry.subnet(a.orgId, subnetA)!;

    createTenant(other); // keys, users, sessions: no version moves
    expect(registry.ready(a.orgId)).toBeUndefined();
    expect(registry.ready(b.orgId)).toBeUndefined();
    expect(registry.rebuilds.size).toBe(0);

    await elsewhere(other, b.orgId, () => insertAddresses(other, b.orgId, subnetB, [TEN + 1n]));
    expect(registry.ready(a.orgId)).toBeUndefined(); // A is served at once
    await registry.ready(b.orgId);
    expect(registry.subnet(b.orgId, subnetB)!.allocator.firstFree()).toBe(TEN + 2n);
    expect(registry.rebuilds.get(b.orgId)).toBe(1);
    expect(registry.rebuilds.get(a.orgId)).toBeUndefined();
    expect(registry.subnet(a.orgId, subnetA)).toBe(stateA); // the very same object: untouched
  });

  test("an organization deleted by another connection leaves memory too", async () => {
    const { server, other } = twoConnections();
    const a = createTenant(server);
    let id = "";
    await elsewhere(other, a.orgId, () => (id = insertSubnet(other, a.orgId, "10.0.0.0/24", TEN, 24)));
    const registry = IpamRegistry.load(server);
    expect(registry.subnet(a.orgId, id)).toBeDefined();
    other.sqlite.run("DELETE FROM organizations WHERE id = ?", [a.orgId]);
    await registry.ready(a.orgId);
    expect(registry.subnet(a.orgId, id)).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  test("a write whose organization changed between its wait and its BEGIN rolls back and retries on fresh memory", async () => {
    const { server, other } = twoConnections();
    const a = createTenant(server);
    const id = insertSubnet(server, a.orgId, "10.0.0.0/29", TEN, 29);
    const registry = IpamRegistry.load(server);
    // The other process holds the write lock with an uncommitted address .1 ...
    other.sqlite.run("BEGIN IMMEDIATE");
    insertAddresses(other, a.orgId, id, [TEN + 1n]);
    bump(other, a.orgId);
    let runs = 0;
    const write = ipamWrite(server, registry, a.orgId, (journal) => {
      runs++;
      return registry.allocate(journal, registry.subnet(a.orgId, id)!, 1);
    });
    await Bun.sleep(30); // ... the write passed its wait and is retrying BEGIN
    other.sqlite.run("COMMIT");
    expect(await write).toEqual([TEN + 2n]); // never the .1 the other process took
    expect(runs).toBe(1); // its first BEGIN found the organization stale: the body never ran on old memory
    expect(registry.rebuilds.get(a.orgId)).toBe(1);
  });

  test("the server's own writes record their version: no rebuild after them", async () => {
    const { server } = twoConnections();
    const a = createTenant(server);
    const id = insertSubnet(server, a.orgId, "10.0.0.0/24", TEN, 24);
    const registry = IpamRegistry.load(server);
    for (let i = 0; i < 3; i++) {
      await ipamWrite(server, registry, a.orgId, (journal) => {
        const [value] = registry.allocate(journal, registry.subnet(a.orgId, id)!, 1)!;
        server.sqlite.run(
          "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', 'x', ?, ?, ?)",
          [crypto.randomUUID(), a.orgId, id, keyOf(4, value!), NOW, NOW],
        );
      });
    }
    expect(registry.ready(a.orgId)).toBeUndefined();
    expect(registry.rebuilds.size).toBe(0);
    expect(IpamRegistry.load(server).subnet(a.orgId, id)!.allocator.counts()).toEqual(registry.subnet(a.orgId, id)!.allocator.counts());
  });
});

describe("through the app", () => {
  function serverApp() {
    const { server, other } = twoConnections();
    const app = createApp({ database: server, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    const call = async (who: Tenant, method: string, path: string, body?: unknown) => {
      const response = await app.handle(
        new Request(`http://localhost/api/v1${path}`, {
          method,
          headers: { ...who.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      return { status: response.status, body: (await response.json()) as any };
    };
    return { server, other, call };
  }

  test("after another connection records an address, the very next first-free and allocation skip it", async () => {
    const { server, other, call } = serverApp();
    const a = createTenant(server);
    const subnet = (await call(a, "POST", "/subnets", { cidr: "10.7.0.0/29" })).body;
    expect((await call(a, "GET", `/subnets/${subnet.id}/first-free`)).body).toEqual({ ip: "10.7.0.1" });
    await elsewhere(other, a.orgId, () => insertAddresses(other, a.orgId, subnet.id, [(10n << 24n) + (7n << 16n) + 1n]));
    expect((await call(a, "GET", `/subnets/${subnet.id}/first-free`)).body).toEqual({ ip: "10.7.0.2" });
    await elsewhere(other, a.orgId, () => insertAddresses(other, a.orgId, subnet.id, [(10n << 24n) + (7n << 16n) + 2n]));
    const made = await call(a, "POST", `/subnets/${subnet.id}/addresses`, {});
    expect(made.status).toBe(201);
    expect(made.body.ip).toBe("10.7.0.3");
  });

  test("while a large organization is rebuilt, another organization's requests are answered", async () => {
    const { server, other, call } = serverApp();
    const a = createTenant(server);
    const b = createTenant(server);
    const big = (await call(a, "POST", "/subnets", { cidr: "10.0.0.0/8" })).body;
    const small = (await call(b, "POST", "/subnets", { cidr: "10.0.0.0/24" })).body;
    // 50,000 addresses committed to A by another process (what `ipcraft import` does).
    const values = Array.from({ length: 50_000 }, (_, i) => TEN + BigInt(i + 1));
    await elsewhere(other, a.orgId, () => insertAddresses(other, a.orgId, big.id, values));

    let aAnswered = false;
    const forA = call(a, "GET", `/subnets/${big.id}/first-free`).then((r) => {
      aAnswered = true;
      return r;
    });
    let bWhileAPending = 0;
    for (let i = 0; !aAnswered && i < 100_000; i++) {
      // Requests arrive from sockets, one event-loop turn each: let the loop turn.
      await new Promise((resolve) => setImmediate(resolve));
      const r = await call(b, "GET", `/subnets/${small.id}/first-free`);
      expect(r).toEqual({ status: 200, body: { ip: "10.0.0.1" } });
      if (!aAnswered) bWhileAPending++;
    }
    expect((await forA).body).toEqual({ ip: "10.0.195.81" }); // 50,000 taken from .0.1: the next is 50,001 = 0.195.81
    expect(bWhileAPending).toBeGreaterThanOrEqual(3);
  });
});

describe("the version moves with every IPAM write, and only then", () => {
  test("API writes move their organization's version; a refused write and a non-IPAM write do not", async () => {
    const f = ipamFixture();
    const other = f.createTenant();
    const version = (orgId: string) =>
      (f.database.sqlite.query("SELECT version FROM ipam_versions WHERE org_id = ?").get(orgId) as { version: number } | null)?.version ?? 0;
    const steps: number[] = [version(f.tenant.orgId)];
    const s = await f.subnet("10.4.0.0/24");
    steps.push(version(f.tenant.orgId));
    const made = await f.address(s.id);
    steps.push(version(f.tenant.orgId));
    expect((await f.api.post(`/subnets/${s.id}/addresses`, { ip: "10.9.9.9" })).status).toBe(400); // refused: nothing written
    steps.push(version(f.tenant.orgId));
    expect((await f.api.post("/sections", { name: "Lab" })).status).toBe(201); // not IPAM
    steps.push(version(f.tenant.orgId));
    expect((await f.api.del(`/addresses/${made.id}`)).status).toBe(204);
    steps.push(version(f.tenant.orgId));
    const csv = "ip,hostname\n10.4.0.7,a\n10.4.0.8,b\n";
    expect((await f.call("POST", "/api/v1/import/addresses", { headers: { ...f.tenant.bearer, "content-type": "text/csv" }, raw: csv })).status).toBe(200);
    steps.push(version(f.tenant.orgId));
    expect(steps).toEqual([0, 1, 2, 2, 2, 3, 4]); // one step per write transaction
    expect(version(other.orgId)).toBe(0);
  });

  test("upgrade: organizations that already hold subnets start at version 1", () => {
    const d = openDatabase(":memory:", { migrate: false });
    migrateDatabase(d.sqlite, d.db, EMBEDDED_MIGRATIONS.slice(0, 3));
    // Organizations as the older schema holds them (the fixture writes today's tables).
    const a = { orgId: crypto.randomUUID() };
    for (const id of [a.orgId, crypto.randomUUID()]) {
      d.sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'o', 'unlimited', ?, ?)", [id, NOW, NOW]);
    }
    insertSubnet(d, a.orgId, "10.0.0.0/8", TEN, 8);
    migrateDatabase(d.sqlite, d.db);
    expect(d.sqlite.query("SELECT org_id, version FROM ipam_versions").all()).toEqual([{ org_id: a.orgId, version: 1 }]);
    d.close();
  });
});
