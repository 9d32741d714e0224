/**
 * Constrained allocation and range reservation (POST /subnets/{id}/addresses with `range`,
 * `exclude`, `from`, `contiguous`; `start` + `end`) on both backends, through the real app.
 * The oracle is a naive model written from the request's meaning: list every usable address,
 * drop the used and the excluded, take the lowest (highest) or the lowest unbroken block.
 * Random fills (records, reserved ranges, a child subnet), IPv4 and IPv6, seeded.
 */
import { describe, expect, test } from "bun:test";
import { formatIp, parseIp } from "../../../src/ip";
import { Prng } from "../../ip/prng";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

/** The naive model of one subnet: usable [first, last] and the set of used values. */
class Model {
  readonly used = new Set<bigint>();
  constructor(
    readonly family: 4 | 6,
    readonly first: bigint,
    readonly last: bigint,
  ) {}
  text(v: bigint) {
    return formatIp({ family: this.family, value: v });
  }
  /** What a request must get, or null when nothing fits. */
  pick(r: { lo: bigint; hi: bigint; exclude: [bigint, bigint][]; count: number; fromEnd: boolean; contiguous: boolean }): bigint[] | null {
    const free: bigint[] = [];
    for (let v = this.first; v <= this.last; v++) {
      if (v < r.lo || v > r.hi || this.used.has(v)) continue;
      if (r.exclude.some(([a, b]) => v >= a && v <= b)) continue;
      free.push(v);
    }
    if (!r.contiguous) {
      if (free.length < r.count) return null;
      return r.fromEnd ? free.slice(free.length - r.count) : free.slice(0, r.count);
    }
    const starts: bigint[] = [];
    for (let i = 0; i + r.count <= free.length; i++) {
      if (free[i + r.count - 1]! - free[i]! === BigInt(r.count - 1)) starts.push(free[i]!);
    }
    if (starts.length === 0) return null;
    const s = r.fromEnd ? starts[starts.length - 1]! : starts[0]!;
    return Array.from({ length: r.count }, (_, k) => s + BigInt(k));
  }
}

const value = (text: string) => {
  const p = parseIp(text);
  if (!p.ok) throw new Error(text);
  return p.value.value;
};

describe.each(BACKENDS)("constrained allocation on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  for (const [family, cidr, child] of [
    [4, "10.20.0.0/26", "10.20.0.32/29"],
    [6, "2001:db8:7::/122", "2001:db8:7::20/125"],
  ] as const) {
    test(`IPv${family}: random fills and random constrained requests agree with the naive model`, async () => {
      const t = await fresh();
      const s = (await t.api.post("/subnets", { cidr })).body;
      expect((await t.api.post("/subnets", { cidr: child })).status).toBe(201);
      const base = value(cidr.split("/")[0]!);
      const size = 64n;
      const m = new Model(family, base + 1n, family === 4 ? base + size - 2n : base + size - 1n);
      const c = value(child.split("/")[0]!);
      for (let v = c; v < c + 8n; v++) m.used.add(v);
      const rng = new Prng(family * 1000 + 13);
      // Random fill: single records and small reserved ranges, about a third of the subnet.
      for (let i = 0; i < 8; i++) {
        const v = m.first + rng.bigint(m.last - m.first + 1n);
        if (m.used.has(v)) continue;
        expect((await t.api.post(`/subnets/${s.id}/addresses`, { ip: m.text(v) })).status).toBe(201);
        m.used.add(v);
      }
      for (let i = 0; i < 3; i++) {
        const a = m.first + rng.bigint(m.last - m.first - 3n);
        const values = [a, a + 1n, a + 2n];
        const res = await t.api.post(`/subnets/${s.id}/addresses`, { start: m.text(a), end: m.text(a + 2n), status: "dhcp" });
        if (values.some((v) => m.used.has(v))) {
          const firstUsed = values.find((v) => m.used.has(v))!;
          expect(res.status).toBe(firstUsed >= c && firstUsed < c + 8n ? 400 : 409); // a child subnet, or a record
          continue;
        }
        expect(res.status).toBe(201);
        expect(res.body.items.map((x: any) => x.ip)).toEqual(values.map((v) => m.text(v)));
        expect(res.body.items.every((x: any) => x.status === "dhcp")).toBe(true);
        values.forEach((v) => m.used.add(v));
      }
      // Random constrained requests until the subnet is nearly full; each result is checked.
      const outcomes = { fit: 0, full: 0 };
      for (let round = 0; round < 30; round++) {
        const span = m.last - m.first + 1n;
        let lo = m.first + rng.bigint(span);
        let hi = m.first + rng.bigint(span);
        if (lo > hi) [lo, hi] = [hi, lo];
        const useRange = rng.next() < 0.6;
        const exclude: [bigint, bigint][] = [];
        for (let k = rng.int(3); k > 0; k--) {
          const a = m.first + rng.bigint(span);
          exclude.push([a, a + BigInt(rng.int(4))]);
        }
        const count = 1 + rng.int(4);
        const fromEnd = rng.next() < 0.5;
        const contiguous = rng.next() < 0.5;
        const body: Record<string, unknown> = { count, hostname: `r${round}` };
        if (useRange) body.range = { start: m.text(lo), end: m.text(hi) };
        if (exclude.length > 0) body.exclude = exclude.map(([a, b]) => (a === b ? m.text(a) : `${m.text(a)}-${m.text(b)}`));
        if (fromEnd) body.from = "end";
        if (contiguous) body.contiguous = true;
        const want = m.pick({ lo: useRange ? lo : m.first, hi: useRange ? hi : m.last, exclude, count, fromEnd, contiguous });
        const got = await t.api.post(`/subnets/${s.id}/addresses`, body);
        if (want === null) {
          expect({ round, status: got.status, code: got.body.code }).toEqual({ round, status: 409, code: "subnet_full" });
          outcomes.full++;
          continue;
        }
        expect({ round, status: got.status }).toEqual({ round, status: 201 });
        expect(got.body.items.map((x: any) => x.ip)).toEqual(want.map((v) => m.text(v)));
        want.forEach((v) => m.used.add(v));
        outcomes.fit++;
      }
      expect(outcomes.fit).toBeGreaterThan(5); // both answers were exercised
      expect(outcomes.full).toBeGreaterThan(0);
      // Memory and rows agree afterwards: first-free is the model's lowest free address.
      const lowest = m.pick({ lo: m.first, hi: m.last, exclude: [], count: 1, fromEnd: false, contiguous: false });
      expect((await t.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe(lowest === null ? null : m.text(lowest[0]!));
      expect((await t.api.get(`/subnets/${s.id}/addresses?limit=1`)).body.total).toBe([...m.used].filter((v) => v < c || v >= c + 8n).length);
    });
  }

  test("a single constrained address answers the record; from end, excludes and a block in an IPv6 /64", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.9.0.0/24" })).body;
    const one = await t.api.post(`/subnets/${s.id}/addresses`, { range: { start: "10.9.0.100", end: "10.9.0.199" }, from: "end", hostname: "vip" });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({ ip: "10.9.0.199", hostname: "vip" });
    const next = await t.api.post(`/subnets/${s.id}/addresses`, { from: "end", exclude: ["10.9.0.250-10.9.0.254", "10.9.0.249"] });
    expect(next.body.ip).toBe("10.9.0.248");
    const v6 = (await t.api.post("/subnets", { cidr: "2001:db8:1:2::/64" })).body;
    await t.api.post(`/subnets/${v6.id}/addresses`, { ip: "2001:db8:1:2:8000::2" });
    const block = await t.api.post(`/subnets/${v6.id}/addresses`, {
      count: 4,
      contiguous: true,
      range: { start: "2001:db8:1:2:8000::", end: "2001:db8:1:2:ffff:ffff:ffff:ffff" },
    });
    expect(block.body.items.map((x: any) => x.ip)).toEqual(["2001:db8:1:2:8000::3", "2001:db8:1:2:8000::4", "2001:db8:1:2:8000::5", "2001:db8:1:2:8000::6"]);
    const top = await t.api.post(`/subnets/${v6.id}/addresses`, { count: 2, contiguous: true, from: "end" });
    expect(top.body.items.map((x: any) => x.ip)).toEqual(["2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2:ffff:ffff:ffff:ffff"]);
  });

  test("bad constraints are clear 400s; nothing fitting is 409 subnet_full; nothing is written", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.8.0.0/28" })).body;
    const post = (body: unknown) => t.api.post(`/subnets/${s.id}/addresses`, body);
    const outside = await post({ range: { start: "10.8.0.2", end: "10.8.1.5" } });
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({ code: "ip_not_in_subnet", details: { field: "range.end" } });
    const reversed = await post({ range: { start: "10.8.0.9", end: "10.8.0.2" } });
    expect(reversed.body).toMatchObject({ code: "range_invalid", details: { field: "range" } });
    expect((await post({ exclude: ["10.8.0.9-10.8.0.2"] })).body).toMatchObject({ code: "range_invalid", details: { field: "exclude[0]" } });
    expect((await post({ exclude: ["10.8.0.x"] })).body).toMatchObject({ code: "invalid_ip", details: { field: "exclude[0]" } });
    expect((await post({ exclude: ["2001:db8::1"] })).body.code).toBe("range_invalid");
    expect((await post({ range: { start: "10.8.0.1", end: "2001:db8::1" } })).body.code).toBe("range_invalid");
    expect((await post({ ip: "10.8.0.3", from: "end" })).body).toMatchObject({ code: "validation_failed", details: { field: "from" } });
    expect((await post({ from: "middle" })).status).toBe(400);
    const full = await post({ count: 3, contiguous: true, range: { start: "10.8.0.1", end: "10.8.0.2" } });
    expect(full.status).toBe(409);
    expect(full.body).toMatchObject({ code: "subnet_full", details: { requested: 3, contiguous: true } });
    expect((await post({ range: { start: "10.8.0.0", end: "10.8.0.0" } })).body.code).toBe("subnet_full"); // the network address only
    expect((await t.api.get(`/subnets/${s.id}/addresses`)).body.total).toBe(0);
  });

  test("reserve a range: every usable address, all or nothing, 409 naming the first taken one, at most 10,000", async () => {
    const t = await fresh();
    const s = (await t.api.post("/subnets", { cidr: "10.7.0.0/24" })).body;
    const post = (body: unknown) => t.api.post(`/subnets/${s.id}/addresses`, body);
    const pool = await post({ start: "10.7.0.0", end: "10.7.0.4", status: "dhcp", description: "pool" });
    expect(pool.status).toBe(201);
    expect(pool.body.items.map((a: any) => [a.ip, a.status, a.description])).toEqual(
      ["10.7.0.1", "10.7.0.2", "10.7.0.3", "10.7.0.4"].map((ip) => [ip, "dhcp", "pool"]),
    );
    await post({ ip: "10.7.0.20", hostname: "printer" });
    const clash = await post({ start: "10.7.0.10", end: "10.7.0.30", status: "dhcp" });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ code: "address_in_use", details: { field: "start", address: { ip: "10.7.0.20", hostname: "printer" } } });
    expect((await t.api.get(`/subnets/${s.id}/addresses`)).body.total).toBe(5); // nothing of 10.7.0.10–30
    expect((await t.api.get(`/subnets/${s.id}/first-free`)).body.ip).toBe("10.7.0.5");
    expect((await post({ start: "10.7.0.10" })).body).toMatchObject({ code: "validation_failed", details: { field: "end" } });
    expect((await post({ start: "10.7.0.10", end: "10.7.0.12", count: 2 })).body).toMatchObject({ code: "validation_failed", details: { field: "count" } });
    expect((await post({ start: "10.7.0.12", end: "10.7.0.10" })).body.code).toBe("range_invalid");
    expect((await post({ start: "10.7.0.250", end: "10.7.1.3" })).body).toMatchObject({ code: "ip_not_in_subnet", details: { field: "end" } });
    const big = (await t.api.post("/subnets", { cidr: "10.100.0.0/16" })).body;
    const tooMany = await t.api.post(`/subnets/${big.id}/addresses`, { start: "10.100.0.1", end: "10.100.39.17" });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe("range_too_large");
    const exact = await t.api.post(`/subnets/${big.id}/addresses`, { start: "10.100.0.1", end: "10.100.39.16", status: "reserved" });
    expect(exact.status).toBe(201);
    expect(exact.body.items).toHaveLength(10_000);
    expect((await t.api.get(`/subnets/${big.id}/first-free`)).body.ip).toBe("10.100.39.17");
    const child = (await t.api.post("/subnets", { cidr: "10.7.0.128/28" })).body;
    const inChild = await post({ start: "10.7.0.120", end: "10.7.0.130" });
    expect(inChild.body).toMatchObject({ code: "ip_in_child_subnet", details: { child_id: child.id } });
  });
});
