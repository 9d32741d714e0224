/**
 * What POST /subnets/{id}/subnets locks on PostgreSQL (store/pg/ipam.ts, a write scoped to
 * the parent): the organization and the parent's row, as an address batch locks a subnet —
 * not every subnet of the organization. A transaction holding another subnet's row (a long
 * batch elsewhere) does not hold it up; one holding the parent's row (a batch in the parent,
 * from another replica) makes it wait, and the record that batch commits keeps its block from
 * being handed out (the parent is caught up from the change log under the lock).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { keyOf } from "../../src/ipam/codec";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { pgReplica } from "../helpers/pg-replica";
import { createTenantIn } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await db?.drop();
  db = undefined;
});

/** Resolves to "still waiting" if `p` has not settled after `ms` (a hang detector, not a timing). */
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, Bun.sleep(ms).then(() => "still waiting" as const)]);

describe("next free subnet on PostgreSQL locks the organization and the parent only", () => {
  test("another subnet's lock does not hold it; the parent's does, and the record committed under it is skipped", async () => {
    db = await freshPgDatabase({ migrated: true });
    const tenant = await createTenantIn(createPgStore(db.sql));
    const a = pgReplica(db.url, tenant, closers);
    const parent = (await a.post("/subnets", { cidr: "10.80.0.0/16" })).body;
    const elsewhere = (await a.post("/subnets", { cidr: "192.168.5.0/24" })).body;
    expect((await a.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).body.cidr).toBe("10.80.0.0/24");

    // A long batch in another subnet (its row locked, as store/pg/ipam.ts's runBatch does).
    const other = await db.sql.reserve();
    closers.push(async () => other.release());
    await other`BEGIN`;
    await other`SELECT alloc_seq FROM subnets WHERE id = ${elsewhere.id} FOR NO KEY UPDATE`;
    const free = await within(a.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24 }), 20_000);
    expect(free).not.toBe("still waiting");
    expect((free as { body: { cidr: string } }).body.cidr).toBe("10.80.0.0/24");
    await other`COMMIT`;

    // A batch in the parent, by hand: lock its row, record 10.80.1.7 with its change-log row, bump alloc_seq.
    await other`BEGIN`;
    const [{ alloc_seq }] = await other`SELECT alloc_seq FROM subnets WHERE id = ${parent.id} FOR NO KEY UPDATE`;
    const seq = Number(alloc_seq) + 1;
    const key = keyOf(4, 0x0a500107n);
    const at = new Date().toISOString();
    await other`INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, created_at, updated_at)
                VALUES (${crypto.randomUUID()}, ${tenant.orgId}, ${parent.id}, 'default', '10.80.1.7', ${key}, '', 'assigned', '', NULL, '', ${at}, ${at})`;
    await other`INSERT INTO subnet_changes (org_id, subnet_id, seq, kind, ip_key) VALUES (${tenant.orgId}, ${parent.id}, ${seq}, 'take', ${key})`;
    await other`UPDATE subnets SET alloc_seq = ${seq} WHERE id = ${parent.id}`;
    const pending = a.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24 });
    expect(await within(pending, 500)).toBe("still waiting");
    await other`COMMIT`;
    // 10.80.1.0/24 now holds 10.80.1.7: the next free /24 is 10.80.2.0/24.
    expect((await pending).body.cidr).toBe("10.80.2.0/24");
    expect((await a.get(`/subnets/${parent.id}`)).body.utilization.used).toBe("1");
  }, 90_000);
});
