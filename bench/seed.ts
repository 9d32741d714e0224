/**
 * A SQLite database for a server bench, written straight to the file (the API would take
 * minutes for 100k rows): one organization with an owner and a write key, and `addresses`
 * records on every other address of 10.0.0.0/8's low range — one run each, a realistic worst
 * case for the allocator's run set. (The subnet is left out when `addresses` is 0.)
 */
import type { Database } from "bun:sqlite";
import { openDatabase } from "../src/db/client";
import { ipKey, formatIp } from "../src/ip";
import { generateApiKey } from "../src/auth/tokens";

export interface SeededDatabase {
  path: string;
  /** the owner's write key */
  key: string;
  orgId: string;
  subnetId: string;
}

/** The bench's organization, its owner and write key (`key` the plaintext), and, with `subnet`, 10.0.0.0/8 in it. */
export function seedTenant(sqlite: Database, now: string, subnet: boolean) {
  const orgId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const subnetId = crypto.randomUUID();
  const key = generateApiKey();
  sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)", [orgId, now, now]);
  sqlite.run("INSERT INTO users (id, org_id, email, role, created_at, updated_at) VALUES (?, ?, 'bench@example.org', 'owner', ?, ?)", [userId, orgId, now, now]);
  sqlite.run(
    "INSERT INTO api_keys (id, org_id, user_id, name, prefix, key_hash, scope, created_at) VALUES (?, ?, ?, 'bench', ?, ?, 'write', ?)",
    [crypto.randomUUID(), orgId, userId, key.prefix, key.hash, now],
  );
  if (subnet) {
    sqlite.run(
      `INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at)
       VALUES (?, ?, 'default', 4, ?, 8, '10.0.0.0/8', ?, ?)`,
      [subnetId, orgId, ipKey({ family: 4, value: 10n << 24n }), now, now],
    );
  }
  return { orgId, subnetId, key };
}

export function seedDatabase(path: string, addresses: number): SeededDatabase {
  const database = openDatabase(path);
  const { sqlite } = database;
  const now = new Date().toISOString();
  let seeded!: ReturnType<typeof seedTenant>;
  sqlite.transaction(() => {
    seeded = seedTenant(sqlite, now, addresses > 0);
    if (addresses === 0) return;
    const { orgId, subnetId } = seeded;
    const insert = sqlite.query(
      "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, ?)",
    );
    for (let i = 0; i < addresses; i++) {
      const ip = { family: 4 as const, value: (10n << 24n) + 1n + BigInt(i * 2) };
      insert.run(crypto.randomUUID(), orgId, subnetId, formatIp(ip), ipKey(ip), now, now);
    }
  })();
  database.close();
  return { path, key: seeded.key.key, orgId: seeded.orgId, subnetId: seeded.subnetId };
}
