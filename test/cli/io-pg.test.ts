/**
 * `ipcraft import` and `ipcraft export` with `--db postgres://…`: the same commands, output and
 * all-or-nothing imports as on a SQLite file (test/io/cli.test.ts), through the Store; an app
 * serving the same database sees the import at once and exports the same bytes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { runCliCaptured } from "../helpers/cli";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn, type Tenant } from "../helpers/tenant";

usePgCluster();

const cli = runCliCaptured;

describe("ipcraft import and export on PostgreSQL", () => {
  let pg: TestPgDatabase;
  let dir: string;
  let tenant: Tenant;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    pg = await freshPgDatabase({ migrated: true });
    dir = mkdtempSync(join(tmpdir(), "ipcraft-io-pg-"));
    const store = createPgStore(pg.sql);
    tenant = await createTenantIn(store);
    app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  });
  afterAll(async () => {
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = async (path: string) => (await app.handle(new Request(`http://localhost/api/v1${path}`, { headers: tenant.bearer }))).text();
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test("dry run, import, a bad file that writes nothing, export to a file: as on SQLite", async () => {
    const db = pg.url;
    const subnets = file("s.csv", "cidr,name,section\n10.0.0.0/16,core,DC\n10.0.1.0/24,=web,DC\n");
    const dry = await cli(["import", "subnets", subnets, "--db", db, "--email", tenant.email, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.out[0]).toStartWith("dry run: 2 rows are fine; the import would create 2 subnets and 1 section; nothing was written");
    expect(JSON.parse(await api("/subnets")).total).toBe(0);

    const real = await cli(["import", "subnets", subnets, "--db", db, "--email", tenant.email]);
    expect(real.code).toBe(0);
    expect(real.err).toEqual(["importing subnets: 2/2 rows (100%)"]);
    expect(real.out).toEqual([expect.stringMatching(/^imported 2 rows from .*s\.csv: created 2 subnets and 1 section in [\d.]+ s$/)]);
    // The app over the same database (its memory loaded before the CLI wrote) sees the new subnets.
    expect(JSON.parse(await api("/subnets")).items.map((s: any) => s.cidr)).toEqual(["10.0.0.0/16", "10.0.1.0/24"]);

    const bad = await cli(["import", "addresses", file("bad.csv", "ip,hostname\n10.0.1.5,a\n10.0.1.255,broadcast\n10.0.1.5,twice\n"), "--db", db, "--email", tenant.email]);
    expect(bad.code).toBe(1);
    expect(bad.err.filter((l) => l.startsWith("row ")).map((l) => l.split(":")[0])).toEqual(["row 3", "row 4"]);
    expect(await api("/export/addresses.csv")).toBe("ip,vrf,hostname,status,owner,mac,description\r\n");

    expect((await cli(["import", "addresses", file("a.csv", "ip,hostname\n10.0.1.5,a\n10.0.2.9,b\n"), "--db", db, "--email", tenant.email])).code).toBe(0);
    const web = JSON.parse(await api("/subnets?q=web")).items[0];
    expect(JSON.parse(await api(`/subnets/${web.id}/first-free`))).toEqual({ ip: "10.0.1.1" });

    for (const kind of ["subnets", "addresses"] as const) {
      const target = join(dir, `out-${kind}.csv`);
      const r = await cli(["export", kind, target, "--db", db, "--email", tenant.email]);
      expect(r.code).toBe(0);
      expect(r.out[0]).toMatch(new RegExp(`^exported 2 ${kind} to .*out-${kind}\\.csv in`));
      expect(readFileSync(target, "utf8")).toBe(await api(`/export/${kind}.csv`));
    }
    const json = join(dir, "all.json");
    expect((await cli(["export", "json", json, "--db", db, "--email", tenant.email])).code).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).addresses.map((a: any) => a.ip)).toEqual(["10.0.1.5", "10.0.2.9"]);
    expect((await cli(["export", "json", join(dir, "x.json"), "--db", db, "--email", "nobody@example.org"])).err[0]).toContain("no user with the email nobody@example.org");
  });
});
