/**
 * The database file as the operating system sees it, with the real `ipcraft` binary:
 * - the one-server lock was keyed on the path string, so through a symbolic link a second
 *   server started on the same file, and `restore` replaced the file under a running server
 *   (whose later 201s then went to the replaced file: acknowledged writes lost);
 * - on a read-only filesystem `serve` claimed the database "is in use by another ipcraft
 *   server", and `export` could print its success line before failing.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { api, databaseWithTenant, killLeftovers, runBinary, startChild } from "./child-server";
import { tempDir } from "../helpers/tmp";

afterAll(killLeftovers);

describe("one server per real file", () => {
  test("a second serve through a symbolic link is refused; restore through a link beside the server is refused and changes nothing", async () => {
    const { dir, db, tenant } = databaseWithTenant("ipcraft-symlink");
    const server = await startChild(dir, db);
    const links = tempDir("ipcraft-links");
    symlinkSync(db, join(links, "same.db"));
    symlinkSync(dir, join(links, "same-folder"));
    try {
      for (const path of [join(links, "same.db"), join(links, "same-folder", "ipcraft.db")]) {
        const second = await runBinary(["serve", "--port", "0", "--db", path]);
        expect(second.code).toBe(1);
        expect(second.err).toContain(`is in use by another ipcraft server (pid ${server.proc.pid})`);
      }

      const before = await api(server.url, tenant, "POST", "/subnets", { cidr: "10.7.0.0/24" });
      expect(before.status).toBe(201);
      const backup = join(tempDir("ipcraft-backup"), "old.db");
      expect((await runBinary(["backup", backup, "--db", db])).code).toBe(0);
      const restore = await runBinary(["restore", backup, "--db", join(links, "same.db")]);
      expect(restore.code).toBe(1);
      expect(restore.err).toContain("is in use by another ipcraft server");
      expect(readdirSync(dir).filter((f) => f.includes("replaced"))).toEqual([]);

      // The server still writes to the file that is there: what it acknowledges is kept.
      const after = await api(server.url, tenant, "POST", `/subnets/${before.body.id}/addresses`, {});
      expect(after.status).toBe(201);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const exported = await runBinary(["export", "addresses", "--db", join(links, "same.db"), "--email", tenant.email]);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain("10.7.0.1");
  });
});

/**
 * A read-only folder for the database: a read-only bind mount when we may mount (root, as in
 * CI), else a folder without write permission — both make opening the lock file fail in
 * the same call (EROFS or EACCES), which is the code path under test.
 */
function readOnlyCopyOf(dir: string): { path: string; reason: RegExp; undo: () => void } {
  const view = tempDir("ipcraft-ro");
  const mounted = Bun.spawnSync(["mount", "--bind", dir, view]).exitCode === 0;
  if (mounted && Bun.spawnSync(["mount", "-o", "remount,ro,bind", view]).exitCode === 0) {
    return { path: view, reason: /read-only file system/, undo: () => void Bun.spawnSync(["umount", view]) };
  }
  if (mounted) Bun.spawnSync(["umount", view]);
  chmodSync(dir, 0o555);
  return { path: dir, reason: /permission denied/, undo: () => chmodSync(dir, 0o755) };
}

describe("a read-only filesystem", () => {
  test("serve and export say what is wrong, exit 1, and print no success first", async () => {
    const { dir, tenant } = databaseWithTenant("ipcraft-readonly");
    const ro = readOnlyCopyOf(dir);
    try {
      const db = join(ro.path, "ipcraft.db");
      const serve = await runBinary(["serve", "--port", "0", "--db", db]);
      expect(serve.code).toBe(1);
      expect(serve.err).toMatch(new RegExp(`cannot write ${db}\\.lock: ${ro.reason.source}`));
      expect(serve.err).not.toContain("in use");
      expect(serve.out).not.toContain("listening");

      const toStdout = await runBinary(["export", "subnets", "--db", db, "--email", tenant.email]);
      expect(toStdout.code).toBe(1);
      expect(toStdout.err).toMatch(new RegExp(`cannot write ${db}: ${ro.reason.source}`));
      expect(toStdout.err).not.toContain("exported");
      expect(toStdout.out).toBe("");

      const out = join(tempDir("ipcraft-out"), "subnets.csv");
      const toFile = await runBinary(["export", "subnets", out, "--db", db, "--email", tenant.email]);
      expect(toFile.code).toBe(1);
      expect(toFile.out).not.toContain("exported");
    } finally {
      ro.undo();
    }
    // An export *into* a read-only folder: the same plain sentence.
    const target = tempDir("ipcraft-ro-target");
    mkdirSync(join(target, "out"));
    const roTarget = readOnlyCopyOf(join(target, "out"));
    try {
      const file = join(roTarget.path, "subnets.csv");
      const r = await runBinary(["export", "subnets", file, "--db", join(dir, "ipcraft.db"), "--email", tenant.email]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`cannot write ${file}: ${roTarget.reason.source}`));
      expect(r.out).toBe("");
    } finally {
      roTarget.undo();
    }
  });
});
