/**
 * Disk full, in-process: allocations were generic 500s while /healthz said "db": "ok".
 * SQLite answers SQLITE_FULL when `PRAGMA max_page_count` stops the file from growing — the
 * very error a full disk gives — so this test lowers it on the app's own connection.
 * (test/reliability/disk-full.test.ts fills a real tmpfs under the real binary.)
 */
import { describe, expect, test } from "bun:test";
import { ipamFixture } from "../ipam/fixture";

describe("a full disk (SQLITE_FULL)", () => {
  test("writes answer 507 storage_full and change nothing, /healthz reports it, and both recover when space returns", async () => {
    const f = ipamFixture();
    const s = await f.subnet("10.50.0.0/16");
    const pages = (f.database.sqlite.query("PRAGMA page_count").get() as { page_count: number }).page_count;
    f.database.sqlite.run(`PRAGMA max_page_count = ${pages}`);

    const answers: { status: number; body: any }[] = [];
    for (let i = 0; i < 2000 && !answers.some((a) => a.status === 507); i++) {
      answers.push(await f.api.post(`/subnets/${s.id}/addresses`, { hostname: `h${i}`, description: "x".repeat(200) }));
    }
    expect(answers.map((a) => a.status).filter((st) => st !== 201 && st !== 507)).toEqual([]);
    const full = answers.find((a) => a.status === 507)!;
    expect(full.body).toEqual({ error: expect.stringContaining("disk holding the database"), code: "storage_full" });
    const acknowledged = answers.filter((a) => a.status === 201).map((a) => a.body.ip);
    const health = await f.call("GET", "/healthz");
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: "error", db: "error", storage: { status: "full", error: expect.stringContaining("is full") } });
    // Other writes (a section, through the plain write path) are refused the same way — or,
    // when the row still fits in a page's free space, succeed (and then /healthz rightly says
    // ok again: since the slimmer activity table, a section row here usually fits).
    const section = await f.api.post("/sections", { name: "a".repeat(90), description: "y".repeat(400) });
    if (section.status !== 201) expect(section.body.code).toBe("storage_full");
    // Reads keep working, and memory equals what was committed: first-free is not a phantom.
    const listed = await f.api.get(`/subnets/${s.id}/addresses?limit=1000`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((a: { ip: string }) => a.ip)).toEqual(acknowledged);

    f.database.sqlite.run("PRAGMA max_page_count = 1073741823");
    const again = await f.api.post(`/subnets/${s.id}/addresses`, {});
    expect(again.status).toBe(201);
    expect((await f.call("GET", "/healthz")).body).toEqual({ status: "ok", version: expect.any(String), db: "ok" });
    const stored = f.database.sqlite.query("SELECT ip FROM addresses WHERE subnet_id = ? ORDER BY ip_key").all(s.id) as { ip: string }[];
    expect(stored.map((r) => r.ip)).toEqual([...acknowledged, again.body.ip]);
  });
});
