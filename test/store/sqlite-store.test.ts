/**
 * The SQLite Store's unit of work: async bodies on one synchronous connection. These pin
 * the ordering its module comment draws: a write waiting for another process's lock lets
 * reads through; a body's work commits or vanishes as a whole; units never interleave; a
 * body that awaits real I/O while holding the write lock is refused; `serve` refuses a
 * postgres:// URL until every feature is on the store.
 */
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/db/client";
import { writeTransaction } from "../../src/db/tx";
import { createSqliteStore } from "../../src/store/sqlite/store";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const actor = { type: "system" as const, id: null, label: "test" };

function onFile() {
  const path = `${tempDir()}/ipcraft.db`;
  const database = openDatabase(path, { busyTimeoutMs: 0 });
  const tenant = createTenant(database);
  return { path, database, store: createSqliteStore(database), orgId: tenant.orgId };
}

describe("the SQLite store", () => {
  test("while another process holds the write lock, a write waits and reads are still served; the write lands once the lock is free", async () => {
    const { path, database, store, orgId } = onFile();
    const other = new Database(path);
    other.run("BEGIN IMMEDIATE");
    const at = new Date().toISOString();
    let written = false;
    const write = store
      .write({ orgId }, (q) => q.sections.insert(orgId, { id: crypto.randomUUID(), name: "Waited", description: "", at }))
      .then(() => (written = true));
    await Bun.sleep(30);
    expect(written).toBe(false);
    // The waiting write does not hold the connection: reads go on.
    expect(await store.read({ orgId }, (q) => q.sections.list(orgId, { limit: 10 }))).toMatchObject({ total: 0 });
    expect(await store.tryWrite({ orgId }, async () => "skipped?")).toBeUndefined();
    other.run("COMMIT");
    other.close();
    await write;
    expect((await store.read({ orgId }, (q) => q.sections.list(orgId, { limit: 10 }))).items.map((s) => s.name)).toEqual(["Waited"]);
    database.close();
  });

  test("a body that throws rolls back everything it wrote, activity included", async () => {
    const { database, store, orgId } = onFile();
    const failed = await store
      .write({ orgId }, async (q) => {
        await q.sections.insert(orgId, { id: crypto.randomUUID(), name: "Gone", description: "", at: new Date().toISOString() });
        await q.activity.record({ orgId, actor, action: "section.create", target: { type: "section", id: null, label: "Gone" } });
        throw new Error("refused after writing");
      })
      .catch((e) => e);
    expect(failed.message).toBe("refused after writing");
    expect(database.sqlite.query("SELECT (SELECT COUNT(*) FROM sections) + (SELECT COUNT(*) FROM activity) AS n").get()).toEqual({ n: 0 });
    expect(database.sqlite.inTransaction).toBe(false);
    database.close();
  });

  test("concurrent units and legacy writeTransaction calls never interleave: each sees its own reads and writes", async () => {
    const { database, store, orgId } = onFile();
    // Each unit reads the count and writes count+1 as a name: interleaving would repeat a name
    // (the UNIQUE index would then refuse it as a duplicate).
    const unit = () =>
      store.write({ orgId }, async (q) => {
        const n = await q.plans.count(orgId, "sections");
        await q.sections.insert(orgId, { id: crypto.randomUUID(), name: `s${n}`, description: "", at: new Date().toISOString() });
      });
    const legacy = () =>
      writeTransaction(database, () => {
        const { n } = database.sqlite.query("SELECT COUNT(*) AS n FROM sections").get() as { n: number };
        database.sqlite.run("INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, '', '')", [
          crypto.randomUUID(), orgId, `s${n}`, `s${n}`,
        ]);
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? legacy() : unit())));
    expect(database.sqlite.query("SELECT COUNT(*) AS n FROM sections").get()).toEqual({ n: 40 });
    database.close();
  });

  test("a write body that awaits real I/O (holding the write lock across turns) is refused and rolled back", async () => {
    const { database, store, orgId } = onFile();
    const error = await store
      .write({ orgId }, async (q) => {
        await q.sections.insert(orgId, { id: crypto.randomUUID(), name: "Slow", description: "", at: new Date().toISOString() });
        await Bun.sleep(5);
      })
      .catch((e) => e);
    expect(error.message).toContain("awaited something other than its queries");
    expect(database.sqlite.query("SELECT COUNT(*) AS n FROM sections").get()).toEqual({ n: 0 });
    database.close();
  });
});
