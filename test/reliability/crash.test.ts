/**
 * Crash safety through the shipped executable: 16 clients allocate addresses through a real
 * server; the server is killed with SIGKILL in the middle of the load (no shutdown code runs);
 * a new server on the same file must hold every allocation it acknowledged (201), hand out a
 * new address next, and `ipcraft check` must pass. WAL with synchronous=NORMAL may lose the
 * last commits on a power cut, never on a process crash: this proves the second half.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { allAddresses, allocationLoad, api, databaseWithTenant, halfSentAllocation, killLeftovers, runBinary, startChild } from "./child-server";

afterAll(killLeftovers);

describe("SIGKILL mid-load", () => {
  test("every acknowledged allocation survives, the next one is new, check passes", async () => {
    const { dir, db, tenant } = databaseWithTenant("crash");
    const first = await startChild(dir, db);
    const subnet = (await api(first.url, tenant, "POST", "/subnets", { cidr: "10.60.0.0/16" })).body;
    const half = await halfSentAllocation(first.url, tenant, subnet.id, "never-finished");
    const load = allocationLoad(first.url, tenant, subnet.id, 16);
    await load.reach(600);
    const inFlightAtKill = load.inFlight();
    first.proc.kill("SIGKILL");
    expect(await first.proc.exited).not.toBe(0);
    await load.stop();
    expect(inFlightAtKill).toBeGreaterThan(0); // really mid-load
    expect(load.unexpected).toEqual([]);
    expect((await half.result()).status).toBe(0); // cut off, never acknowledged
    const acked = new Map(load.acked);
    expect(new Set(acked.values()).size).toBe(acked.size); // no address acknowledged twice

    // The crashed server's lock does not block the next start on the same file.
    const second = await startChild(dir, db);
    const stored = new Map((await allAddresses(second.url, tenant, subnet.id)).map((a) => [a.id, a.ip]));
    const lost = [...acked].filter(([id, ip]) => stored.get(id) !== ip);
    expect(lost).toEqual([]);
    // Committed but unacknowledged allocations (answers cut by the kill) may exist; nothing else.
    expect(stored.size).toBeGreaterThanOrEqual(acked.size);
    expect(stored.size - acked.size).toBeLessThanOrEqual(16);

    const next = await api(second.url, tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "after-crash" });
    expect(next.status).toBe(201);
    expect([...stored.values()]).not.toContain(next.body.ip);
    expect(new Set(stored.values()).size).toBe(stored.size);

    // check works beside the running server (its own read-only connection) and after it stops.
    const beside = await runBinary(["check", "--db", db]);
    expect(beside.out + beside.err).toMatch(/^ipcraft check: ok: 1 organization, 1 subnet, \d+ addresses/);
    expect(beside.code).toBe(0);
    expect(await second.stop("SIGTERM")).toBe(0);
    const after = await runBinary(["check", "--db", db]);
    expect(after.code).toBe(0);
    expect(after.out).toContain(`1 subnet, ${stored.size + 1} addresses`);
  }, 90_000);
});
