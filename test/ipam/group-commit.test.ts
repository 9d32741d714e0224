/**
 * Allocations that arrive together share one transaction (src/ipam/group-commit.ts). These
 * tests send them together on purpose — several requests started before any is awaited —
 * and check that batching never changes what each caller gets, nor what is stored.
 */
import { describe, expect, test } from "bun:test";
import { ipKey } from "../../src/ip";
import { GroupCommit } from "../../src/ipam/group-commit";
import { IpamRegistry } from "../../src/ipam/registry";
import { ipamFixture } from "./fixture";

describe("group commit", () => {
  test("a burst of allocations gets distinct addresses in order, all stored, memory equal to the database", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.9.0.0/24");
    const answers = await Promise.all(Array.from({ length: 40 }, () => f.api.post(`/subnets/${s.id}/addresses`, {})));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(201));
    const ips = answers.map((r) => r.body.ip);
    expect(ips).toEqual(Array.from({ length: 40 }, (_, i) => `10.9.0.${i + 1}`));
    const stored = f.database.sqlite.query("SELECT COUNT(*) AS n FROM addresses WHERE subnet_id = ?").get(s.id) as { n: number };
    expect(stored.n).toBe(40);
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: "10.9.0.41" });
    // What the server holds in memory equals what a fresh boot builds from the rows.
    const rebuilt = IpamRegistry.load(f.database).subnet(f.tenant.orgId, s.id)!;
    expect(rebuilt.allocator.counts().used).toBe(40n);
    expect((await f.api.get(`/subnets/${s.id}`)).body.utilization.used).toBe("40");
  });

  test("one failing request in a burst is isolated: the others commit, it changes nothing", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.9.1.0/29"); // 6 usable
    await f.address(s.id, { ip: "10.9.1.3" });
    const burst = await Promise.all([
      f.api.post(`/subnets/${s.id}/addresses`, {}),
      f.api.post(`/subnets/${s.id}/addresses`, { ip: "10.9.1.3" }), // taken → 409
      f.api.post(`/subnets/${s.id}/addresses`, { count: 10 }), // more than free → 409
      f.api.post(`/subnets/${s.id}/addresses`, {}),
    ]);
    expect(burst.map((r) => r.status)).toEqual([201, 409, 409, 201]);
    expect(burst[1]!.body.code).toBe("address_in_use");
    expect(burst[2]!.body.code).toBe("subnet_full");
    expect([burst[0]!.body.ip, burst[3]!.body.ip]).toEqual(["10.9.1.1", "10.9.1.2"]);
    const rows = (f.database.sqlite.query("SELECT ip FROM addresses WHERE subnet_id = ? ORDER BY ip_key").all(s.id) as { ip: string }[]).map((r) => r.ip);
    expect(rows).toEqual(["10.9.1.1", "10.9.1.2", "10.9.1.3"]);
    expect(f.activity("address.create")).toHaveLength(3);
    expect((await f.api.get(`/subnets/${s.id}/first-free`)).body).toEqual({ ip: "10.9.1.4" });
  });

  test("a batch writes its activity, events and numbers once, for the jobs that kept their work only", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.9.2.0/24");
    // A row written behind memory's back: the job that allocates it fails at the UNIQUE backstop, after its work was handed in.
    f.database.sqlite.run(
      "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, number, created_at, updated_at) VALUES ('behind', ?, ?, 'default', '10.9.2.2', ?, 999, 'now', 'now')",
      [f.tenant.orgId, s.id, ipKey({ family: 4, value: 0x0a090202n })],
    );
    const burst = await Promise.all(Array.from({ length: 6 }, () => f.api.post(`/subnets/${s.id}/addresses`, {})));
    const created = burst.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(burst.filter((r) => r.status !== 201).every((r) => r.status === 409)).toBe(true);
    expect(burst.some((r) => r.status === 409)).toBe(true);
    const activity = f.activity("address.create");
    expect(activity.map((a: { target_id: string }) => a.target_id).sort()).toEqual(created.map((r) => r.body.id).sort());
    const events = f.database.sqlite.query("SELECT seq, action FROM activity WHERE org_id = ? AND seq IS NOT NULL ORDER BY seq").all(f.tenant.orgId) as { seq: number; action: string }[];
    // One feed seq per kept entry, numbered on from the subnet's create with no hole.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.action === "address.create")).toHaveLength(created.length);
    const numbers = (f.database.sqlite.query("SELECT number FROM addresses WHERE org_id = ? AND id <> 'behind'").all(f.tenant.orgId) as { number: number }[]).map((r) => r.number);
    expect(new Set(numbers).size).toBe(created.length);
    expect(numbers.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    const counter = f.database.sqlite.query("SELECT next FROM number_counters WHERE org_id = ? AND kind = 'address'").get(f.tenant.orgId) as { next: number };
    expect(counter.next).toBeGreaterThan(Math.max(...numbers));
  });

  test("jobs queued together run in one transaction, in order; a throwing job's rows and memory are undone alone", async () => {
    const f = ipamFixture();
    const registry = IpamRegistry.load(f.database);
    const group = new GroupCommit(f.database, registry);
    const insert = (name: string) =>
      f.database.sqlite.run(
        "INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, 'now', 'now')",
        [crypto.randomUUID(), f.tenant.orgId, name, name],
      );
    const seen: string[] = [];
    let undone = false;
    const jobs = [
      group.run(f.tenant.orgId, () => {
        insert("first");
        seen.push(`first in tx: ${f.database.sqlite.inTransaction}`);
        return 1;
      }),
      group.run(f.tenant.orgId, (journal) => {
        insert("second");
        journal.onRollback(() => (undone = true));
        throw new Error("second fails");
      }),
      group.run(f.tenant.orgId, () => {
        // sees the first job's row: same transaction, earlier savepoint released
        const n = (f.database.sqlite.query("SELECT COUNT(*) AS n FROM sections WHERE name = 'first'").get() as { n: number }).n;
        seen.push(`third sees first: ${n}`);
        insert("third");
        return 3;
      }),
    ];
    const results = await Promise.allSettled(jobs);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(seen).toEqual(["first in tx: true", "third sees first: 1"]);
    expect(undone).toBe(true);
    const names = (f.database.sqlite.query("SELECT name FROM sections WHERE org_id = ? ORDER BY name").all(f.tenant.orgId) as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(["first", "third"]);
  });

  test("when the shared COMMIT fails, every caller gets the error and memory is as before", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.9.2.0/24");
    const registry = IpamRegistry.load(f.database);
    const state = registry.subnet(f.tenant.orgId, s.id)!;
    const group = new GroupCommit(f.database, registry);
    const before = state.allocator.counts();
    const take = (value: bigint) => (journal: Parameters<Parameters<GroupCommit["run"]>[1]>[0]) => {
      expect(state.allocator.take(value)).toBe("ok");
      journal.onRollback(() => state.allocator.release(value));
      return value;
    };
    // The second job leaves a dangling reference that only COMMIT checks (deferred foreign keys).
    const poison = () => {
      f.database.sqlite.run("PRAGMA defer_foreign_keys = ON");
      f.database.sqlite.run(
        "INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES ('x', 'no-such-org', 'x', 'x', 'now', 'now')",
      );
    };
    const results = await Promise.allSettled([group.run(f.tenant.orgId, take((10n << 24n) + (9n << 16n) + (2n << 8n) + 5n)), group.run(f.tenant.orgId, poison)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    expect(state.allocator.counts()).toEqual(before);
    expect(f.database.sqlite.query("SELECT COUNT(*) AS n FROM sections WHERE id = 'x'").get()).toEqual({ n: 0 });
    expect(f.database.sqlite.inTransaction).toBe(false);
  });
});
