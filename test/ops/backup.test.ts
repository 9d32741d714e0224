import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { openDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS } from "../../src/db/migrate";
import { acquireServerLock } from "../../src/db/server-lock";
import { backupDatabase, restoreDatabase, verifyIpcraftDatabase } from "../../src/ops/backup";
import { runCli } from "../../src/main";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

function orgNames(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const names = (db.query("SELECT name FROM organizations ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  db.close();
  return names;
}

describe("backup and restore", () => {
  test("a backup restores to the same data, and the replaced database is kept aside", () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    const database = openDatabase(live);
    createTenant(database, { orgName: "Before backup" });
    database.close();
    backupDatabase(live, `${dir}/b1.db`);

    const again = openDatabase(live);
    createTenant(again, { orgName: "After backup" });
    again.close();
    expect(orgNames(live)).toEqual(["After backup", "Before backup"]);

    const result = restoreDatabase(live, `${dir}/b1.db`, new Date("2026-11-29T10:00:00Z"));
    expect(orgNames(live)).toEqual(["Before backup"]);
    expect(result.keptAside).toBe(`${live}.replaced-2026-11-29T10-00-00-000Z`);
    expect(orgNames(result.keptAside!)).toEqual(["After backup", "Before backup"]);
  });

  test("backup refuses to overwrite a file unless forced", () => {
    const dir = tempDir();
    openDatabase(`${dir}/ipcraft.db`).close();
    writeFileSync(`${dir}/taken.db`, "precious");
    expect(() => backupDatabase(`${dir}/ipcraft.db`, `${dir}/taken.db`)).toThrow(/already exists/);
    backupDatabase(`${dir}/ipcraft.db`, `${dir}/taken.db`, { force: true });
    expect(verifyIpcraftDatabase(`${dir}/taken.db`)).toBeNull();
  });

  test("restore refuses while a server holds the database, and changes nothing", () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    const database = openDatabase(live);
    createTenant(database, { orgName: "Live" });
    database.close();
    backupDatabase(live, `${dir}/b.db`);
    const lock = acquireServerLock(live);
    try {
      expect(() => restoreDatabase(live, `${dir}/b.db`)).toThrow(/in use/);
    } finally {
      lock.release();
    }
    expect(orgNames(live)).toEqual(["Live"]);
  });

  test("restore refuses files that are not ipcraft databases, and changes nothing", () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    const database = openDatabase(live);
    createTenant(database, { orgName: "Keep me" });
    database.close();
    writeFileSync(`${dir}/garbage.db`, "this is not sqlite at all, just text padding ".repeat(100));
    const other = new Database(`${dir}/other.db`, { create: true });
    other.run("CREATE TABLE notes (t TEXT)");
    other.close();
    expect(() => restoreDatabase(live, `${dir}/garbage.db`)).toThrow(/will not restore/);
    expect(() => restoreDatabase(live, `${dir}/other.db`)).toThrow(/not an ipcraft database/);
    expect(() => restoreDatabase(live, `${dir}/missing.db`)).toThrow(/no file/);
    expect(orgNames(live)).toEqual(["Keep me"]);
  });

  test("restore refuses the database itself as its backup (any spelling of its path), and changes nothing", async () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    const database = openDatabase(live);
    createTenant(database, { orgName: "Only copy" });
    database.close();
    expect(() => restoreDatabase(live, live)).toThrow(/over itself/);
    expect(() => restoreDatabase(live, `${dir}/./ipcraft.db`)).toThrow(/over itself/);
    expect(orgNames(live)).toEqual(["Only copy"]);
    // The CLI says so and exits 2, with the database where it was.
    const lines: string[] = [];
    const code = await runCli(["restore", live, "--db", live], {}, (l) => lines.push(l), (l) => lines.push(l));
    expect(code).not.toBe(0);
    expect(lines.join("\n")).toContain("over itself");
    expect(orgNames(live)).toEqual(["Only copy"]);
  });

  test("a restore whose migration fails puts the replaced database back, with nothing left aside", async () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    const database = openDatabase(live);
    createTenant(database, { orgName: "Still here" });
    database.close();
    // A backup that passes every check but cannot be migrated: its records of the migrations
    // from the one that adds activity.seq on are gone, so opening it adds that column again.
    const broken = openDatabase(`${dir}/broken.db`);
    createTenant(broken, { orgName: "From the backup" });
    const addsSeq = EMBEDDED_MIGRATIONS.find((m) => m.sql.some((statement) => statement.includes("ALTER TABLE `activity` ADD `seq`")))!;
    broken.sqlite.run("DELETE FROM __drizzle_migrations WHERE created_at >= ?", [addsSeq.folderMillis]);
    broken.close();
    expect(verifyIpcraftDatabase(`${dir}/broken.db`)).toBeNull();

    expect(() => restoreDatabase(live, `${dir}/broken.db`)).toThrow(
      /: the database could not be brought up to this version's schema: duplicate column name: seq; the database was left as it was$/,
    );
    expect(orgNames(live)).toEqual(["Still here"]);
    expect(readdirSync(dir).filter((f) => f.includes("replaced"))).toEqual([]);
    const reopened = openDatabase(live); // and it still opens as a working database
    expect(reopened.sqlite.query("SELECT count(*) AS n FROM organizations").get()).toEqual({ n: 1 });
    reopened.close();
    // Any command on such a file says the same in one line, not the migration's SQL.
    const lines: string[] = [];
    expect(await runCli(["keys", "list", "--email", "a@example.org", "--db", `${dir}/broken.db`], {}, (l) => lines.push(l), (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual(["ipcraft: the database could not be brought up to this version's schema: duplicate column name: seq"]);
  });

  test("backups taken while another process writes are consistent snapshots", async () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    openDatabase(live).close();
    // A writer in another process: one organization per transaction, numbered 1, 2, 3, ...
    const writer = Bun.spawn(
      [
        process.execPath,
        "-e",
        `const { Database } = require("bun:sqlite");
         const db = new Database(${JSON.stringify(live)}); db.run("PRAGMA busy_timeout = 5000");
         let i = 0; const t = new Date().toISOString();
         const tick = () => { for (let k = 0; k < 50; k++) { i++; db.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, ?, 'unlimited', ?, ?)", [String(i).padStart(8, "0"), "o" + i, t, t]); } setTimeout(tick, 1); };
         tick(); console.log("writing");`,
      ],
      { stdout: "pipe" },
    );
    await writer.stdout.getReader().read();
    try {
      for (let n = 0; n < 5; n++) {
        await Bun.sleep(20);
        const file = `${dir}/snap${n}.db`;
        backupDatabase(live, file);
        expect(verifyIpcraftDatabase(file)).toBeNull();
        const db = new Database(file, { readonly: true });
        const ids = (db.query("SELECT id FROM organizations ORDER BY id").all() as { id: string }[]).map((r) => Number(r.id));
        db.close();
        // A consistent snapshot holds exactly the writes 1..k for some k: no gaps, nothing half-done.
        expect(ids).toEqual(ids.map((_, i) => i + 1));
      }
    } finally {
      writer.kill();
      await writer.exited;
    }
  });

  test("the CLI: backup <file>, restore <file>, and usage errors", async () => {
    const dir = tempDir();
    const live = `${dir}/ipcraft.db`;
    openDatabase(live).close();
    const out: string[] = [];
    const err: string[] = [];
    const cli = (argv: string[]) => runCli(argv, {}, (l) => out.push(l), (l) => err.push(l));
    expect(await cli(["backup", `${dir}/cli.db`, "--db", live])).toBe(0);
    expect(existsSync(`${dir}/cli.db`)).toBe(true);
    expect(out.join("\n")).toContain("backup written");
    expect(await cli(["backup", "--db", live])).toBe(2);
    expect(await cli(["restore", `${dir}/cli.db`, "--db", live])).toBe(0);
    expect(out.join("\n")).toContain("kept as");
    expect(await cli(["restore", `${dir}/nope.db`, "--db", live])).toBe(1);
    expect(err.join("\n")).toContain("will not restore");
  });
});
