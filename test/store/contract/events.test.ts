/**
 * The change feed, GET /api/v1/events (issue 14), on both backends: every committed change in
 * commit order after a cursor, never a gap even while writes run concurrently, long-poll with
 * `wait`, 410 for a cursor the feed can no longer continue, one organization's feed only.
 * On PostgreSQL, a transaction still in flight holds back every later event of its
 * organization (so a reader can never pass it and miss it for good).
 */
import { describe, expect, test } from "bun:test";
import type { Store } from "../../../src/store/store";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

type Event = { id: string; seq: number; type: string; target: { label: string } };

function entry(orgId: string, label: string) {
  return { orgId, actor: { type: "system" as const, id: null, label: "test" }, action: "section.create", target: { type: "section", id: label, label } };
}

describe.each(BACKENDS)("change feed on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("every change in order, seq 1, 2, 3…; cursor and limit page through; an empty answer keeps the cursor; another organization sees only its own", async () => {
    const t = await fresh();
    for (const name of ["A", "B", "C"]) await t.api.post("/sections", { name });
    await t.call("PATCH", "/organization", t.tenant.browser, { name: "Renamed" });
    const all = await t.api.get("/events");
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: Event) => [e.seq, e.type])).toEqual([
      [1, "section.create"],
      [2, "section.create"],
      [3, "section.create"],
      [4, "organization.update"],
    ]);
    expect(all.body.next_cursor).toBe("4");
    const first = await t.api.get("/events?limit=2");
    expect(first.body.items.map((e: Event) => e.target.label)).toEqual(["A", "B"]);
    const rest = await t.api.get(`/events?after=${first.body.next_cursor}&limit=2`);
    expect(rest.body.items.map((e: Event) => e.seq)).toEqual([3, 4]);
    expect(await t.api.get("/events?after=4")).toMatchObject({ status: 200, body: { items: [], next_cursor: "4" } });

    const other = await t.newTenant();
    const them = t.as(other);
    expect((await them.get("/events")).body).toEqual({ items: [], next_cursor: "0" });
    await them.post("/sections", { name: "Theirs" });
    expect((await them.get("/events")).body.items.map((e: Event) => [e.seq, e.target.label])).toEqual([[1, "Theirs"]]);
    expect((await t.api.get("/events?after=4")).body.items).toEqual([]);
  });

  test("a reader following the feed while writes run concurrently collects every change exactly once, in order", async () => {
    const t = await fresh();
    const seen: number[] = [];
    let cursor = "0";
    let writing = true;
    const follow = (async () => {
      while (writing || seen.length < 40) {
        const page = await t.api.get(`/events?after=${cursor}&limit=7`);
        expect(page.status).toBe(200);
        for (const e of page.body.items as Event[]) seen.push(e.seq);
        cursor = page.body.next_cursor;
        if (!page.body.items.length) await Bun.sleep(2);
      }
    })();
    await Promise.all(Array.from({ length: 40 }, (_, i) => t.api.post("/sections", { name: `S${i}` })));
    writing = false;
    await follow;
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  test("wait holds an empty answer until a change arrives (long-poll), or until the wait ends", async () => {
    const t = await fresh();
    const started = Date.now();
    const held = t.api.get("/events?after=0&wait=20");
    await Bun.sleep(300);
    await t.api.post("/sections", { name: "Late" });
    const answer = await held;
    expect(answer.body.items.map((e: Event) => e.target.label)).toEqual(["Late"]);
    expect(Date.now() - started).toBeLessThan(15_000); // answered on the change, not at the end of the wait
    const idle = await t.api.get("/events?after=1&wait=1");
    expect(idle.body).toEqual({ items: [], next_cursor: "1" });
  });

  test("a cursor whose next events were pruned, or one ahead of the feed, is 410 cursor_expired; without a cursor the feed starts at the oldest kept", async () => {
    const t = await fresh();
    for (const name of ["A", "B", "C"]) await t.api.post("/sections", { name });
    const ahead = await t.api.get("/events?after=9");
    expect(ahead.status).toBe(410);
    expect(ahead.body.code).toBe("cursor_expired");
    await t.store.write({ orgId: null }, (q) => q.activity.prune({}, new Date(Date.now() + 60_000).toISOString()));
    await t.api.post("/sections", { name: "D" });
    const gone = await t.api.get("/events?after=1");
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ code: "cursor_expired", details: { after: 1, oldest: 4, last: 4 } });
    expect((await t.api.get("/events?after=3")).body.items.map((e: Event) => e.seq)).toEqual([4]);
    expect((await t.api.get("/events")).body.items.map((e: Event) => e.seq)).toEqual([4]);
  });

  test("the feed is the activity log: pruning the log drops the events older than its cutoff and keeps the rest, in every organization; the webhook log's pruning leaves them", async () => {
    const t = await fresh();
    const other = await t.newTenant();
    const day = 86400_000;
    for (const org of [t.tenant.orgId, other.orgId]) {
      await t.store.write({ orgId: org }, async (q) => {
        for (const age of [9, 8, 1, 0]) await q.activity.record({ ...entry(org, `${age}d`), at: new Date(Date.now() - age * day).toISOString() });
      });
    }
    const cutoff = new Date(Date.now() - 7 * day).toISOString();
    expect(await t.store.write({ orgId: null }, (q) => q.webhooks.prune(cutoff))).toBe(0);
    expect((await t.api.get("/events")).body.items).toHaveLength(4);
    const removed = await t.store.write({ orgId: null }, (q) => q.activity.prune({}, cutoff));
    expect(removed).toBe(4);
    for (const who of [t.api, t.as(other)]) {
      expect((await who.get("/events")).body.items.map((e: Event) => [e.seq, e.target.label])).toEqual([
        [3, "1d"],
        [4, "0d"],
      ]);
    }
  });

  test("pruning never leaves a hole in the feed: an entry whose time is past the cutoff but whose seq is above a kept one stays", async () => {
    const t = await fresh();
    const org = t.tenant.orgId;
    const day = 86400_000;
    // Times are taken when a write starts, seqs when it commits: a long write can commit an old time after a newer one.
    for (const [label, age] of [["9d", 9], ["1d", 1], ["8d, committed late", 8], ["0d", 0]] as const) {
      await t.store.write({ orgId: org }, (q) => q.activity.record({ ...entry(org, label), at: new Date(Date.now() - age * day).toISOString() }));
    }
    const before = (await t.api.get("/events")).body.items.map((e: Event) => e.seq);
    const cutoff = new Date(Date.now() - 7 * day).toISOString();
    expect(before).toEqual([1, 2, 3, 4]);
    expect(await t.store.write({ orgId: null }, (q) => q.activity.prune({}, cutoff))).toBe(1);
    const after = (await t.api.get("/events")).body.items;
    // Only the prefix below the first kept seq went: the old-time entry above it stays, no gap.
    expect(after.map((e: Event) => e.target.label)).toEqual(["1d", "8d, committed late", "0d"]);
    expect(after.map((e: Event) => e.seq)).toEqual([2, 3, 4]);
    expect((await t.api.get("/events?after=1")).body.items.map((e: Event) => e.seq)).toEqual([2, 3, 4]);
  });

  test("a rolled-back write hands its seq to the next one: no hole for readers to wait on", async () => {
    const t = await fresh();
    const org = t.tenant.orgId;
    await t.store.write({ orgId: org }, (q) => q.activity.record(entry(org, "one")));
    await expect(
      t.store.write({ orgId: org }, async (q) => {
        await q.activity.record(entry(org, "rolled back"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    await t.store.write({ orgId: org }, (q) => q.activity.record(entry(org, "two")));
    expect((await t.api.get("/events")).body.items.map((e: Event) => [e.seq, e.target.label])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });
});

describe("change feed on postgres: commit order, not start order", () => {
  const fresh = freshTenantApps(BACKENDS.find((b) => b.name === "postgres")!);

  test("while a transaction that took seq 1 is in flight, a later writer waits and the feed shows neither; at commit both appear, in commit order", async () => {
    const t = await fresh();
    const org = t.tenant.orgId;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = t.store.write({ orgId: org }, async (q) => {
      await q.activity.record(entry(org, "slow"));
      await gate; // PostgreSQL bodies may await: this one holds its transaction open
    });
    await Bun.sleep(200);
    let fastDone = false;
    const fast = (t.store as Store).write({ orgId: org }, (q) => q.activity.record(entry(org, "fast"))).then(() => (fastDone = true));
    await Bun.sleep(300);
    expect(fastDone).toBe(false);
    expect((await t.api.get("/events")).body.items).toEqual([]);
    release();
    await Promise.all([slow, fast]);
    expect((await t.api.get("/events")).body.items.map((e: Event) => [e.seq, e.target.label])).toEqual([
      [1, "slow"],
      [2, "fast"],
    ]);
  });
});
