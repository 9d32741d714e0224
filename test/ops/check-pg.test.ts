/**
 * `ipcraft check` read only SQLite, and `backup`/`restore` given a postgres:// URL treated it
 * as a file name. Now check runs the same checks on PostgreSQL with the same output (the same
 * damage gives the same lines on both backends), adds PostgreSQL's own (row-level security
 * forced on every tenant table), and backup/restore explain in one sentence what to use instead.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runCli } from "../../src/main";
import { copyDeployment } from "../../src/ops/copy";
import { ipamFixture } from "../ipam/fixture";
import { runCliCaptured } from "../helpers/cli";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { tempDir } from "../helpers/tmp";

usePgCluster();

const cli = runCliCaptured;

describe("ipcraft check on PostgreSQL", () => {
  let dir: string;
  let pg: TestPgDatabase;
  let childId: string;
  let rootId: string;
  let foreignSection: string;

  beforeAll(async () => {
    dir = tempDir();
    const f = ipamFixture();
    const root = await f.subnet("10.0.0.0/16");
    const child = await f.subnet("10.0.1.0/24");
    childId = child.id;
    rootId = root.id;
    const other = f.createTenant();
    foreignSection = (await f.as(other).post("/sections", { name: "Theirs" })).body.id;
    await f.api.post(`/subnets/${child.id}/addresses`, { count: 5 });
    await f.api.post(`/subnets/${root.id}/addresses`, { count: 2 });
    const v6 = await f.subnet("2001:db8::/64");
    await f.api.post(`/subnets/${v6.id}/addresses`, { count: 3 });
    f.database.sqlite.query("VACUUM INTO ?").run(`${dir}/a.db`);
    f.database.close();
    pg = await freshPgDatabase();
    await copyDeployment(`${dir}/a.db`, pg.url);
  });
  afterAll(() => pg?.drop());

  test("a sound database passes with the same summary as on SQLite", async () => {
    const onPg = await cli(["check", "--db", pg.url]);
    const onSqlite = await cli(["check", "--db", `${dir}/a.db`]);
    expect([onPg.code, onSqlite.code]).toEqual([0, 0]);
    expect(onPg.out).toEqual(["ipcraft check: ok: 2 organizations, 3 subnets, 10 addresses; PostgreSQL row-level security and foreign keys, subnet hierarchy, address placement, no duplicates, utilization"]);
    expect(onSqlite.out[0]!.replace("SQLite integrity", "PostgreSQL row-level security")).toBe(onPg.out[0]!);
  });

  test("the same damage gives the same lines on both backends; lifted RLS is reported", async () => {
    const sqlite = new Database(`${dir}/a.db`);
    sqlite.query("UPDATE subnets SET parent_id = NULL WHERE id = ?").run(childId);
    sqlite.query("UPDATE subnets SET section_id = ? WHERE id = ?").run(foreignSection, rootId);
    sqlite.close();
    await pg.sql`UPDATE subnets SET parent_id = NULL WHERE id = ${childId}`;
    await pg.sql`UPDATE subnets SET section_id = ${foreignSection} WHERE id = ${rootId}`;
    await pg.sql`ALTER TABLE addresses NO FORCE ROW LEVEL SECURITY`;
    const onPg = await cli(["check", "--db", pg.url]);
    const onSqlite = await cli(["check", "--db", `${dir}/a.db`]);
    expect([onPg.code, onSqlite.code]).toEqual([1, 1]);
    expect(onPg.out[0]).toBe("postgres: table addresses is not under forced row-level security (tenant isolation's second wall)");
    expect(onPg.out.slice(1, -1)).toEqual(onSqlite.out.slice(0, -1));
    expect([onPg.out.at(-1), onSqlite.out.at(-1)]).toEqual(["3 problems found (2 organizations, 3 subnets, 10 addresses)", "2 problems found (2 organizations, 3 subnets, 10 addresses)"]);
    expect(onSqlite.out.join("\n")).toContain(`subnet: subnet ${rootId} (10.0.0.0/16): filed in section ${foreignSection} of another organization`);
    expect(onSqlite.out.join("\n")).toMatch(/hierarchy: subnet .* \(10\.0\.1\.0\/24\): parent_id is null, but its smallest container is/);
    await pg.sql`ALTER TABLE addresses FORCE ROW LEVEL SECURITY`;
  });
});

describe("backup and restore on PostgreSQL", () => {
  test("each says what to use instead, exit code 2, no stack trace, password never shown", async () => {
    const url = "postgres://ipcraft:s3cret@db.example.org:5432/ipcraft";
    const backup = await cli(["backup", "nightly.db", "--db", url]);
    expect(backup.code).toBe(2);
    expect(backup.err).toEqual([
      "ipcraft backup: backup copies a SQLite file; on PostgreSQL use pg_dump (e.g. pg_dump -Fc -f ipcraft.dump <url>), or `ipcraft copy --from <url> --to ./ipcraft.db` for a SQLite copy",
    ]);
    const restore = await cli(["restore", "nightly.db"].concat(["--db", url]));
    expect(restore.code).toBe(2);
    expect(restore.err).toHaveLength(1);
    expect(restore.err[0]).toMatch(/^ipcraft restore: restore replaces a SQLite file; on PostgreSQL use pg_restore .*ipcraft copy --from \.\/backup\.db --to <url>`$/);
    for (const line of [...backup.err, ...restore.err, ...backup.out, ...restore.out]) {
      expect(line).not.toContain("s3cret");
      expect(line).not.toMatch(/\n\s+at /);
    }
    // IPCRAFT_DB works the same way.
    const viaEnv = await runCli(["backup", "x.db"], { IPCRAFT_DB: url }, () => {}, () => {});
    expect(viaEnv).toBe(2);
  });
});
