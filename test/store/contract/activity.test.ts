/**
 * The activity feed and its retention (API.md §3, §8) on both backends: newest first with
 * keyset pages and filters (target, kind of target, actor id or label, action), only the caller's
 * organization; pruning deletes what each plan no longer keeps, and on PostgreSQL runs once
 * across replicas (a replica finding another one pruning skips; nothing is deleted twice).
 */
import { describe, expect, test } from "bun:test";
import { pruneActivity } from "../../../src/features/activity/prune";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

const DAY = 86400_000;

describe.each(BACKENDS)("activity on $name", (backend) => {
  const fresh = freshTenantApps(backend);
  type Opened = Awaited<ReturnType<typeof fresh>>;
  /** Entries at given ages (days), labelled with their age, straight through the store. */
  async function entries(t: Opened, orgId: string, ages: number[], now = Date.now()) {
    await t.store.write({ orgId }, async (q) => {
      // Oldest first, as a log is written: its feed numbers follow time (pruning removes the
      // feed's oldest numbers, store/sqlite/activity.ts FIRST_KEPT_SEQ).
      for (const age of [...ages].sort((a, b) => b - a)) {
        await q.activity.record({
          orgId,
          actor: { type: "system", id: null, label: "test" },
          action: "subnet.create",
          target: { type: "subnet", id: `s-${age}`, label: `${age}d` },
          at: new Date(now - age * DAY).toISOString(),
        });
      }
    });
  }

  test("newest first, keyset pages, total; filters by target, actor (id or label) and action; items as API.md shows them", async () => {
    const t = await fresh();
    // A few milliseconds apart, so that the expected order is the order of the writes, not of ids within one millisecond.
    const a = (await t.api.post("/sections", { name: "A" })).body;
    await Bun.sleep(3);
    await t.api.patch(`/sections/${a.id}`, { name: "A2" });
    await Bun.sleep(3);
    const b = (await t.api.post("/sections", { name: "B" })).body;
    await Bun.sleep(3);
    await t.call("PATCH", "/organization", t.tenant.browser, { name: "Renamed" });
    const all = await t.api.get("/activity");
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(4);
    expect(all.body.items.map((i: { action: string }) => i.action)).toEqual(["organization.update", "section.create", "section.update", "section.create"]);
    expect(all.body.items[2]).toEqual({
      id: expect.any(String),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: { type: "api_key", id: t.tenant.keyId, label: expect.any(String) },
      action: "section.update",
      target: { type: "section", id: a.id, label: "A2" },
      changes: { name: ["A", "A2"] },
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; total: number; next_cursor: string | null } } = await t.api.get(`/activity?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.total).toBe(4);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((i: { id: string }) => i.id));
    expect((await t.api.get(`/activity?target_id=${a.id}`)).body.items.map((i: { action: string }) => i.action)).toEqual(["section.update", "section.create"]);
    expect((await t.api.get(`/activity?actor=${t.tenant.userId}`)).body.items.map((i: { action: string }) => i.action)).toEqual(["organization.update"]);
    const byLabel = all.body.items[0].actor.label;
    expect((await t.api.get(`/activity?actor=${encodeURIComponent(byLabel)}`)).body.total).toBe(1);
    const creates = await t.api.get("/activity?action=section.create");
    expect(creates.body.items.map((i: { target: { id: string } }) => i.target.id)).toEqual([b.id, a.id]);
    expect(creates.body.total).toBe(2);
    // By kind of object, and filters combine.
    const sections = await t.api.get("/activity?target_type=section");
    expect(sections.body.items.map((i: { action: string }) => i.action)).toEqual(["section.create", "section.update", "section.create"]);
    expect((await t.api.get("/activity?target_type=organization")).body.total).toBe(1);
    expect((await t.api.get(`/activity?target_type=section&action=section.update&actor=${t.tenant.keyId}`)).body.total).toBe(1);
    expect((await t.api.get("/activity?target_type=section&action=organization.update")).body).toEqual({ items: [], total: 0, next_cursor: null });
  });

  test("another organization's entries are never listed, not even by their target id", async () => {
    const t = await fresh();
    const other = t.as(await t.newTenant());
    const theirs = (await other.post("/sections", { name: "Theirs" })).body;
    await t.api.post("/sections", { name: "Mine" });
    const mine = await t.api.get("/activity");
    expect(mine.body.total).toBe(1);
    expect((await t.api.get(`/activity?target_id=${theirs.id}`)).body).toEqual({ items: [], total: 0, next_cursor: null });
    expect((await other.get("/activity")).body.items.map((i: { target: { id: string } }) => i.target.id)).toEqual([theirs.id]);
  });

  test("pruning deletes, in every organization, what its plan no longer keeps", async () => {
    const t = await fresh({ plan: "free" });
    const teams = await t.newTenant({ plan: "teams" });
    const now = Date.now();
    await entries(t, t.tenant.orgId, [1, 10, 30, 100], now);
    await entries(t, teams.orgId, [1, 10, 30, 100], now);
    expect(await pruneActivity(t.store, new Date(now))).toBe(4);
    const labels = async (who: typeof teams) => (await t.as(who).get("/activity")).body.items.map((i: { target: { label: string } }) => i.target.label);
    expect(await labels(t.tenant)).toEqual(["1d"]); // free keeps 7 days
    expect(await labels(teams)).toEqual(["1d", "10d", "30d"]); // teams keeps 90 days
    expect(await pruneActivity(t.store, new Date(now))).toBe(0);
  });

  test("the unlimited plan (self-hosted) keeps everything, unless the admin sets --activity-retention-days", async () => {
    const t = await fresh(); // plan unlimited
    const now = Date.now();
    await entries(t, t.tenant.orgId, [1, 100, 1000], now);
    expect(await pruneActivity(t.store, new Date(now))).toBe(0);
    expect((await t.api.get("/activity")).body.total).toBe(3);
    expect(await pruneActivity(t.store, new Date(now), 30)).toBe(2);
    expect((await t.api.get("/activity")).body.items.map((i: { target: { label: string } }) => i.target.label)).toEqual(["1d"]);
  });

  if (backend.name === "postgres") {
    test("pruning runs once across replicas: while another replica prunes, this one skips and deletes nothing", async () => {
      const t = await fresh({ plan: "free" });
      await entries(t, t.tenant.orgId, [1, 30]);
      const release = await t.probes.pruneByAnotherReplica!();
      try {
        expect(await pruneActivity(t.store)).toBeUndefined();
        expect((await t.api.get("/activity")).body.total).toBe(2);
      } finally {
        await release();
      }
      expect(await pruneActivity(t.store)).toBe(1);
      expect((await t.api.get("/activity")).body.total).toBe(1);
    });
  }
});
