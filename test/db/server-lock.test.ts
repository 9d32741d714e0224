import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { acquireServerLock, DatabaseInUseError, realDatabasePath } from "../../src/db/server-lock";
import { tempDir } from "../helpers/tmp";

describe("one server per database file", () => {
  test("a second lock on the same file is refused with the holder's pid; release frees it", () => {
    const path = `${tempDir()}/a.db`;
    const first = acquireServerLock(path);
    expect(() => acquireServerLock(path)).toThrow(DatabaseInUseError);
    expect(() => acquireServerLock(path)).toThrow(`in use by another ipcraft server (pid ${process.pid})`);
    first.release();
    const again = acquireServerLock(path);
    again.release();
  });

  test("different files do not block each other", () => {
    const dir = tempDir();
    const a = acquireServerLock(`${dir}/a.db`);
    const b = acquireServerLock(`${dir}/b.db`);
    a.release();
    b.release();
  });

  test("a killed holder's lock does not block the next start", async () => {
    const path = `${tempDir()}/crash.db`;
    const holder = Bun.spawn(
      // Keep a reference: a collected lock connection would release the lock early.
      [process.execPath, "-e", `globalThis.heldLock = require(${JSON.stringify(`${import.meta.dir}/../../src/db/server-lock.ts`)}).acquireServerLock(${JSON.stringify(path)}); console.log("held"); setInterval(() => {}, 1000);`],
      { stdout: "pipe" },
    );
    const reader = holder.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("held");
    expect(() => acquireServerLock(path)).toThrow(`pid ${holder.pid}`);
    holder.kill("SIGKILL");
    await holder.exited;
    const lock = acquireServerLock(path);
    lock.release();
  });

  // The lock was keyed on the path string: through a symbolic link a second server started
  // on the same file (and restore replaced it under a running server).
  test("a symbolic link to the file, or to its folder, meets the same lock", () => {
    const dir = tempDir();
    mkdirSync(`${dir}/real`);
    const path = `${dir}/real/ipcraft.db`;
    symlinkSync(path, `${dir}/link.db`); // dangling until the server creates the file
    symlinkSync(`${dir}/real`, `${dir}/folder-link`);
    expect(realDatabasePath(`${dir}/link.db`)).toBe(realDatabasePath(path));
    const first = acquireServerLock(`${dir}/link.db`);
    try {
      expect(() => acquireServerLock(path)).toThrow(DatabaseInUseError);
      expect(() => acquireServerLock(`${dir}/folder-link/ipcraft.db`)).toThrow(`in use by another ipcraft server (pid ${process.pid})`);
    } finally {
      first.release();
    }
    acquireServerLock(`${dir}/folder-link/ipcraft.db`).release();
  });
});
