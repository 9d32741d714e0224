import { describe, expect, test } from "bun:test";
import { pruneActivity } from "../../src/features/activity/prune";
import { createSqliteStore } from "../../src/store/sqlite/store";
import { recordActivity } from "../../src/features/activity/record";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

function seed(database: Parameters<typeof recordActivity>[0], orgId: string, n: number, start = Date.parse("2026-11-01T00:00:00Z")) {
  for (let i = 0; i < n; i++) {
    recordActivity(database, {
      orgId,
      actor: { type: "user", id: "u", label: "ann@example.org" },
      action: i % 2 ? "subnet.create" : "address.update",
      target: { type: i % 2 ? "subnet" : "address", id: `t${i % 3}`, label: `item ${i}` },
      changes: { name: [null, `n${i}`] },
      at: new Date(start + i * 1000).toISOString(),
    });
  }
}

describe("GET /api/v1/activity", () => {
  test("newest first, with the documented item shape", async () => {
    const { call, database } = testApp();
    const t = createTenant(database);
    seed(database, t.orgId, 3);
    const r = await call("GET", "/api/v1/activity", { headers: t.bearer });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(3);
    expect(r.body.items.map((i: any) => i.target.label)).toEqual(["item 2", "item 1", "item 0"]);
    expect(r.body.items[0]).toEqual({
      id: expect.any(String),
      at: "2026-11-01T00:00:02.000Z",
      actor: { type: "user", id: "u", label: "ann@example.org" },
      action: "address.update",
      target: { type: "address", id: "t2", label: "item 2" },
      changes: { name: [null, "n2"] },
    });
  });

  test("cursor pagination walks every entry exactly once", async () => {
    const { call, database } = testApp();
    const t = createTenant(database);
    seed(database, t.orgId, 25);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await call("GET", `/api/v1/activity?limit=10${cursor ? `&cursor=${cursor}` : ""}`, { headers: t.bearer });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((i: any) => i.id));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
  });

  test("filters by target and actor", async () => {
    const { call, database } = testApp();
    const t = createTenant(database);
    seed(database, t.orgId, 9);
    const byTarget = await call("GET", "/api/v1/activity?target_id=t1", { headers: t.bearer });
    expect(byTarget.body.total).toBe(3);
    expect(byTarget.body.items.every((i: any) => i.target.id === "t1")).toBe(true);
    const byActor = await call("GET", "/api/v1/activity?actor=nobody", { headers: t.bearer });
    expect(byActor.body.total).toBe(0);
  });

  test("a bad cursor or limit is a 400, not a 500", async () => {
    const { call, database } = testApp();
    const t = createTenant(database);
    expect((await call("GET", "/api/v1/activity?cursor=garbage", { headers: t.bearer })).status).toBe(400);
    expect((await call("GET", "/api/v1/activity?limit=0", { headers: t.bearer })).status).toBe(400);
    expect((await call("GET", "/api/v1/activity?limit=1001", { headers: t.bearer })).status).toBe(400);
  });

  test("another organization's entries are invisible", async () => {
    const { call, database } = testApp();
    const a = createTenant(database);
    const b = createTenant(database);
    seed(database, a.orgId, 4);
    const r = await call("GET", "/api/v1/activity", { headers: b.bearer });
    expect(r.body.total).toBe(0);
    expect(r.body.items).toEqual([]);
  });

  test("requires authentication", async () => {
    const { call } = testApp();
    expect((await call("GET", "/api/v1/activity")).status).toBe(401);
  });
});

describe("retention", () => {
  test("entries older than the plan keeps are pruned; newer ones stay", async () => {
    const { database } = testApp();
    const free = createTenant(database, { plan: "free" });
    const teams = createTenant(database, { plan: "teams" });
    const now = new Date("2026-11-29T00:00:00Z");
    for (const t of [free, teams]) {
      // Oldest first, as a log is written (its feed numbers follow time).
      for (const daysAgo of [100, 30, 10, 1]) {
        recordActivity(database, {
          orgId: t.orgId,
          actor: { type: "system", id: null, label: "test" },
          action: "subnet.create",
          target: { type: "subnet", id: null, label: `${daysAgo}d` },
          at: new Date(now.getTime() - daysAgo * 86400_000).toISOString(),
        });
      }
    }
    const removed = await pruneActivity(createSqliteStore(database), now);
    const left = (orgId: string) =>
      (database.sqlite.query("SELECT target_label FROM activity WHERE org_id = ? ORDER BY at DESC").all(orgId) as { target_label: string }[]).map(
        (r) => r.target_label,
      );
    expect(left(free.orgId)).toEqual(["1d"]); // free keeps 7 days
    expect(left(teams.orgId)).toEqual(["1d", "10d", "30d"]); // teams keeps 90 days
    expect(removed).toBe(4);
  });
});
