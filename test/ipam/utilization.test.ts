/**
 * Utilization counts what lies below a subnet (API.md §6, issue 15). It used to count every
 * address covered by a child as used: a /24 split into four parts holding 10 addresses showed
 * "100.00 % used" in red. Now `used` = usable addresses holding a record in the subnet or any
 * descendant, `in_children` = usable addresses inside child subnets, `free` = what first-free
 * may return.
 */
import { describe, expect, test } from "bun:test";
import { utilizationIn } from "../../src/ipam/nested-records";
import { IpamRegistry } from "../../src/ipam/registry";
import { Prng } from "../ip/prng";
import { ipamFixture } from "./fixture";

describe("utilization counts records below a subnet", () => {
  test("the issue's example: a /24 split into 4 with 10 addresses in the children is 10 / 254, not 100 %", async () => {
    const f = ipamFixture();
    const parent = await f.subnet("10.20.0.0/24", { name: "Office LAN" });
    const parts = (await f.api.post(`/subnets/${parent.id}/split`, { parts: 4 })).body.items;
    expect((await f.api.post(`/subnets/${parts[0].id}/addresses`, { count: 3 })).status).toBe(201);
    expect((await f.api.post(`/subnets/${parts[2].id}/addresses`, { count: 7 })).status).toBe(201);
    const u = (await f.api.get(`/subnets/${parent.id}`)).body.utilization;
    // Every usable address of the /24 lies in a child, so none is free in the parent itself.
    expect(u).toEqual({ size: "256", usable: "254", used: "10", in_children: "254", free: "0", percent: 3.94 });
    expect((await f.api.get(`/subnets/${parts[2].id}`)).body.utilization).toEqual({ size: "64", usable: "62", used: "7", in_children: "0", free: "55", percent: 11.29 });
    // The list answers the same numbers.
    const listed = (await f.api.get(`/subnets?parent_id=${parent.id}`)).body.items;
    expect(listed.map((s: any) => s.utilization.used)).toEqual(["3", "0", "7", "0"]);
    expect((await f.api.get("/subnets?root=true")).body.items[0].utilization.used).toBe("10");
  });

  test("records deep below count at every level; deletes, moves and adoption keep the counts", async () => {
    const f = ipamFixture();
    const root = await f.subnet("10.0.0.0/8");
    const site = await f.subnet("10.1.0.0/16");
    const lan = await f.subnet("10.1.2.0/24");
    await f.address(root.id, { ip: "10.9.9.9" });
    const deep = await f.address(lan.id, { ip: "10.1.2.10" });
    await f.address(site.id, { ip: "10.1.7.1" });
    const used = async (id: string) => (await f.api.get(`/subnets/${id}`)).body.utilization.used;
    expect([await used(root.id), await used(site.id), await used(lan.id)]).toEqual(["3", "2", "1"]);
    // A new container over existing records and a subnet: it adopts them, its ancestors do not change.
    const mid = await f.subnet("10.1.0.0/20");
    expect([await used(root.id), await used(site.id), await used(mid.id), await used(lan.id)]).toEqual(["3", "2", "2", "1"]);
    // Deleting an address frees it at every level.
    expect((await f.api.del(`/addresses/${deep.id}`)).status).toBe(204);
    expect([await used(root.id), await used(site.id), await used(mid.id)]).toEqual(["2", "1", "1"]);
    // Deleting a middle subnet moves its records up: still counted above.
    await f.address(mid.id, { ip: "10.1.3.3" });
    expect((await f.api.del(`/subnets/${mid.id}`)).status).toBe(204);
    expect([await used(root.id), await used(site.id)]).toEqual(["3", "2"]);
    // Deleting a subnet whose records cannot move up (force on a root) removes them from the count.
    expect((await f.api.del(`/subnets/${root.id}?force=true`)).status).toBe(204);
    expect(await used(site.id)).toBe("2");
  });

  test("a /32 child at the parent's broadcast address holds a record the parent does not count (used never exceeds usable)", async () => {
    const f = ipamFixture();
    const parent = await f.subnet("10.7.0.0/24");
    const loopback = await f.subnet("10.7.0.255/32");
    await f.address(loopback.id, { ip: "10.7.0.255" });
    await f.address(parent.id, { ip: "10.7.0.1" });
    expect((await f.api.get(`/subnets/${parent.id}`)).body.utilization).toMatchObject({ usable: "254", used: "1", in_children: "0" });
    expect((await f.api.get(`/subnets/${loopback.id}`)).body.utilization).toMatchObject({ usable: "1", used: "1", percent: 100 });
  });

  test("IPv6: a /48 with a /64 child holding records counts them, exactly", async () => {
    const f = ipamFixture();
    const p48 = await f.subnet("2001:db8:abcd::/48");
    const p64 = await f.subnet("2001:db8:abcd:12::/64");
    expect((await f.api.post(`/subnets/${p64.id}/addresses`, { count: 5 })).status).toBe(201);
    expect((await f.api.get(`/subnets/${p48.id}`)).body.utilization).toMatchObject({
      usable: "1208925819614629174706175",
      used: "5",
      in_children: "18446744073709551616",
      free: String(1208925819614629174706175n - 18446744073709551616n),
      percent: 0,
    });
  });

  test("random creates and deletes agree with plain counting over the rows, live and after a reload", async () => {
    const f = ipamFixture();
    const rng = new Prng(15);
    const base = 10n << 24n;
    const ipText = (v: bigint) => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");
    const value = (ip: string) => ip.split(".").reduce((a, o) => (a << 8n) + BigInt(o), 0n);
    for (let step = 0; step < 120; step++) {
      const roll = rng.int(10);
      if (roll < 3) {
        const length = 18 + rng.int(13); // /18 … /30 inside 10.0.0.0/16
        const size = 1n << BigInt(32 - length);
        const network = base + BigInt(rng.int(Number((1n << 16n) / size))) * size;
        await f.api.post("/subnets", { cidr: `${ipText(network)}/${length}` }); // 409s are fine
      } else if (roll < 8) {
        // An address somewhere inside a random subnet, recorded in the most specific one.
        const all = (await f.api.get("/subnets?limit=1000")).body.items;
        if (all.length === 0) continue;
        const s = all[rng.int(all.length)];
        const ip = ipText(value(s.network) + BigInt(rng.int(2 ** Math.min(32 - s.prefix_length, 30))));
        const holders = (await f.api.get(`/subnets?contains=${ip}`)).body.items;
        await f.api.post(`/subnets/${holders.at(-1).id}/addresses`, { ip }); // 400/409s are fine
      } else if (roll < 9) {
        const all = (await f.api.get("/addresses?limit=1000")).body.items;
        if (all.length > 0) await f.api.del(`/addresses/${all[rng.int(all.length)].id}`);
      } else {
        const all = (await f.api.get("/subnets?limit=1000")).body.items;
        if (all.length > 0) await f.api.del(`/subnets/${all[rng.int(all.length)].id}?force=true`);
      }
    }
    const subnets = (await f.api.get("/subnets?limit=1000")).body.items;
    const records = (await f.api.get("/addresses?limit=1000")).body.items.map((a: any) => value(a.ip));
    expect(subnets.length).toBeGreaterThan(5);
    expect(records.length).toBeGreaterThan(10);
    const rebuilt = IpamRegistry.load(f.database);
    let nonTrivial = 0;
    for (const s of subnets) {
      const network = value(s.network);
      const last = network + (1n << BigInt(32 - s.prefix_length)) - 1n;
      const [first, end]: [bigint, bigint] = s.prefix_length >= 31 ? [network, last] : [network + 1n, last - 1n];
      const children: [bigint, bigint][] = subnets.filter((c: any) => c.parent_id === s.id).map((c: any): [bigint, bigint] => {
        const lo = value(c.network);
        return [lo, lo + (1n << BigInt(32 - c.prefix_length)) - 1n];
      });
      const inChildren = (v: bigint) => children.some(([lo, hi]) => v >= lo && v <= hi);
      let used = 0n;
      let covered = 0n;
      let own = 0n;
      for (const v of records) if (v >= first && v <= end) used++;
      for (const v of records) if (v >= first && v <= end && !inChildren(v)) own++;
      for (const [lo, hi] of children) {
        const a = lo > first ? lo : first;
        const b = hi < end ? hi : end;
        if (b >= a) covered += b - a + 1n;
      }
      const usable = end - first + 1n;
      expect(s.utilization).toMatchObject({ used: String(used), in_children: String(covered), free: String(usable - own - covered) });
      const state = rebuilt.subnet(f.tenant.orgId, s.id)!;
      expect(utilizationIn(rebuilt.nestedScope(state), state)).toEqual(s.utilization);
      if (used > own) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(0); // some subnet counted records of its descendants
  });
});
