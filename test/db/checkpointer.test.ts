/**
 * Checkpoints ran inside COMMIT on the event loop (every ~1,000 WAL pages a request paid for
 * copying them and an extra fsync). They now run in a worker; these tests prove that the
 * WAL still stays bounded under a steady write load — also while a reader pins an old
 * snapshot, where a background checkpointer alone never catches up — that no write is lost,
 * and that durability settings are unchanged.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { Database } from "bun:sqlite";
import { openDatabase, type OpenDatabase } from "../../src/db/client";
import { writeTransaction } from "../../src/db/tx";
import { tempDir } from "../helpers/tmp";

const PAGE = 4096;
const open: OpenDatabase[] = [];
afterEach(() => {
  for (const database of open.splice(0)) database.close();
});

/** The server's settings; the load tests use NORMAL only to spend less time in fsync (the gate does not depend on it). */
function serverDatabase(path: string, gatePages: number, synchronous: "full" | "normal" = "normal"): OpenDatabase {
  const database = openDatabase(path, { synchronous, busyTimeoutMs: 0, backgroundCheckpoints: { intervalMs: 10, gatePages } });
  open.push(database);
  database.sqlite.run("CREATE TABLE IF NOT EXISTS load (x BLOB NOT NULL)");
  return database;
}

function walBytes(path: string): number {
  return existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
}

/** `transactions` write transactions of 4 × 1 KB rows, yielding to the event loop between them like a server. */
async function steadyLoad(database: OpenDatabase, path: string, transactions: number): Promise<number> {
  const insert = database.sqlite.query("INSERT INTO load (x) VALUES (randomblob(1000))");
  let largest = 0;
  for (let i = 0; i < transactions; i++) {
    await writeTransaction(database, () => {
      for (let r = 0; r < 4; r++) insert.run();
    });
    largest = Math.max(largest, walBytes(path));
    if (i % 8 === 0) await Bun.sleep(0);
  }
  return largest;
}

describe("background checkpointer", () => {
  test("the server's connection checkpoints inline only as a backstop far above the gate; FULL stays the default; CLI connections keep SQLite's inline checkpoints", () => {
    const dir = tempDir("ckpt");
    const server = serverDatabase(`${dir}/a.db`, 4096, "full");
    expect(server.sqlite.query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 4 * 4096 });
    expect(server.sqlite.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 });
    const cli = openDatabase(`${dir}/a.db`);
    open.push(cli);
    expect(cli.sqlite.query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 1000 });
    expect(cli.checkpointer).toBeUndefined();
  });

  test("under a steady write load the WAL stays bounded and every write is kept", async () => {
    const path = `${tempDir("ckpt")}/steady.db`;
    const gate = 400;
    const database = serverDatabase(path, gate);
    // 1,500 commits of ~4 KB: ~6 MB of WAL frames in all, 4× the gate.
    const largest = await steadyLoad(database, path, 1500);
    expect(largest).toBeLessThanOrEqual(3 * gate * PAGE);
    expect(database.checkpointer!.stats().passive).toBeGreaterThan(0);
    expect((database.sqlite.query("SELECT COUNT(*) AS n FROM load").get() as { n: number }).n).toBe(6000);
    database.close();
    const reopened = new Database(path, { readonly: true });
    expect((reopened.query("SELECT COUNT(*) AS n FROM load").get() as { n: number }).n).toBe(6000);
    reopened.close();
  }, 60_000);

  test("a reader pinning an old snapshot: the gate makes writers wait for a checkpoint instead of letting the WAL grow", async () => {
    const path = `${tempDir("ckpt")}/pinned.db`;
    const gate = 200;
    const database = serverDatabase(path, gate);
    await writeTransaction(database, () => database.sqlite.run("INSERT INTO load (x) VALUES (x'00')"));
    // Another connection (a CLI export, a backup) holds a read transaction for a while.
    const reader = new Database(path);
    reader.run("BEGIN");
    reader.query("SELECT COUNT(*) FROM load").get();
    const release = setTimeout(() => reader.run("COMMIT"), 400);
    try {
      const largest = await steadyLoad(database, path, 600);
      // Without the gate this load leaves ~2.4 MB (600 pages) of WAL behind the pinned reader.
      expect(largest).toBeLessThanOrEqual(3 * gate * PAGE);
      expect(database.checkpointer!.stats().gated).toBeGreaterThan(0);
      expect((database.sqlite.query("SELECT COUNT(*) AS n FROM load").get() as { n: number }).n).toBe(2401);
    } finally {
      clearTimeout(release);
      if (reader.inTransaction) reader.run("COMMIT");
      reader.close();
    }
  }, 60_000);

  test("control: with inline checkpoints off and no checkpointer the same load grows the WAL past the bound", async () => {
    const path = `${tempDir("ckpt")}/control.db`;
    const database = openDatabase(path, { synchronous: "normal", busyTimeoutMs: 0 });
    open.push(database);
    database.sqlite.run("PRAGMA wal_autocheckpoint = 0");
    database.sqlite.run("CREATE TABLE load (x BLOB NOT NULL)");
    const largest = await steadyLoad(database, path, 600);
    expect(largest).toBeGreaterThan(3 * 200 * PAGE);
  }, 60_000);
});
