/**
 * Issue 12, the allocation batch's lock and ordering (store/pg/ipam.ts runBatch). A batch
 * sends the subnet's lock and, read ahead in the same round trip, the change-log rows its
 * memory lacks. The read-ahead must see what the transaction it waited for committed: a
 * statement's snapshot is taken before it waits for a lock (SCALE.md), so the rows are read
 * by a statement of their own that runs once the lock is held. Here another replica's batch
 * holds the lock (played by hand, as the owner) while this replica's allocation waits; after
 * that COMMIT, the waiting batch must apply the other's change from its read-ahead — same
 * memory object, no reload — and hand out the next address, not the one just taken.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ipKey, parseIp } from "../../src/ip";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { pgReplica } from "../helpers/pg-replica";
import { createTenantIn } from "../helpers/tenant";
import { createPgStore } from "../../src/store/pg/store";

usePgCluster();

let db: TestPgDatabase | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await db?.drop();
  db = undefined;
});

const keyOfIp = (text: string) => {
  const ip = parseIp(text);
  if (!ip.ok) throw new Error(text);
  return Buffer.from(ipKey(ip.value));
};

describe("an allocation batch waiting for another replica's batch", () => {
  test("catches up from the change-log rows it read ahead once it held the lock, without reloading", async () => {
    db = await freshPgDatabase({ migrated: true });
    const tenant = await createTenantIn(createPgStore(db.sql));
    const a = pgReplica(db.url, tenant, closers);
    const subnet = (await a.post("/subnets", { cidr: "10.30.0.0/24" })).body;
    expect((await a.get(`/subnets/${subnet.id}/first-free`)).body.ip).toBe("10.30.0.1");
    const before = a.store.ipam.memory.subnet(tenant.orgId, subnet.id)!;
    expect(before.seq).toBeGreaterThanOrEqual(0);

    // The other replica's batch, mid-flight: the lock taken, 10.30.0.1 written and logged, no COMMIT yet.
    const other = await db.sql.reserve();
    try {
      await other`BEGIN`;
      const [{ alloc_seq }] = await other`SELECT alloc_seq FROM subnets WHERE id = ${subnet.id} FOR NO KEY UPDATE`;
      const seq = Number(alloc_seq) + 1;
      const now = new Date().toISOString();
      await other`INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, created_at, updated_at)
                  VALUES (${crypto.randomUUID()}, ${tenant.orgId}, ${subnet.id}, 'default', '10.30.0.1', ${keyOfIp("10.30.0.1")}, 'other', ${now}, ${now})`;
      await other`INSERT INTO subnet_changes (org_id, subnet_id, seq, kind, ip_key) VALUES (${tenant.orgId}, ${subnet.id}, ${seq}, 'take', ${keyOfIp("10.30.0.1")})`;
      await other`UPDATE subnets SET alloc_seq = ${seq} WHERE id = ${subnet.id}`;

      const allocation = a.post(`/subnets/${subnet.id}/addresses`, { hostname: "mine" });
      // Until this replica's batch is waiting for the lock (the read-ahead is queued behind it).
      for (let i = 0; i < 500; i++) {
        const [{ n }] = await db.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        if (n > 0) break;
        await Bun.sleep(10);
      }
      await other`COMMIT`;

      const answer = await allocation;
      expect(answer.status).toBe(201);
      expect(answer.body.ip).toBe("10.30.0.2");
      const after = a.store.ipam.memory.subnet(tenant.orgId, subnet.id)!;
      expect(after).toBe(before); // caught up in place: no reload of the organization
      expect(after.seq).toBe(seq + 1);
      expect((await a.get(`/subnets/${subnet.id}/first-free`)).body.ip).toBe("10.30.0.3");
    } finally {
      other.release();
    }
  }, 60_000);
});
