/**
 * `ipcraft copy`: there was no way to move a deployment between SQLite and PostgreSQL. A
 * deployment seeded through the app (sections, nested subnets in two VRFs and both families,
 * addresses, keys, users, an invitation and its link, sessions, activity, a webhook with its
 * outbox and the change feed) is copied to
 * PostgreSQL and back to a fresh SQLite file; every table's rows arrive (counts and sample
 * rows compared, blobs and timestamps exact), `check` passes on both targets, and the file
 * copied back answers the API with the same JSON as the original.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { runCli } from "../../src/main";
import { copyDeployment } from "../../src/ops/copy";
import { copyPlan } from "../../src/ops/copy-plan";
import { ipamFixture } from "../ipam/fixture";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";

usePgCluster();

const TABLES = copyPlan().map((t) => t.name);

/** A realistic deployment, written through the app, saved to a file. */
async function seededFile(path: string) {
  const f = ipamFixture();
  // A webhook first: every later change also lands in the change feed and its outbox.
  expect((await f.api.post("/webhooks", { url: "http://127.0.0.1:9/hook", events: ["*"] })).status).toBe(201);
  const section = (await f.api.post("/sections", { name: "Lab", description: "rack 1" })).body;
  const root = await f.subnet("10.0.0.0/16", { section_id: section.id, name: "site" });
  const child = await f.subnet("10.0.1.0/24", { gateway: "10.0.1.1", vlan: 12 });
  const split = await f.subnet("10.0.2.0/24");
  await f.api.post(`/subnets/${split.id}/split`, { parts: 4 });
  await f.api.post(`/subnets/${child.id}/addresses`, { count: 10 });
  await f.address(root.id, { ip: "10.0.9.9", hostname: "db", mac: "aa:bb:cc:dd:ee:ff", status: "reserved" });
  const v6 = await f.subnet("2001:db8:0:1::/64");
  await f.api.post(`/subnets/${v6.id}/addresses`, { count: 3 });
  const lab = await f.subnet("10.0.0.0/16", { vrf: "lab" });
  await f.address(lab.id, { ip: "10.0.1.7" });
  expect((await f.call("POST", "/api/v1/users/invite", { headers: f.tenant.browser, body: { email: "guest@example.org", role: "member" } })).status).toBe(201);
  expect((await f.call("POST", "/api/v1/api-keys", { headers: f.tenant.browser, body: { name: "CI" } })).status).toBe(201);
  const second = f.createTenant({ plan: "pro" });
  const foreign = (await f.as(second).post("/subnets", { cidr: "192.168.0.0/24" })).body;
  await f.as(second).post(`/subnets/${foreign.id}/addresses`, { count: 2 });
  f.database.sqlite.query("VACUUM INTO ?").run(path);
  f.database.close();
  return { tenant: f.tenant, second };
}

function counts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, (db.query(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

/** The answers a user sees, fetched through the real app over `file`. */
async function answers(file: string, who: { browser: Record<string, string> }) {
  const database = openDatabase(file);
  const app = createApp({ database, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
  const get = async (path: string) => {
    const r = await app.handle(new Request(`http://localhost/api/v1${path}`, { headers: who.browser }));
    expect(r.status).toBe(200);
    return r.json();
  };
  try {
    const subnets = await get("/subnets?limit=500");
    const addresses: Record<string, unknown> = {};
    for (const s of subnets.items) addresses[s.id] = await get(`/subnets/${s.id}/addresses?limit=500`);
    return { subnets, addresses, sections: await get("/sections"), activity: await get("/activity?limit=500"), events: await get("/events?limit=1000"), webhooks: await get("/webhooks"), users: await get("/users"), keys: await get("/api-keys") };
  } finally {
    database.close();
  }
}

describe("ipcraft copy", () => {
  let dir: string;
  let pg: TestPgDatabase;
  let seeded: Awaited<ReturnType<typeof seededFile>>;

  beforeAll(async () => {
    dir = tempDir();
    seeded = await seededFile(`${dir}/source.db`);
    pg = await freshPgDatabase();
  });
  afterAll(() => pg?.drop());

  test("SQLite → PostgreSQL → SQLite keeps every row and the same API answers", async () => {
    const before = counts(`${dir}/source.db`);
    for (const t of ["organizations", "users", "invitations", "login_tokens", "sessions", "api_keys", "sections", "subnets", "addresses", "activity", "event_counters", "webhooks", "webhook_deliveries"]) {
      expect(before[t]).toBeGreaterThan(0);
    }

    const up = await copyDeployment(`${dir}/source.db`, pg.url);
    expect(up.check.problems).toEqual([]);
    expect(up.check.backend).toBe("postgres");
    expect(Object.fromEntries(up.tables.map((t) => [t.name, t.rows]))).toEqual(before);
    // Counted by the superuser (no row-level security), table by table.
    for (const t of TABLES) expect([t, (await pg.sql.unsafe(`SELECT count(*)::int AS n FROM "${t}"`))[0].n]).toEqual([t, before[t]]);
    // Sample rows: the 16-byte keys and the timestamps arrive exactly.
    const lite = new Database(`${dir}/source.db`, { readonly: true });
    const addr = lite.query("SELECT id, ip, ip_key, created_at, mac FROM addresses WHERE hostname = 'db'").get() as { id: string; ip_key: Uint8Array; created_at: string };
    const [pgAddr] = await pg.sql`SELECT ip, ip_key, created_at, mac FROM addresses WHERE id = ${addr.id}`;
    expect(Buffer.from(pgAddr.ip_key).equals(Buffer.from(addr.ip_key))).toBe(true);
    expect((pgAddr.created_at as Date).toISOString()).toBe(addr.created_at);
    expect(pgAddr.mac).toBe("aa:bb:cc:dd:ee:ff");
    const sub = lite.query("SELECT id, parent_id, vlan, network_key FROM subnets WHERE vlan = 12").get() as { id: string; parent_id: string; network_key: Uint8Array };
    const [pgSub] = await pg.sql`SELECT parent_id, vlan, network_key FROM subnets WHERE id = ${sub.id}`;
    expect([pgSub.parent_id, pgSub.vlan, Buffer.from(pgSub.network_key).toString("hex")]).toEqual([sub.parent_id, 12, Buffer.from(sub.network_key).toString("hex")]);
    lite.close();
    // Row-level security is forced again after the copy.
    const [{ n: unforced }] = await pg.sql`SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('subnets', 'addresses', 'organizations') AND NOT relforcerowsecurity`;
    expect(unforced).toBe(0);

    const down = await copyDeployment(pg.url, `${dir}/back.db`);
    expect(down.check.problems).toEqual([]);
    expect(counts(`${dir}/back.db`)).toEqual(before);
    expect(await answers(`${dir}/back.db`, seeded.tenant)).toEqual(await answers(`${dir}/source.db`, seeded.tenant));
    expect(await answers(`${dir}/back.db`, seeded.second)).toEqual(await answers(`${dir}/source.db`, seeded.second));
  });

  test("a target that already holds data is refused, with nothing written", async () => {
    // pg already holds the deployment from the test above (or gets it now).
    const [{ n }] = await pg.sql`SELECT count(*)::int AS n FROM organizations`;
    if (n === 0) await copyDeployment(`${dir}/source.db`, pg.url);
    await expect(copyDeployment(`${dir}/source.db`, pg.url)).rejects.toThrow(/already holds data \(organizations: 2, .*\); copy only into an empty database/);
    const [{ n: after }] = await pg.sql`SELECT count(*)::int AS n FROM organizations`;
    expect(after).toBe(2);
    await expect(copyDeployment(pg.url, `${dir}/source.db`)).rejects.toThrow(/already holds data/);
    expect(counts(`${dir}/source.db`).organizations).toBe(2);
  });

  test("as a role that owns the tables but is no superuser (row-level security forced on it too), both ways", async () => {
    // Managed PostgreSQL gives no superuser: the owner is subject to FORCE ROW LEVEL SECURITY.
    const owner = `owner_${process.pid}`;
    const name = `copy_owner_${process.pid}`;
    await pg.sql.unsafe(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
    await pg.sql.unsafe(`CREATE DATABASE ${name} OWNER ${owner}`);
    const url = new URL(pg.url);
    url.username = owner;
    url.pathname = `/${name}`;
    try {
      const up = await copyDeployment(`${dir}/source.db`, url.toString());
      expect(up.check.problems).toEqual([]);
      expect(up.check.counts.organizations).toBe(2);
      const down = await copyDeployment(url.toString(), `${dir}/back-owner.db`);
      expect(down.check.problems).toEqual([]);
      expect(counts(`${dir}/back-owner.db`)).toEqual(counts(`${dir}/source.db`));
    } finally {
      await pg.sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await pg.sql.unsafe(`DROP ROLE IF EXISTS ${owner}`);
    }
  });

  test("the CLI prints a summary and the check; a failed copy into a new file leaves no file", async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await runCli(["copy", "--from", `${dir}/source.db`, "--to", `${dir}/cli.db`], {}, (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(out[0]).toMatch(/^copied \d+ rows in \d+ tables \(.*addresses \d+.*\); counts verified on the target$/);
    expect(out[1]).toMatch(/^ipcraft check: ok: 2 organizations, \d+ subnets, \d+ addresses/);

    const lines: string[] = [];
    expect(await runCli(["copy", "--from", `${dir}/missing.db`, "--to", `${dir}/never.db`], {}, () => {}, (l) => lines.push(l))).toBe(1);
    expect(lines.at(-1)).toBe(`ipcraft: no database at ${dir}/missing.db`);
    expect(existsSync(`${dir}/never.db`)).toBe(false);
    expect(await runCli(["copy", "--from", `${dir}/source.db`], {}, () => {}, (l) => lines.push(l))).toBe(2);
  });
});
