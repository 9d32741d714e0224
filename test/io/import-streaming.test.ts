/**
 * A 100,000-row import once held 30–40 times its file in memory: the whole text decoded,
 * every record parsed and every row checked into objects before the first row was placed.
 * Now an address import reads the bytes a piece at a time and places each row as it comes,
 * so what it holds is the bytes, one piece of text and one row (the figures are in
 * bench/import-memory.ts). These tests pin that down without timing anything: rows are written
 * before the end of the file has even been decoded; and the takes, now undone from one
 * compact journal entry instead of one closure per row, still roll back exactly.
 */
import { describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/db/client";
import { importAddresses } from "../../src/features/io/import-addresses";
import type { ImportDeps } from "../../src/features/io/import-run";
import { importSubnets } from "../../src/features/io/import-subnets";
import { IpamRegistry } from "../../src/ipam/registry";
import { createTenant } from "../helpers/tenant";
import { vrfStatements } from "../../src/store/sqlite/vrfs";

function setup(subnets: string) {
  const database = openDatabase(":memory:");
  const tenant = createTenant(database);
  // The files below use VRF "blue": it must exist (issue 15).
  vrfStatements(database).insert(tenant.orgId, { id: crypto.randomUUID(), name: "blue", description: "", at: new Date().toISOString() });
  const deps: ImportDeps = { database, registry: IpamRegistry.load(database) };
  const actor = { type: "user", id: tenant.userId, label: tenant.email } as const;
  const run = (kind: "subnets" | "addresses", csv: string | Uint8Array, dryRun = false, onProgress?: (done: number, total: number) => void) => {
    const input = { orgId: tenant.orgId, actor, csv: typeof csv === "string" ? new TextEncoder().encode(csv) : csv, dryRun, onProgress };
    return kind === "subnets" ? importSubnets(deps, input) : importAddresses(deps, input);
  };
  const addressCount = () => database.sqlite.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM addresses WHERE org_id = ?").get(tenant.orgId)!.n;
  /** used addresses of each subnet, by cidr, as the in-memory allocators count them */
  const used = () =>
    Object.fromEntries(
      database.sqlite
        .query<{ id: string }, [string]>("SELECT id FROM subnets WHERE org_id = ?")
        .all(tenant.orgId)
        .map(({ id }) => {
          const state = deps.registry.subnet(tenant.orgId, id)!;
          return [`${state.vrf} ${state.cidr}`, Number(state.allocator.counts().used)];
        }),
    );
  return { run, addressCount, used, ready: run("subnets", subnets) };
}

describe("address imports stream", () => {
  test("rows are checked and written while the end of the file is not decoded yet", async () => {
    const s = setup("cidr\n10.0.0.0/16\n");
    await s.ready;
    // 40,000 good rows (~500 kB, several 64 kB pieces), then a byte that is not UTF-8. The
    // callers refuse such a file up front (isUtf8); here it shows how far the import got
    // before decoding reached that byte.
    const lines = ["ip"];
    for (let n = 1; n <= 40_000; n++) lines.push(`10.0.${n >> 8}.${n & 255}`);
    const good = new TextEncoder().encode(`${lines.join("\n")}\n`);
    const bytes = new Uint8Array(good.length + 3);
    bytes.set(good);
    bytes.set([0xff, 0x0a, 0x31], good.length);

    const writtenAt = new Map<number, number>();
    const run = s.run("addresses", bytes, false, (done) => writtenAt.set(done, s.addressCount()));
    await expect(run).rejects.toThrow(TypeError);
    // Row after row went into the table before the reader met the bad byte at the very end.
    expect(writtenAt.get(1000)).toBe(1000);
    expect(writtenAt.get(20_000)).toBe(20_000);
    // And the failure rolled everything back, rows and memory.
    expect(s.addressCount()).toBe(0);
    expect(s.used()).toEqual({ "default 10.0.0.0/16": 0 });
  });

  test("a dry run and a failed import release every address they took, IPv4 and IPv6, in every VRF", async () => {
    const s = setup("cidr,vrf\n10.0.0.0/24,default\n10.0.0.0/24,blue\n2001:db8::/64,blue\n2001:db8::/64,default\n");
    await s.ready;
    const rows = ["ip,vrf"];
    for (let n = 1; n <= 50; n++) rows.push(`10.0.0.${n},default`, `10.0.0.${n + 100},blue`, `2001:db8::${n.toString(16)},blue`, `2001:db8::${(n + 0x100).toString(16)},default`);
    const file = `${rows.join("\n")}\n`;
    const none = { "default 10.0.0.0/24": 0, "blue 10.0.0.0/24": 0, "blue 2001:db8::/64": 0, "default 2001:db8::/64": 0 };

    expect(await s.run("addresses", file, true)).toEqual({ dry_run: true, rows: 200, created: { addresses: 200 } });
    expect(s.used()).toEqual(none);

    // The same rows, then a duplicate of the first: every row is taken, then all are released.
    const failed = s.run("addresses", `${file}10.0.0.1,default\n`);
    await expect(failed).rejects.toMatchObject({ code: "import_failed", details: { rows: [{ row: 202, error: "10.0.0.1 is listed twice (first on row 2)" }] } });
    expect(s.used()).toEqual(none);
    expect(s.addressCount()).toBe(0);

    expect((await s.run("addresses", file)).created).toEqual({ addresses: 200 });
    expect(s.used()).toEqual({ "default 10.0.0.0/24": 50, "blue 10.0.0.0/24": 50, "blue 2001:db8::/64": 50, "default 2001:db8::/64": 50 });
    expect(s.addressCount()).toBe(200);
  });
});
