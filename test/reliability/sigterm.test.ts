/**
 * Graceful shutdown through the shipped executable: SIGTERM while 16 clients allocate and while
 * requests are provably in flight (their bodies only half sent). The in-flight requests are
 * completed and answered 201, the process exits 0, and after a restart every acknowledged
 * allocation is there.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { allAddresses, allocationLoad, api, databaseWithTenant, halfSentAllocation, killLeftovers, runBinary, startChild } from "./child-server";

afterAll(killLeftovers);

describe("SIGTERM under load", () => {
  test("in-flight requests complete, the process exits 0, nothing acknowledged is lost", async () => {
    const { dir, db, tenant } = databaseWithTenant("sigterm");
    const first = await startChild(dir, db);
    const subnet = (await api(first.url, tenant, "POST", "/subnets", { cidr: "10.61.0.0/16" })).body;
    // Four requests the server has started but cannot finish until we send the rest of the body.
    const halves = await Promise.all([0, 1, 2, 3].map((i) => halfSentAllocation(first.url, tenant, subnet.id, `in-flight-${i}`)));
    const load = allocationLoad(first.url, tenant, subnet.id, 16);
    await load.reach(300);
    first.proc.kill("SIGTERM");
    // The server is shutting down now; the in-flight requests still get to finish.
    await Bun.sleep(200);
    for (const h of halves) h.finish();
    const answers = await Promise.all(halves.map((h) => h.result()));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(answers.map((a) => a.body.hostname).sort()).toEqual(["in-flight-0", "in-flight-1", "in-flight-2", "in-flight-3"]);
    expect(await first.proc.exited).toBe(0);
    await load.stop();
    expect(load.unexpected).toEqual([]); // every answer during shutdown was a 201, never an error
    expect(first.output()).toContain("signal received signal=SIGTERM");

    const acked = new Map(load.acked);
    for (const a of answers) acked.set(a.body.id, a.body.ip);
    const second = await startChild(dir, db);
    const stored = new Map((await allAddresses(second.url, tenant, subnet.id)).map((a) => [a.id, a.ip]));
    expect([...acked].filter(([id, ip]) => stored.get(id) !== ip)).toEqual([]);
    // A graceful stop answers everything it committed: nothing unacknowledged was written.
    expect(stored.size).toBe(acked.size);
    expect(await second.stop("SIGTERM")).toBe(0);
    const check = await runBinary(["check", "--db", db]);
    expect(check.code).toBe(0);
  }, 90_000);
});
