/**
 * `ipcraft import|export` in-process (runCli) on a temporary database file, next to an app
 * that has the same file open (as a running server would): same CSV as the API, progress
 * lines on stderr when it is not a terminal, bad rows one per line, exit codes 0/1/2.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { runCli } from "../../src/main";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

function setup() {
  const dir = tempDir("ipcraft-io-cli");
  const db = join(dir, "ipcraft.db");
  const database = openDatabase(db);
  const tenant = createTenant(database);
  const other = createTenant(database);
  const app = createApp({ database, config: defaultServerConfig({ db }), logger: createMemoryLogger() });
  const call = async (method: string, path: string, who = tenant) => {
    const response = await app.handle(new Request(`http://localhost/api/v1${path}`, { method, headers: who.bearer }));
    return { status: response.status, text: await response.text() };
  };
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, "--db", db], {}, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  }
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return { dir, db, database, tenant, other, call, cli, file };
}

const SUBNETS = "cidr,vrf,name,description,section,vlan\r\n10.0.0.0/16,default,Core,,DC,10\r\n10.0.1.0/24,default,=web,\"a, b\",DC,\r\n";

describe("ipcraft import", () => {
  test("imports a file into the user's organization, with progress lines and a summary; a running app sees it at once", async () => {
    const s = setup();
    const before = await s.call("GET", "/subnets");
    expect(JSON.parse(before.text).total).toBe(0); // the app's memory is loaded before the CLI writes
    const r = await s.cli("import", "subnets", s.file("subnets.csv", SUBNETS), "--email", s.tenant.email);
    expect(r.code).toBe(0);
    expect(r.err).toEqual(["importing subnets: 2/2 rows (100%)"]);
    expect(r.out).toEqual([expect.stringMatching(/^imported 2 rows from .*subnets\.csv: created 2 subnets and 1 section in [\d.]+ s$/)]);

    const addresses = "ip,hostname,description\n10.0.1.5,web-5,\"multi\nline\"\n10.0.9.9,core-9,\n";
    const imported = await s.cli("import", "addresses", s.file("a.csv", addresses), "--email", s.tenant.email);
    expect(imported.code).toBe(0);
    expect(imported.out).toEqual([expect.stringMatching(/^imported 2 rows from .*a\.csv: created 2 addresses in [\d.]+ s$/)]);
    const list = JSON.parse((await s.call("GET", "/subnets?q=10.0.1.0/24")).text);
    const web = list.items[0];
    expect(web.utilization.used).toBe("1");
    expect(JSON.parse((await s.call("GET", `/subnets/${web.id}/first-free`)).text)).toEqual({ ip: "10.0.1.1" });
    expect((await s.call("GET", "/export/subnets.csv")).text).toBe(SUBNETS.replace("=web", "'=web"));
    // Another organization is untouched, and the activity entry names the CLI user.
    expect(JSON.parse((await s.call("GET", "/subnets", s.other)).text).total).toBe(0);
    const log = JSON.parse((await s.call("GET", "/activity")).text);
    const entry = log.items.find((e: { action: string }) => e.action === "address.import");
    expect(entry).toMatchObject({ actor: { type: "user", label: `${s.tenant.email} (CLI)` }, changes: { addresses_created: [0, 2] } });
    const one = await s.cli("import", "addresses", s.file("one.csv", "ip\n10.0.1.6\n"), "--email", s.tenant.email);
    expect(one.out).toEqual([expect.stringMatching(/: created 1 address in [\d.]+ s$/)]);
  });

  test("a bad file: every bad row on its own line, exit 1, nothing written", async () => {
    const s = setup();
    await s.cli("import", "subnets", s.file("subnets.csv", SUBNETS), "--email", s.tenant.email);
    const before = (await s.call("GET", "/export/addresses.csv")).text;
    const bad = "ip,status\n10.0.1.5,assigned\n10.0.1.6,broken\n99.9.9.9,\n10.0.1.5,\n";
    const r = await s.cli("import", "addresses", s.file("bad.csv", bad), "--email", s.tenant.email);
    expect(r.code).toBe(1);
    const rowLines = r.err.filter((l) => l.startsWith("row "));
    expect(rowLines.map((l) => l.split(":")[0])).toEqual(["row 3", "row 4", "row 5"]);
    expect(r.err.at(-1)).toBe(`nothing was imported: 3 bad rows in ${join(s.dir, "bad.csv")}`);
    expect((await s.call("GET", "/export/addresses.csv")).text).toBe(before);
  });

  test("--dry-run reports and writes nothing", async () => {
    const s = setup();
    const r = await s.cli("import", "subnets", s.file("subnets.csv", SUBNETS), "--email", s.tenant.email, "--dry-run");
    expect(r.code).toBe(0);
    expect(r.out[0]).toStartWith("dry run: 2 rows are fine; the import would create 2 subnets and 1 section; nothing was written");
    expect(r.err).toEqual(["checking subnets: 2/2 rows (100%)"]);
    expect(JSON.parse((await s.call("GET", "/subnets")).text).total).toBe(0);
    expect(s.database.sqlite.query("SELECT COUNT(*) AS n FROM activity").get()).toEqual({ n: 0 });
  });

  test("usage errors exit 2; an unknown user, a missing file or a viewer exit 1", async () => {
    const s = setup();
    const path = s.file("subnets.csv", SUBNETS);
    expect((await s.cli("import", "subnets", path)).code).toBe(2);
    expect((await s.cli("import", "routers", path, "--email", s.tenant.email)).code).toBe(2);
    expect((await s.cli("import", "subnets", "--email", s.tenant.email)).code).toBe(2);
    expect((await s.cli("export", "subnets", "a", "b", "--email", s.tenant.email)).code).toBe(2);
    const unknown = await s.cli("import", "subnets", path, "--email", "nobody@example.org");
    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toContain("no user with the email nobody@example.org");
    expect((await s.cli("import", "subnets", join(s.dir, "missing.csv"), "--email", s.tenant.email)).code).toBe(1);
    const viewer = createTenant(s.database, { role: "viewer" });
    expect((await s.cli("import", "subnets", path, "--email", viewer.email)).code).toBe(1);
    expect(JSON.parse((await s.call("GET", "/subnets")).text).total).toBe(0);
  });
});

describe("ipcraft export", () => {
  test("writes the same bytes as the API to FILE, refuses to overwrite without --force", async () => {
    const s = setup();
    await s.cli("import", "subnets", s.file("subnets.csv", SUBNETS), "--email", s.tenant.email);
    await s.cli("import", "addresses", s.file("a.csv", "ip,owner\n10.0.1.5,+team\n10.0.2.1,@x\n"), "--email", s.tenant.email);
    for (const kind of ["subnets", "addresses"]) {
      const target = join(s.dir, `out-${kind}.csv`);
      const r = await s.cli("export", kind, target, "--email", s.tenant.email);
      expect(r.code).toBe(0);
      expect(r.out[0]).toMatch(new RegExp(`^exported 2 ${kind} to .*out-${kind}\\.csv in`));
      expect(r.err).toEqual([`exporting ${kind}: 2/2 rows (100%)`]);
      expect(readFileSync(target, "utf8")).toBe((await s.call("GET", `/export/${kind}.csv`)).text);
      const again = await s.cli("export", kind, target, "--email", s.tenant.email);
      expect(again.code).toBe(1);
      expect((await s.cli("export", kind, target, "--email", s.tenant.email, "--force")).code).toBe(0);
    }
    const json = join(s.dir, "all.json");
    expect((await s.cli("export", "json", json, "--email", s.tenant.email)).code).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).addresses).toHaveLength(2);
  });

  test("writes to stdout when no FILE is given (the binary's entry point, as a user runs it)", async () => {
    const s = setup();
    await s.cli("import", "subnets", s.file("subnets.csv", SUBNETS), "--email", s.tenant.email);
    const child = Bun.spawnSync(["bun", "src/main.ts", "export", "subnets", "--db", s.db, "--email", s.tenant.email], {
      cwd: join(import.meta.dir, "../.."),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(child.exitCode).toBe(0);
    expect(child.stdout.toString()).toBe((await s.call("GET", "/export/subnets.csv")).text);
    expect(child.stderr.toString()).toContain("exported 2 subnets in");
  });

  test("piped into a reader that stops early (| head), it stops quietly with exit 0", async () => {
    const s = setup();
    await s.cli("import", "subnets", s.file("subnets.csv", "cidr\n10.8.0.0/16\n"), "--email", s.tenant.email);
    const subnet = JSON.parse((await s.call("GET", "/subnets")).text).items[0];
    // ~4,000 rows: far more than a pipe's buffer, so the writer meets the closed pipe.
    const allocate = new Request(`http://localhost/api/v1/subnets/${subnet.id}/addresses`, {
      method: "POST",
      headers: { ...s.tenant.bearer, "content-type": "application/json" },
      body: JSON.stringify({ count: 4000, hostname: "host-with-a-long-enough-name" }),
    });
    const app = createApp({ database: s.database, config: defaultServerConfig({ db: s.db }), logger: createMemoryLogger() });
    expect((await app.handle(allocate)).status).toBe(201);
    const script = `bun src/main.ts export addresses --db '${s.db}' --email '${s.tenant.email}' | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const child = Bun.spawnSync(["bash", "-c", script], { cwd: join(import.meta.dir, "../.."), stdout: "pipe", stderr: "pipe" });
    const stderr = child.stderr.toString();
    expect(stderr).not.toContain("EPIPE");
    expect(stderr).toContain("exit=0");
  });
});
