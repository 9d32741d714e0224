/**
 * Through a real listening server on a temporary database file: concurrent allocation,
 * a race for one address, a restart on the same file, and the documented curl examples and
 * bash script from the IPCraft API keys page, run as written with only the base URL changed.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer, type RunningServer } from "../../src/server";
import { createTenant, type Tenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

function boot(db: string): { base: string; server: RunningServer } {
  // Rate limiting off: these tests are about allocation, not about the limiter.
  const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
  running.push(server);
  return { base: `http://127.0.0.1:${server.port}/api/v1`, server };
}

function freshDatabase(): { db: string; tenant: Tenant } {
  const db = join(tempDir("ipam-server"), "ipcraft.db");
  const database = openDatabase(db);
  const tenant = createTenant(database);
  database.close();
  return { db, tenant };
}

async function json(base: string, tenant: Tenant, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...tenant.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe("a real server", () => {
  test("64 concurrent allocations get 64 distinct addresses, and the database agrees", async () => {
    const { db, tenant } = freshDatabase();
    const { base } = boot(db);
    const subnet = (await json(base, tenant, "POST", "/subnets", { cidr: "10.50.0.0/24" })).body;
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) => json(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: `vm-${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(64).fill(201));
    const ips = new Set(results.map((r) => r.body.ip));
    expect(ips.size).toBe(64);
    const expected = Array.from({ length: 64 }, (_, i) => `10.50.0.${i + 1}`);
    expect([...ips].sort()).toEqual(expected.sort());
    const list = await json(base, tenant, "GET", `/subnets/${subnet.id}/addresses?limit=1000`);
    expect(list.body.total).toBe(64);
    expect((await json(base, tenant, "GET", `/subnets/${subnet.id}`)).body.utilization.used).toBe("64");
  });

  test("20 requests race for one address: one 201, nineteen 409 address_in_use", async () => {
    const { db, tenant } = freshDatabase();
    const { base } = boot(db);
    const subnet = (await json(base, tenant, "POST", "/subnets", { cidr: "10.51.0.0/24" })).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => json(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: "10.51.0.7", hostname: `c${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    const winner = results.find((r) => r.status === 201)!.body;
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.body.code).toBe("address_in_use");
      expect(loser.body.details.address.id).toBe(winner.id);
    }
  });

  test("restart on the same file: the same first-free, utilization and nesting", async () => {
    const { db, tenant } = freshDatabase();
    const first = boot(db);
    const parent = (await json(first.base, tenant, "POST", "/subnets", { cidr: "10.52.0.0/16" })).body;
    const child = (await json(first.base, tenant, "POST", "/subnets", { cidr: "10.52.0.0/24", gateway: "10.52.0.1" })).body;
    await json(first.base, tenant, "POST", `/subnets/${child.id}/addresses`, { count: 20 });
    const gone = await json(first.base, tenant, "GET", `/subnets/${child.id}/addresses?q=10.52.0.7&limit=1`);
    await fetch(`${first.base}/addresses/${gone.body.items[0].id}`, { method: "DELETE", headers: tenant.bearer });
    const v6 = (await json(first.base, tenant, "POST", "/subnets", { cidr: "2001:db8:52::/64" })).body;
    await json(first.base, tenant, "POST", `/subnets/${v6.id}/addresses`, { count: 3 });
    const before = await Promise.all([child.id, parent.id, v6.id].map((id) => json(first.base, tenant, "GET", `/subnets/${id}/first-free`)));
    const utilBefore = (await json(first.base, tenant, "GET", "/subnets")).body.items;
    expect(before.map((r) => r.body.ip)).toEqual(["10.52.0.7", "10.52.1.0", "2001:db8:52::4"]);
    await first.server.stop();
    running.splice(running.indexOf(first.server), 1);

    const second = boot(db);
    const after = await Promise.all([child.id, parent.id, v6.id].map((id) => json(second.base, tenant, "GET", `/subnets/${id}/first-free`)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
    expect((await json(second.base, tenant, "GET", "/subnets")).body.items).toEqual(utilBefore);
    expect((await json(second.base, tenant, "POST", `/subnets/${child.id}/addresses`, {})).body.ip).toBe("10.52.0.7");
  });

  test("the documented curl examples and bash script work as written (only the base URL changed)", async () => {
    const { db, tenant } = freshDatabase();
    const { base } = boot(db);
    const subnet = (await json(base, tenant, "POST", "/subnets", { cidr: "10.0.1.0/24" })).body;
    await json(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { count: 49 });
    const sh = async (script: string) => {
      const proc = Bun.spawn(["bash", "-c", script], { stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { out, err, code };
    };
    // Example: List Subnets (python3 -m json.tool pretty-prints the answer)
    const list = await sh(`curl -s ${base}/subnets \\\n  -H "Authorization: Bearer ${tenant.key}" \\\n  | python3 -m json.tool`);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).items[0].cidr).toBe("10.0.1.0/24");
    // Example: Assign an IP
    const assign = await sh(`curl -X POST ${base}/subnets/${subnet.id}/addresses \\
  -H "Authorization: Bearer ${tenant.key}" \\
  -H "Content-Type: application/json" \\
  -d '{
    "ip": "10.0.1.50",
    "hostname": "web-server-03",
    "status": "assigned",
    "owner": "ops-team"
  }'`);
    expect(assign.code).toBe(0);
    expect(JSON.parse(assign.out)).toMatchObject({ ip: "10.0.1.50", hostname: "web-server-03", status: "assigned", owner: "ops-team" });
    // Example: Find Next Available IP — # Response: {"ip": "10.0.1.51"}
    const next = await sh(`curl -s ${base}/subnets/${subnet.id}/first-free \\\n  -H "Authorization: Bearer ${tenant.key}"`);
    expect(JSON.parse(next.out)).toEqual({ ip: "10.0.1.51" });
    // Example: Bash Script, verbatim but for API, KEY and SUBNET_ID.
    const script = `#!/bin/bash
# Assign the next available IP in a subnet
API="${base}"
KEY="${tenant.key}"
SUBNET_ID="${subnet.id}"

# Get next free IP
FREE_IP=$(curl -s "$API/subnets/$SUBNET_ID/first-free" \\
  -H "Authorization: Bearer $KEY" | jq -r '.ip')

if [ "$FREE_IP" = "null" ]; then
  echo "No available IPs"
  exit 1
fi

# Assign it
curl -X POST "$API/subnets/$SUBNET_ID/addresses" \\
  -H "Authorization: Bearer $KEY" \\
  -H "Content-Type: application/json" \\
  -d "{\\"ip\\": \\"$FREE_IP\\", \\"hostname\\": \\"$(hostname)\\", \\"status\\": \\"assigned\\"}"

echo "Assigned $FREE_IP"
`;
    const run = await sh(script);
    expect(run.code).toBe(0);
    expect(run.out).toContain("Assigned 10.0.1.51");
    const hostname = (await sh("hostname")).out.trim();
    const made = await json(base, tenant, "GET", "/addresses?ip=10.0.1.51");
    expect(made.body.items[0]).toMatchObject({ ip: "10.0.1.51", hostname, status: "assigned" });
    // Fill the subnet: the script's "null" branch must trigger.
    await json(base, tenant, "POST", `/subnets/${subnet.id}/addresses`, { count: 203 });
    const full = await sh(script);
    expect(full.code).toBe(1);
    expect(full.out.trim()).toBe("No available IPs");
  });
});
