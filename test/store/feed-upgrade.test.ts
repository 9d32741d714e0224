/**
 * Upgrading to the feed inside the activity log (drizzle/0012, drizzle/pg/0019): a database
 * made before it holds activity entries and, in `events`, one feed row per entry written with
 * the same organization, time, action and target. After the migration every entry whose feed
 * row was kept carries its seq and its event id (ties paired in order), the feed answers the
 * same events without the old table and never continues across an event that was lost, and the
 * next entry continues the organization's numbering.
 * On PostgreSQL the migration runs as a non-superuser owner under forced row-level security.
 */
import type { SQL } from "bun";
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { openDatabase } from "../../src/db/client";
import { EMBEDDED_MIGRATIONS, migrateDatabase } from "../../src/db/migrate";
import { EMBEDDED_PG_MIGRATIONS, migratePostgres } from "../../src/store/pg/migrate";
import { createPgStore } from "../../src/store/pg/store";
import { createSqliteStore } from "../../src/store/sqlite/store";
import type { Store } from "../../src/store/store";
import { freshPgDatabase, ownerConnection, usePgCluster } from "../helpers/pg";

usePgCluster();

const at = (s: number) => `2026-01-02T03:04:${String(10 + s).padStart(2, "0")}.000Z`;

/** [org, activity id, second, action, target id]; the feed rows below name their entries by id. */
const ENTRIES: [string, string, number, string, string | null][] = [
  ["o1", "a1", 1, "section.create", "s1"],
  // A tie: the same address updated twice in one transaction. The first event goes to the first id.
  ["o1", "a2", 2, "address.update", "x1"],
  ["o1", "a3", 2, "address.update", "x1"],
  // Older than the feed's retention: its feed row was pruned, it keeps no seq.
  ["o1", "a0", 0, "section.create", "s0"],
  ["o1", "a5", 4, "organization.update", null],
  ["o2", "b1", 1, "section.create", "s1"],
  ["o2", "b3", 3, "section.create", "s3"],
];
/** [org, seq, activity id or null (its entry already pruned from the log)]. */
const FEED: [string, number, string | null][] = [
  ["o1", 1, null],
  ["o1", 2, "a1"],
  ["o1", 3, "a2"],
  ["o1", 4, "a3"],
  ["o1", 5, "a5"],
  // An event whose entry is gone in the middle: the feed cannot continue across it.
  ["o2", 1, "b1"],
  ["o2", 2, null],
  ["o2", 3, "b3"],
];

type Exec = (sql: string, params: unknown[]) => Promise<unknown> | unknown;

async function fill(org: string, run: Exec) {
  await run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES ($1, $2, 'unlimited', $3, $4)", [org, org, at(0), at(0)]);
  for (const [o, id, s, action, target] of ENTRIES) {
    if (o !== org) continue;
    await run(
      "INSERT INTO activity (id, org_id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes) VALUES ($1, $2, $3, 'system', NULL, 'test', $4, $5, $6, $7, $8)",
      [id, org, at(s), action, action.split(".")[0], target, `label ${id}`, JSON.stringify({ n: [null, id] })],
    );
  }
  let last = 0;
  for (const [o, seq, id] of FEED) {
    if (o !== org) continue;
    const entry = ENTRIES.find((e) => e[1] === id) ?? [org, "gone", 3, "section.delete", "s9"];
    const [, , s, action, target] = entry;
    const payload = {
      id: `${org}-event-${seq}`,
      seq,
      type: action,
      at: at(s),
      organization_id: org,
      actor: { type: "system", id: null, label: "test" },
      target: { type: action.split(".")[0], id: target, label: `label ${id}` },
      changes: { n: [null, id] },
    };
    await run("INSERT INTO events (org_id, seq, at, payload) VALUES ($1, $2, $3, $4)", [org, seq, at(s), JSON.stringify(payload)]);
    last = seq;
  }
  await run("INSERT INTO event_counters (org_id, seq) VALUES ($1, $2)", [org, last]);
}

type Stored = { target_label: string; id: string; seq: number | null };

/** What the upgraded database must answer, through the store, for either dialect. */
async function expectUpgraded(store: Store, rows: Stored[]) {
  // Paired entries take their event's seq and id (receivers dedupe by it); o2's b1 sits below
  // a lost event, so the feed starts after it.
  expect(rows).toEqual([
    { target_label: "label a0", id: "a0", seq: null },
    { target_label: "label a1", id: "o1-event-2", seq: 2 },
    { target_label: "label a2", id: "o1-event-3", seq: 3 },
    { target_label: "label a3", id: "o1-event-4", seq: 4 },
    { target_label: "label a5", id: "o1-event-5", seq: 5 },
    { target_label: "label b1", id: "o2-event-1", seq: null },
    { target_label: "label b3", id: "o2-event-3", seq: 3 },
  ]);
  const feed = await store.read({ orgId: "o1" }, (q) => q.events.after("o1", 0, 100));
  expect(feed.oldest).toBe(2);
  expect(feed.head).toBe(5);
  expect(feed.rows.map((e) => [e.seq, e.id, e.type, e.at, e.target.id, e.changes])).toEqual([
    [2, "o1-event-2", "section.create", at(1), "s1", { n: [null, "a1"] }],
    [3, "o1-event-3", "address.update", at(2), "x1", { n: [null, "a2"] }],
    [4, "o1-event-4", "address.update", at(2), "x1", { n: [null, "a3"] }],
    [5, "o1-event-5", "organization.update", at(4), null, { n: [null, "a5"] }],
  ]);
  expect(feed.rows[0]).toEqual({
    id: "o1-event-2",
    seq: 2,
    type: "section.create",
    at: at(1),
    organization_id: "o1",
    actor: { type: "system", id: null, label: "test" },
    target: { type: "section", id: "s1", label: "label a1" },
    changes: { n: [null, "a1"] },
  });
  await store.write({ orgId: "o1" }, (q) =>
    q.activity.record({ orgId: "o1", actor: { type: "system", id: null, label: "test" }, action: "section.create", target: { type: "section", id: "s7", label: "new" } }),
  );
  const next = await store.read({ orgId: "o1" }, (q) => q.events.after("o1", 5, 100));
  expect(next.rows.map((e) => [e.seq, e.target.label])).toEqual([[6, "new"]]);
  const o2 = await store.read({ orgId: "o2" }, (q) => q.events.after("o2", 0, 100));
  expect([o2.oldest, o2.head, o2.rows.map((e) => e.id)]).toEqual([3, 3, ["o2-event-3"]]);
}

describe("upgrade to the change feed inside the activity log", () => {
  test("SQLite: kept feed rows give their seq and id to their entries, the feed starts after a lost one, the old table goes, the numbering continues", async () => {
    const d = openDatabase(":memory:", { migrate: false });
    const before = EMBEDDED_MIGRATIONS.findIndex((m) => m.sql.some((s) => s.includes("ALTER TABLE `activity` ADD `seq`")));
    expect(before).toBeGreaterThan(0);
    migrateDatabase(d.sqlite, drizzle({ client: d.sqlite }), EMBEDDED_MIGRATIONS.slice(0, before));
    const run: Exec = (sql, params) => d.sqlite.run(sql.replace(/\$\d+/g, "?"), params as never);
    for (const org of ["o1", "o2"]) await fill(org, run);
    migrateDatabase(d.sqlite, d.db);
    expect(d.sqlite.query("SELECT name FROM sqlite_master WHERE name = 'events'").all()).toEqual([]);
    await expectUpgraded(createSqliteStore(d), d.sqlite.query("SELECT target_label, id, seq FROM activity ORDER BY target_label").all() as Stored[]);
    d.close();
  });

  test("PostgreSQL, migrated by a non-superuser owner under forced row-level security: the same seqs and ids", async () => {
    const db = await freshPgDatabase();
    let owner: SQL | undefined;
    try {
      owner = await ownerConnection(db, `feed_owner_${process.pid}`);
      const before = EMBEDDED_PG_MIGRATIONS.findIndex((m) => m.sql.some((s) => s.includes('ALTER TABLE "activity" ADD COLUMN "seq"')));
      expect(before).toBeGreaterThan(0);
      await migratePostgres(owner, EMBEDDED_PG_MIGRATIONS.slice(0, before));
      for (const org of ["o1", "o2"]) {
        // The owner writes under FORCE too: one organization declared per transaction.
        await owner.begin(async (tx) => {
          await tx`SELECT set_config('app.org_id', ${org}, true)`;
          await fill(org, (sql, params) => tx.unsafe(sql, params as never[]));
        });
      }
      await migratePostgres(owner);
      const [gone] = await db.sql`SELECT to_regclass('public.events') AS t`;
      expect(gone.t).toBeNull();
      const [forced] = await db.sql`SELECT relforcerowsecurity AS f FROM pg_class WHERE relname = 'activity' AND relkind = 'r'`;
      expect(forced.f).toBe(true);
      const seqs = (await db.sql`SELECT target_label, id, seq FROM activity ORDER BY target_label COLLATE "C"`).map((r: { target_label: string; id: string; seq: string | null }) => ({
        target_label: r.target_label,
        id: r.id,
        seq: r.seq === null ? null : Number(r.seq),
      }));
      await expectUpgraded(createPgStore(db.sql), seqs);
    } finally {
      await owner?.close();
      await db.drop();
    }
  }, 60_000);
});
