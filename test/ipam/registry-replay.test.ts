/**
 * How the server's memory follows other processes (issue 16: "registry rebuilds only when
 * address or subnet tables change, and incrementally where it can"), one test per way the
 * cache is invalidated, each checked through what the next request answers and through the
 * /metrics counters that say how memory caught up:
 * - a write to other tables (`ipcraft keys create`, raw SQL on api_keys): nothing to do;
 * - addresses taken or freed by a logging writer (`ipcraft import addresses`, ipamWrite with
 *   `logChanges`): replayed from ipam_changes, no rebuild;
 * - anything the log cannot describe (raw SQL with a version bump and no row, a subnet
 *   reshaped, a hole in the log, a row memory refuses): the full rebuild, as before.
 * After each, memory equals a fresh load of the database (the oracle).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase, type OpenDatabase } from "../../src/db/client";
import { keyOf } from "../../src/ipam/codec";
import type { Journal } from "../../src/ipam/journal";
import { MAX_REPLAYED_CHANGES } from "../../src/ipam/memory";
import { IpamRegistry, KEPT_CHANGES } from "../../src/ipam/registry";
import { createMemoryLogger } from "../../src/logger";
import { runCli } from "../../src/main";
import { createSqliteStore } from "../../src/store/sqlite/store";
import { createTenant, type Tenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

/** An IPAM write on `d` over `registry` (its own Store), the way the CLI writes. */
function ipamWrite<T>(d: OpenDatabase, registry: IpamRegistry, orgId: string, fn: (journal: Journal) => T): Promise<T> {
  return createSqliteStore(d, { registry }).ipam.write(orgId, async (_q, journal) => fn(journal));
}

const open: OpenDatabase[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

const NOW = "2026-01-02T03:04:05.000Z";
const NET = (10n << 24n) + (7n << 16n); // 10.7.0.0

/** A server (the app on its own connection, /metrics on) and another process's connection to the same file. */
function setup() {
  const dir = tempDir("registry-replay");
  const db = join(dir, "ipcraft.db");
  const server = openDatabase(db, { busyTimeoutMs: 0 });
  const other = openDatabase(db, { migrate: false });
  open.push(other, server);
  const store = createSqliteStore(server);
  const app = createApp({ database: server, store, config: defaultServerConfig({ db, rateLimit: 0, metrics: true }), logger: createMemoryLogger() });
  const tenant = createTenant(server);
  const call = async (method: string, path: string, body?: unknown, who: Tenant = tenant) => {
    const response = await app.handle(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: { ...who.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return { status: response.status, body: (await response.json()) as any };
  };
  const metrics = async () => {
    const text = await (await app.handle(new Request("http://localhost/metrics"))).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    return {
      foreignCommits: value("ipcraft_registry_foreign_commits_total"),
      replays: value("ipcraft_registry_replays_total"),
      replayedChanges: value("ipcraft_registry_replayed_changes_total"),
      rebuilds: value("ipcraft_registry_rebuilds_total"),
    };
  };
  const registry = store.ipam.registry;
  /** Memory for the tenant's subnet against a fresh load of the file: the oracle. */
  const equalsFreshLoad = (subnetId: string) => {
    const fresh = IpamRegistry.load(other).subnet(tenant.orgId, subnetId)!;
    const mine = registry.subnet(tenant.orgId, subnetId)!;
    expect({ counts: mine.allocator.counts(), free: mine.allocator.freeRanges(50), nested: mine.nested }).toEqual({
      counts: fresh.allocator.counts(),
      free: fresh.allocator.freeRanges(50),
      nested: fresh.nested,
    });
  };
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, "--db", db], {}, (l) => out.push(l), (l) => err.push(l));
    if (code !== 0) throw new Error(`ipcraft ${argv.join(" ")}: ${code} ${err.join("\n")}`);
    return out;
  };
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return { server, other, call, metrics, registry, tenant, equalsFreshLoad, cli, file };
}

function insertAddress(d: OpenDatabase, orgId: string, subnetId: string, value: bigint): void {
  d.sqlite.run("INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)", [
    crypto.randomUUID(),
    orgId,
    subnetId,
    `10.7.0.${Number(value - NET)}`,
    keyOf(4, value),
    NOW,
    NOW,
  ]);
}

/** Another process's IPAM write the way the CLI makes them: its own registry, logging. */
async function loggedWrite(d: OpenDatabase, orgId: string, fn: (registry: IpamRegistry, journal: Journal) => void) {
  const registry = IpamRegistry.load(d, orgId, { logChanges: true });
  await ipamWrite(d, registry, orgId, (journal) => fn(registry, journal));
}

const firstFree = async (s: ReturnType<typeof setup>, subnetId: string) => (await s.call("GET", `/subnets/${subnetId}/first-free`)).body.ip;

describe("the server follows other processes' writes", () => {
  test("a key created by another process (the CLI, then raw SQL) moves no IPAM state: no rebuild, no replay", async () => {
    const s = setup();
    const subnet = (await s.call("POST", "/subnets", { cidr: "10.7.0.0/29" })).body;
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.1");
    const before = s.registry.subnet(s.tenant.orgId, subnet.id);

    await s.cli("keys", "create", "--email", s.tenant.email, "--name", "ci");
    s.other.sqlite.run("UPDATE api_keys SET name = 'renamed' WHERE org_id = ?", [s.tenant.orgId]);
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.1");
    const m = await s.metrics();
    expect(m.foreignCommits).toBeGreaterThanOrEqual(1); // the server did notice the commits
    expect({ rebuilds: m.rebuilds, replays: m.replays }).toEqual({ rebuilds: 0, replays: 0 });
    expect(s.registry.subnet(s.tenant.orgId, subnet.id)).toBe(before); // the very same object
  });

  test("addresses another process takes and frees are replayed: the next first-free sees them, nothing is rebuilt", async () => {
    const s = setup();
    const subnet = (await s.call("POST", "/subnets", { cidr: "10.7.0.0/29" })).body;
    const parent = (await s.call("POST", "/subnets", { cidr: "10.7.0.0/16" })).body; // nested: utilization counts move too
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.1");

    await loggedWrite(s.other, s.tenant.orgId, (registry, journal) => {
      const state = registry.subnet(s.tenant.orgId, subnet.id)!;
      for (const v of registry.allocate(journal, state, 2)!) insertAddress(s.other, s.tenant.orgId, subnet.id, v);
    });
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.3");
    expect(await s.metrics()).toMatchObject({ replays: 1, replayedChanges: 2, rebuilds: 0 });
    expect((await s.call("GET", `/subnets/${parent.id}`)).body.utilization.used).toBe("2"); // records below it, replayed too

    // Freed by the other process: the next allocation here hands it out again.
    await loggedWrite(s.other, s.tenant.orgId, (registry, journal) => {
      registry.release(journal, registry.subnet(s.tenant.orgId, subnet.id)!, NET + 1n);
      s.other.sqlite.run("DELETE FROM addresses WHERE org_id = ? AND ip_key = ?", [s.tenant.orgId, keyOf(4, NET + 1n)]);
    });
    const made = await s.call("POST", `/subnets/${subnet.id}/addresses`, {});
    expect(made.status).toBe(201);
    expect(made.body.ip).toBe("10.7.0.1");
    expect(await s.metrics()).toMatchObject({ replays: 2, replayedChanges: 3, rebuilds: 0 });
    s.equalsFreshLoad(subnet.id);
    s.equalsFreshLoad(parent.id);
  });

  test("`ipcraft import addresses` beside the server is replayed; `ipcraft import subnets` (subnets reshaped) rebuilds", async () => {
    const s = setup();
    const subnet = (await s.call("POST", "/subnets", { cidr: "10.7.0.0/24" })).body;
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.1");
    await s.cli("import", "addresses", s.file("a.csv", "ip,hostname\n10.7.0.1,a\n10.7.0.2,b\n10.7.0.4,c\n"), "--email", s.tenant.email);
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.3");
    expect(await s.metrics()).toMatchObject({ replays: 1, replayedChanges: 3, rebuilds: 0 });

    await s.cli("import", "subnets", s.file("s.csv", "cidr\n10.7.0.0/30\n"), "--email", s.tenant.email);
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.5"); // .0/30 is a child now: .4 is a record, .5 is free
    expect(await s.metrics()).toMatchObject({ replays: 1, rebuilds: 1 });
    s.equalsFreshLoad(subnet.id);
  });

  test("raw SQL that bumps the version but logs nothing, or a hole in the log, falls back to the full rebuild", async () => {
    const s = setup();
    const subnet = (await s.call("POST", "/subnets", { cidr: "10.7.0.0/29" })).body;
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.1");

    // Raw SQL (no registry, no log row), bumping the version as registry.ts asks of such writers.
    s.other.sqlite.transaction(() => {
      insertAddress(s.other, s.tenant.orgId, subnet.id, NET + 1n);
      s.other.sqlite.run("UPDATE ipam_versions SET version = version + 1 WHERE org_id = ?", [s.tenant.orgId]);
    })();
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.2");
    expect(await s.metrics()).toMatchObject({ replays: 0, rebuilds: 1 });

    // A logged write and an unlogged one before the next request: the unlogged one's version is a hole.
    await loggedWrite(s.other, s.tenant.orgId, (registry, journal) => {
      const [v] = registry.allocate(journal, registry.subnet(s.tenant.orgId, subnet.id)!, 1)!;
      insertAddress(s.other, s.tenant.orgId, subnet.id, v!);
    });
    await ipamWrite(s.other, IpamRegistry.load(s.other, s.tenant.orgId), s.tenant.orgId, () => insertAddress(s.other, s.tenant.orgId, subnet.id, NET + 4n));
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.3");
    expect(await s.metrics()).toMatchObject({ replays: 0, rebuilds: 2 });
    s.equalsFreshLoad(subnet.id);
  });

  test("a log row memory cannot apply (an address already taken here) leaves memory untouched and rebuilds", async () => {
    const s = setup();
    const subnet = (await s.call("POST", "/subnets", { cidr: "10.7.0.0/29" })).body;
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.1");
    // A forged row: takes .1 (really inserted) and then .1 again, which no real write can log.
    s.other.sqlite.transaction(() => {
      insertAddress(s.other, s.tenant.orgId, subnet.id, NET + 1n);
      const { version } = s.other.sqlite.query("UPDATE ipam_versions SET version = version + 1 WHERE org_id = ? RETURNING version").get(s.tenant.orgId) as { version: number };
      const changes = JSON.stringify([[subnet.id, "take", String(NET + 1n)], [subnet.id, "take", String(NET + 1n)]]);
      s.other.sqlite.run("INSERT INTO ipam_changes (org_id, version, changes) VALUES (?, ?, ?)", [s.tenant.orgId, version, changes]);
    })();
    expect(await firstFree(s, subnet.id)).toBe("10.7.0.2");
    expect(await s.metrics()).toMatchObject({ replays: 0, rebuilds: 1 });
    s.equalsFreshLoad(subnet.id);
  });

  test("a record in IPv4-mapped space (a database written before such space was refused) survives a rolled-back free", async () => {
    const s = setup();
    const subnet = (await s.call("POST", "/subnets", { cidr: "::fffe:0:0/95" })).body; // its upper half is ::ffff:0:0/96
    const mapped = 0xffff_0a07_0001n; // ::ffff:10.7.0.1
    s.other.sqlite.transaction(() => {
      s.other.sqlite.run("INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)", [
        crypto.randomUUID(), s.tenant.orgId, subnet.id, "::ffff:a07:1", keyOf(6, mapped), NOW, NOW,
      ]);
      s.other.sqlite.run("UPDATE ipam_versions SET version = version + 1 WHERE org_id = ?", [s.tenant.orgId]);
    })();
    const used = async () => (await s.call("GET", `/subnets/${subnet.id}`)).body.utilization.used;
    expect(await used()).toBe("1"); // the server rebuilt and holds the record
    // A write that frees it, then fails: its rollback puts the record back (it used to be refused as unusable).
    const failed = ipamWrite(s.server, s.registry, s.tenant.orgId, (journal) => {
      s.registry.release(journal, s.registry.subnet(s.tenant.orgId, subnet.id)!, mapped);
      throw new Error("the write fails after the free");
    });
    await expect(failed).rejects.toThrow("the write fails after the free");
    expect(await used()).toBe("1");
    s.equalsFreshLoad(subnet.id);
  });
});

describe("the change log stays small", () => {
  test("a writer keeps the last KEPT_CHANGES versions per organization; a bulk write logs a rebuild marker", async () => {
    const dir = tempDir("registry-replay-log");
    const d = openDatabase(join(dir, "ipcraft.db"));
    open.push(d);
    const tenant = createTenant(d);
    const subnetId = crypto.randomUUID();
    d.sqlite.run(
      "INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, 'default', 4, ?, 8, '10.0.0.0/8', ?, ?)",
      [subnetId, tenant.orgId, keyOf(4, 10n << 24n), NOW, NOW],
    );
    const registry = IpamRegistry.load(d, tenant.orgId, { logChanges: true });
    const state = registry.subnet(tenant.orgId, subnetId)!;
    for (let i = 0; i < KEPT_CHANGES + 5; i++) await ipamWrite(d, registry, tenant.orgId, (journal) => registry.allocate(journal, state, 1));
    const rows = d.sqlite.query("SELECT count(*) AS n, min(version) AS lo, max(version) AS hi FROM ipam_changes WHERE org_id = ?").get(tenant.orgId) as { n: number; lo: number; hi: number };
    expect(rows).toEqual({ n: KEPT_CHANGES, lo: 6, hi: KEPT_CHANGES + 5 });

    await ipamWrite(d, registry, tenant.orgId, (journal) => registry.allocate(journal, state, MAX_REPLAYED_CHANGES + 1));
    const last = d.sqlite.query("SELECT changes FROM ipam_changes WHERE org_id = ? ORDER BY version DESC LIMIT 1").get(tenant.orgId) as { changes: string | null };
    expect(last.changes).toBeNull();
  });
});
