/**
 * The boot loader streams address keys into the allocators (pages of keys packed in one
 * BLOB, decoded on doubles: org-loader.ts, SubnetAllocator.loadKeys). Its oracle is the
 * loader it replaced: every row materialised, each key decoded to a BigInt, and
 * `SubnetAllocator.fromTaken` + the direct children. Both must build the same state, for
 * every page size (a page boundary inside a run, on a run's edge, one row per page).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase, type OpenDatabase } from "../../src/db/client";
import { formatCidr, formatIp, parseCidr, SubnetAllocator, type Prefix } from "../../src/ip";
import { keyOf, valueOfKey } from "../../src/ipam/codec";
import { BULK_ROWS, loaderQueries, loadNow, loadOrganization, type OrgIpam } from "../../src/ipam/org-loader";
import { IpamRegistry } from "../../src/ipam/registry";
import { Prng } from "../ip/prng";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const open: OpenDatabase[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

const NOW = "2026-01-02T03:04:05.000Z";

function fresh(): OpenDatabase {
  const d = openDatabase(join(tempDir("boot-loader"), "ipcraft.db"));
  open.push(d);
  return d;
}

function insertSubnet(d: OpenDatabase, orgId: string, cidr: string, vrf = "default"): { id: string; prefix: Prefix } {
  const prefix = parseCidr(cidr);
  if (!prefix.ok) throw new Error(cidr);
  const id = crypto.randomUUID();
  if (vrf !== "default") d.sqlite.run("INSERT OR IGNORE INTO vrfs (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", [crypto.randomUUID(), orgId, vrf, NOW, NOW]);
  d.sqlite.run(
    "INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [id, orgId, vrf, prefix.value.family, keyOf(prefix.value.family, prefix.value.network), prefix.value.length, cidr, NOW, NOW],
  );
  return { id, prefix: prefix.value };
}

/**
 * Records in `subnet`: runs of random lengths at random gaps from its first usable address
 * (so pages end inside runs and on their edges), then a few scattered ones, skipping `avoid`.
 */
function fill(d: OpenDatabase, orgId: string, subnet: { id: string; prefix: Prefix }, n: number, rng: Prng, avoid: Prefix[] = [], vrf = "default") {
  const insert = d.sqlite.query("INSERT OR IGNORE INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const family = subnet.prefix.family;
  const span = family === 4 ? 1n << BigInt(32 - subnet.prefix.length) : 1n << BigInt(128 - subnet.prefix.length);
  const inside = (v: bigint) => avoid.every((c) => v < c.network || v >= c.network + (family === 4 ? 1n << BigInt(32 - c.length) : 1n << BigInt(128 - c.length)));
  const put = (value: bigint) => {
    if (!inside(value)) return;
    const ip = { family, value } as const;
    insert.run(crypto.randomUUID(), orgId, subnet.id, vrf, formatIp(ip), keyOf(family, value), NOW, NOW);
  };
  d.sqlite.transaction(() => {
    let value = subnet.prefix.network + 1n;
    let made = 0;
    while (made < n * 0.9 && value < subnet.prefix.network + span - 2n) {
      const run = 1 + rng.int(40);
      for (let i = 0; i < run && value < subnet.prefix.network + span - 2n; i++, value++, made++) put(value);
      value += BigInt(1 + rng.int(5));
    }
    for (let i = 0; i < n / 10; i++) put(subnet.prefix.network + 1n + rng.bigint(span - 3n));
  })();
}

/** The replaced loader: every key of the subnet materialised, decoded to BigInt, fromTaken. */
function oracle(d: OpenDatabase, org: OrgIpam, subnetId: string): SubnetAllocator {
  const state = org.subnets.get(subnetId)!;
  const rows = d.sqlite.query("SELECT ip_key FROM addresses WHERE subnet_id = ? ORDER BY ip_key").values(subnetId) as [Uint8Array][];
  const children = org.trees.get(state.vrf)!.childrenOf(subnetId).map((id) => org.subnets.get(id)!.prefix);
  return SubnetAllocator.fromTaken(state.prefix, rows.map((r) => valueOfKey(r[0], state.prefix.family)), children);
}

function picture(a: SubnetAllocator) {
  return { counts: a.counts(), own: a.ownRecords(), firstFree: a.firstFree(), free: a.freeRanges(200), storage: a.storageBytes() };
}

describe("boot loader against the loader it replaced", () => {
  test("IPv4 and IPv6 (narrow and /64-wide), nested, two VRFs: same allocators, same nested counts, at every page size", () => {
    const d = fresh();
    const { orgId } = createTenant(d);
    const rng = new Prng(16);
    const top = insertSubnet(d, orgId, "10.0.0.0/8");
    const mid = insertSubnet(d, orgId, "10.1.0.0/16");
    const low = insertSubnet(d, orgId, "10.1.2.0/24");
    const side = insertSubnet(d, orgId, "10.0.0.0/20", "blue");
    const v6wide = insertSubnet(d, orgId, "2001:db8::/64");
    const v6narrow = insertSubnet(d, orgId, "2001:db8:0:1::/116");
    const v6child = insertSubnet(d, orgId, "2001:db8::/120");
    fill(d, orgId, top, 12_000, rng, [mid.prefix]);
    fill(d, orgId, mid, 3_000, rng, [low.prefix]);
    fill(d, orgId, low, 200, rng);
    fill(d, orgId, side, 2_000, rng, [], "blue");
    fill(d, orgId, v6wide, 3_000, rng, [v6child.prefix]);
    fill(d, orgId, v6narrow, 2_000, rng);
    fill(d, orgId, v6child, 100, rng);
    const total = (d.sqlite.query("SELECT count(*) AS n FROM addresses").get() as { n: number }).n;
    expect(total).toBeGreaterThan(18_000);

    const q = loaderQueries(d.sqlite);
    const boot = IpamRegistry.load(d);
    for (const pageRows of [BULK_ROWS, 1_000, 37, 1]) {
      const org = loadNow(loadOrganization(q, orgId, pageRows));
      expect(org.subnets.size).toBe(7);
      for (const state of org.subnets.values()) {
        const expected = oracle(d, org, state.id);
        expect({ cidr: formatCidr(state.prefix), ...picture(state.allocator) }).toEqual({ cidr: formatCidr(state.prefix), ...picture(expected) });
        expect(picture(boot.subnet(orgId, state.id)!.allocator)).toEqual(picture(expected));
        // Utilization's records below: what SQL counts in the strict descendants.
        const tree = org.trees.get(state.vrf)!;
        const below = (id: string): number => tree.childrenOf(id).reduce((sum, c) => sum + org.subnets.get(c)!.allocator.ownRecords() + below(c), 0);
        expect(state.nested).toBe(below(state.id));
        expect(boot.subnet(orgId, state.id)!.nested).toBe(state.nested);
      }
    }
    // And the loaded state goes on working like a built one: the next allocations agree.
    const loaded = boot.subnet(orgId, top.id)!.allocator;
    const built = oracle(d, loadNow(loadOrganization(q, orgId, BULK_ROWS)), top.id);
    expect(loaded.allocateMany(500)).toEqual(built.allocateMany(500));
  });

  test("a stored address the subnet cannot hold stops the load with a clear error, at any page size", () => {
    const d = fresh();
    const { orgId } = createTenant(d);
    const s = insertSubnet(d, orgId, "192.0.2.0/24");
    d.sqlite.run("INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', '192.0.2.255', ?, ?, ?)", [
      crypto.randomUUID(),
      orgId,
      s.id,
      keyOf(4, (192n << 24n) | (2n << 8n) | 255n),
      NOW,
      NOW,
    ]);
    const q = loaderQueries(d.sqlite);
    for (const pageRows of [BULK_ROWS, 1]) expect(() => loadNow(loadOrganization(q, orgId, pageRows))).toThrow(/not usable in subnet/);
  });
});
