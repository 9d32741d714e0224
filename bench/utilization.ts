/**
 * Utilization with nested record counts (issue 15; ipam/nested-records.ts): what a subnet's
 * view costs when it has 65,536 children or is an IPv6 /64 full of records, and what an
 * address write pays for keeping every ancestor's count. In-process app on an in-memory
 * database, timings of `app.handle` round trips. `bun run bench utilization`.
 */
import { createApp } from "../src/app";
import { defaultServerConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { utilizationIn } from "../src/ipam/nested-records";
import { IpamRegistry } from "../src/ipam/registry";
import { createMemoryLogger } from "../src/logger";
import { createTenant } from "../test/helpers/tenant";

export default async function run(): Promise<void> {
  const database = openDatabase(":memory:");
  const tenant = createTenant(database);
  const app = createApp({ database, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await app.handle(
      new Request(`http://localhost/api/v1${path}`, { method, headers: { ...tenant.bearer, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }),
    );
    return r.json() as Promise<any>;
  };
  const time = async (label: string, n: number, fn: (i: number) => Promise<unknown>) => {
    await fn(0);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    console.log(`| ${label} | ${((performance.now() - t0) / n).toFixed(3)} ms |`);
  };

  const root = await call("POST", "/subnets", { cidr: "2001:db8::/32" });
  const mid = await call("POST", "/subnets", { cidr: "2001:db8:100::/48" });
  const t0 = performance.now();
  const parts = (await call("POST", `/subnets/${mid.id}/split`, { parts: 65_536 })).items;
  const splitMs = performance.now() - t0;
  const leaf = parts[1234];
  await call("POST", `/subnets/${leaf.id}/addresses`, { count: 10_000 });
  const deep = await call("POST", "/subnets", { cidr: "2001:db8:100:4d2::/96" }); // under the leaf, adopts its records
  await call("POST", `/subnets/${deep.id}/addresses`, { count: 1000 });

  console.log(`split of a /48 into 65,536 /64s (setup): ${(splitMs / 1000).toFixed(1)} s\n`);
  console.log("| operation | mean |");
  console.log("|---|---|");
  await time("GET the /48 with 65,536 children", 200, () => call("GET", `/subnets/${mid.id}`));
  await time("GET the /32 (grandparent)", 200, () => call("GET", `/subnets/${root.id}`));
  await time("GET a /64 holding 10,000 records", 200, () => call("GET", `/subnets/${leaf.id}`));
  await time("allocate 1 address 4 levels deep (updates 3 ancestors)", 500, () => call("POST", `/subnets/${deep.id}/addresses`, {}));
  // The in-memory part alone, on a registry loaded from the same rows (what boot builds).
  const registry = IpamRegistry.load(database);
  const state = registry.subnet(tenant.orgId, mid.id)!;
  const scope = registry.nestedScope(state);
  const n = 100_000;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) utilizationIn(scope, state);
  console.log(`| utilizationIn of the /48, in memory | ${(((performance.now() - t1) / n) * 1000).toFixed(2)} µs |`);
  const u = (await call("GET", `/subnets/${root.id}`)).utilization;
  console.log(`\n/32 utilization after: used ${u.used}, in_children ${u.in_children}, percent ${u.percent}`);
  database.close();
}

if (import.meta.main) await run();
