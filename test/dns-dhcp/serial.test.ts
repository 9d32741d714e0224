/**
 * Issue 14: a zone's serial must grow with every change, or secondaries (and scripts that
 * reload on a new serial) keep serving the old zone — also for a deletion (no record is left
 * to carry a newer time) and for several changes within one second (a plain unix-time
 * serial would repeat).
 */
import { describe, expect, test } from "bun:test";
import { checkZone } from "./checkers";
import { ipamFixture } from "../ipam/fixture";

async function zoneWithSerial(f: ReturnType<typeof ipamFixture>) {
  const r = await f.api.get("/export/dns/bind?zone=lab.example&ns=dns.example.net");
  expect(r.status).toBe(200);
  const serial = Number(/(\d+) ; serial/.exec(r.text)![1]);
  expect(Number(r.headers.get("x-ipcraft-serial"))).toBe(serial);
  return { serial, text: r.text };
}

describe("the zone serial", () => {
  test("grows with each change (create, rename, delete), back to back; unchanged data gives the same file", async () => {
    const f = ipamFixture();
    const subnet = await f.subnet("10.9.0.0/24");
    const s0 = await zoneWithSerial(f);
    const a = await f.address(subnet.id, { ip: "10.9.0.5", hostname: "alpha" });
    const s1 = await zoneWithSerial(f);
    expect((await f.api.patch(`/addresses/${a.id}`, { hostname: "beta" })).status).toBe(200);
    const s2 = await zoneWithSerial(f);
    expect((await f.api.patch(`/addresses/${a.id}`, { hostname: "gamma" })).status).toBe(200);
    const s3 = await zoneWithSerial(f);
    expect((await f.api.del(`/addresses/${a.id}`)).status).toBe(204);
    const s4 = await zoneWithSerial(f);
    const serials = [s0, s1, s2, s3, s4].map((s) => s.serial);
    for (let i = 1; i < serials.length; i++) expect(serials[i]!).toBeGreaterThan(serials[i - 1]!);
    expect(s4.text).not.toContain("gamma");
    // A plain unix-time serial: about now, and within 32 bits.
    expect(Math.abs(s4.serial - Date.now() / 1000)).toBeLessThan(3600);
    expect(s4.serial).toBeLessThan(2 ** 32);
    // Nothing changed: the same serial and the same bytes (a sync script can compare).
    expect((await zoneWithSerial(f)).text).toBe(s4.text);
    expect(checkZone("lab.example.", s4.text).code).toBe(0);
  });

  test("grows for each of several changes stamped with the same second (even the same millisecond)", async () => {
    const f = ipamFixture();
    const subnet = await f.subnet("10.9.0.0/24");
    const sameInstant = "2030-01-01T00:00:00.000Z";
    const pin = () => f.database.sqlite.run("UPDATE activity SET at = ? WHERE org_id = ?", [sameInstant, f.tenant.orgId]);
    pin();
    const before = (await zoneWithSerial(f)).serial;
    expect(before).toBe(Date.parse(sameInstant) / 1000); // one change: the time of that change
    const seen = [before];
    for (const ip of ["10.9.0.5", "10.9.0.6", "10.9.0.7"]) {
      const a = await f.address(subnet.id, { ip, hostname: "x" });
      pin();
      seen.push((await zoneWithSerial(f)).serial);
      expect((await f.api.del(`/addresses/${a.id}`)).status).toBe(204);
      pin();
      seen.push((await zoneWithSerial(f)).serial);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBe(seen[i - 1]! + 1);
  });

  test("a change made later than a burst still moves it forward, and a later quiet change catches up with the clock", async () => {
    const f = ipamFixture();
    const subnet = await f.subnet("10.9.0.0/24");
    // Stamps the changes made since the last stamp (real times, before 2030) with `iso`.
    const at = (iso: string) => f.database.sqlite.run("UPDATE activity SET at = ? WHERE org_id = ? AND at < '2030'", [iso, f.tenant.orgId]);
    for (const ip of ["10.9.0.5", "10.9.0.6", "10.9.0.7"]) await f.address(subnet.id, { ip });
    f.database.sqlite.run("UPDATE activity SET at = ? WHERE org_id = ?", ["2030-01-01T00:00:00.000Z", f.tenant.orgId]);
    const burst = (await zoneWithSerial(f)).serial; // 4 changes in one second: 3 ahead of it
    expect(burst).toBe(Date.parse("2030-01-01T00:00:00Z") / 1000 + 3);
    await f.address(subnet.id, { ip: "10.9.0.8" });
    at("2030-01-01T00:00:01.000Z"); // one second later, still inside the burst's lead
    expect((await zoneWithSerial(f)).serial).toBe(burst + 1);
    await f.address(subnet.id, { ip: "10.9.0.9" });
    at("2030-01-02T00:00:00.000Z"); // a day later: the time of the change again
    expect((await zoneWithSerial(f)).serial).toBe(Date.parse("2030-01-02T00:00:00Z") / 1000);
  });

  test("equals the closed form over every change (a window over the whole log), on random logs with ties", async () => {
    const f = ipamFixture();
    const { sqlite } = f.database;
    // The definition as one window over every IPAM change, newest first: what the serial was computed with before.
    const windowed = () =>
      (sqlite
        .query(`SELECT MAX(sec + newer) AS serial FROM (
           SELECT CAST(strftime('%s', at) AS INTEGER) AS sec, ROW_NUMBER() OVER (ORDER BY at DESC, id DESC) - 1 AS newer FROM activity
            WHERE org_id = ? AND (action LIKE 'address.%' OR action LIKE 'subnet.%' OR action LIKE 'section.%'))`)
        .get(f.tenant.orgId) as { serial: number }).serial;
    const insert = sqlite.query(
      "INSERT INTO activity (id, org_id, at, actor_type, actor_label, action, target_type) VALUES (?, ?, ?, 'system', 'test', ?, 'address')",
    );
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const actions = ["address.create", "address.delete", "subnet.update", "section.create", "api_key.create", "user.update"];
    for (let round = 0; round < 30; round++) {
      sqlite.run("DELETE FROM activity WHERE org_id = ?", [f.tenant.orgId]);
      // A few hundred changes over a few seconds, bursts and gaps, many in one millisecond.
      const base = Date.parse("2030-01-01T00:00:00Z") + random(1000) * 1000;
      for (let k = 0, n = 1 + random(300); k < n; k++) {
        const at = new Date(base + random(6) * (random(4) === 0 ? 100_000 : 1000) + random(3)).toISOString();
        insert.run(crypto.randomUUID(), f.tenant.orgId, at, actions[random(actions.length)]!);
      }
      const expected = Math.max(windowed() ?? 0, 1);
      expect((await zoneWithSerial(f)).serial).toBe(expected);
    }
  });
});
