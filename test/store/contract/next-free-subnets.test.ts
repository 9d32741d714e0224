/**
 * The next free subnet (issue 13) on both backends, through the real app: first-free-subnet,
 * free-subnets with cursor paging, POST /subnets/{id}/subnets (one, `count`, `from: end`,
 * refusals), and an oracle: random children and records put in through the API, then every
 * answer compared with a naive model that tests each aligned block of the parent.
 */
import { describe, expect, test } from "bun:test";
import { formatCidr, formatIp, parseCidr, type Prefix } from "../../../src/ip";
import { usePgCluster } from "../../helpers/pg";
import { Prng } from "../../ip/prng";
import { BACKENDS, freshTenantApps } from "./backends";

usePgCluster();

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const bitsOf = (p: Prefix) => (p.family === 4 ? 32 : 128);
const lastOf = (p: Prefix) => p.network + (1n << BigInt(bitsOf(p) - p.length)) - 1n;

/** The naive model: every aligned /length block of `parent`, kept when no child overlaps it and no record lies in it. */
function naiveFree(parent: Prefix, length: number, children: Prefix[], records: bigint[]): string[] {
  const size = 1n << BigInt(bitsOf(parent) - length);
  const out: string[] = [];
  for (let a = parent.network; a <= lastOf(parent); a += size) {
    const b = a + size - 1n;
    if (children.some((c) => c.network <= b && lastOf(c) >= a)) continue;
    if (records.some((v) => v >= a && v <= b)) continue;
    out.push(formatCidr({ family: parent.family, network: a, length }));
  }
  return out;
}

describe.each(BACKENDS)("next free subnet on $name", (backend) => {
  const fresh = freshTenantApps(backend);

  test("first-free-subnet, free-subnets and POST skip children and blocks holding an address; from=end mirrors", async () => {
    const t = await fresh();
    const parent = (await t.api.post("/subnets", { cidr: "10.20.0.0/16", name: "site" })).body;
    await t.api.post("/subnets", { cidr: "10.20.0.0/23" });
    await t.api.post("/subnets", { cidr: "10.20.2.128/25" });
    expect((await t.api.post(`/subnets/${parent.id}/addresses`, { ip: "10.20.3.9" })).status).toBe(201);
    await t.api.post("/subnets", { cidr: "10.20.255.0/24" });

    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).body).toEqual({ cidr: "10.20.4.0/24" });
    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=25`)).body).toEqual({ cidr: "10.20.2.0/25" });
    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=24&from=end`)).body).toEqual({ cidr: "10.20.254.0/24" });
    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=18`)).body).toEqual({ cidr: "10.20.64.0/18" });
    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=18&from=end`)).body).toEqual({ cidr: "10.20.128.0/18" });
    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=17&from=end`)).body).toEqual({ cidr: null });

    const page1 = await t.api.get(`/subnets/${parent.id}/free-subnets?prefix_length=24&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toEqual([{ cidr: "10.20.4.0/24" }, { cidr: "10.20.5.0/24" }]);
    const page2 = await t.api.get(`/subnets/${parent.id}/free-subnets?prefix_length=24&limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.items).toEqual([{ cidr: "10.20.6.0/24" }, { cidr: "10.20.7.0/24" }]);
    // A cursor of another length or direction is refused, not misread.
    const wrong = await t.api.get(`/subnets/${parent.id}/free-subnets?prefix_length=25&cursor=${page1.body.next_cursor}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual({ field: "cursor" });
    const down = await t.api.get(`/subnets/${parent.id}/free-subnets?prefix_length=24&from=end&limit=3`);
    expect(down.body.items.map((i: any) => i.cidr)).toEqual(["10.20.254.0/24", "10.20.253.0/24", "10.20.252.0/24"]);
    const down2 = await t.api.get(`/subnets/${parent.id}/free-subnets?prefix_length=24&from=end&limit=1000&cursor=${down.body.next_cursor}`);
    expect(down2.body.items[0].cidr).toBe("10.20.251.0/24");
    expect(down2.body.items.at(-1).cidr).toBe("10.20.4.0/24");
    expect(down2.body.next_cursor).toBeNull();

    const made = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, name: "office", vlan: 120, description: "carved" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ cidr: "10.20.4.0/24", parent_id: parent.id, name: "office", vlan: 120, description: "carved", vrf: "default" });
    expect(made.body.utilization).toMatchObject({ size: "256", used: "0" });
    expect((await t.api.get(`/subnets/${made.body.id}`)).body).toEqual(made.body);
    const high = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, from: "end" });
    expect(high.body.cidr).toBe("10.20.254.0/24");
    const many = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 26, count: 3 });
    expect(many.status).toBe(201);
    expect(many.body.items.map((s: any) => s.cidr)).toEqual(["10.20.2.0/26", "10.20.2.64/26", "10.20.3.64/26"]); // 10.20.3.0/26 holds 10.20.3.9
    const created = (await t.probes.activity(t.tenant.orgId)).filter((a) => a.action === "subnet.create");
    expect(created.map((a) => a.target_label)).toContain("10.20.2.64/26");
    expect((await t.api.get(`/subnets/${parent.id}`)).body.utilization.in_children).not.toBe("0");
  });

  test("refusals: bad lengths 400, full 409 subnet_full naming the largest free block, count all or nothing, foreign ids 404", async () => {
    const t = await fresh();
    const parent = (await t.api.post("/subnets", { cidr: "192.168.8.0/22" })).body;
    for (const q of ["prefix_length=22", "prefix_length=33", "prefix_length=x", "prefix_length=24&from=middle", ""]) {
      const r = await t.api.get(`/subnets/${parent.id}/first-free-subnet?${q}`);
      expect(r.status).toBe(400);
    }
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 20 })).body.details).toEqual({ field: "prefix_length" });
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, count: 1025 })).status).toBe(400);
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, cidr: "192.168.8.0/24" })).status).toBe(400);
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, section_id: "nope" })).status).toBe(404);

    const three = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, count: 3 });
    expect(three.body.items.map((s: any) => s.cidr)).toEqual(["192.168.8.0/24", "192.168.9.0/24", "192.168.10.0/24"]);
    await t.api.post(`/subnets/${parent.id}/addresses`, { ip: "192.168.11.100" });
    const short = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 26, count: 4 });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: "subnet_full", details: { prefix_length: 26, requested: 4, available: 3 } });
    const none = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24 });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe("subnet_full");
    expect(none.body.error).toBe("No free /24 in 192.168.8.0/22; the largest free block is 192.168.11.128/25");
    expect(none.body.details).toEqual({ prefix_length: 24, requested: 1, available: 0, largest_free: "192.168.11.128/25" });
    // Nothing of the refused requests was written.
    expect((await t.api.get(`/subnets?parent_id=${parent.id}`)).body.total).toBe(3);
    expect((await t.api.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).body).toEqual({ cidr: null });

    const other = await t.newTenant();
    const foreign = t.as(other);
    expect((await foreign.get(`/subnets/${parent.id}/first-free-subnet?prefix_length=24`)).status).toBe(404);
    expect((await foreign.get(`/subnets/${parent.id}/free-subnets?prefix_length=24`)).status).toBe(404);
    expect((await foreign.post(`/subnets/${parent.id}/subnets`, { prefix_length: 26 })).status).toBe(404);
    expect((await t.api.post(`/subnets/${crypto.randomUUID()}/subnets`, { prefix_length: 26 })).status).toBe(404);
  });

  test("the plan's subnet limit counts every child of a count: over it, 402 and nothing created", async () => {
    const t = await fresh({ plan: "pro" }); // 500 subnets
    const parent = (await t.api.post("/subnets", { cidr: "10.30.0.0/16" })).body;
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 24, count: 200 })).status).toBe(201);
    const over = await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 28, count: 300 }); // 1 + 200 + 300 > 500
    expect([over.status, over.body.code]).toEqual([402, "plan_limit"]);
    expect((await t.api.get(`/subnets?parent_id=${parent.id}`)).body.total).toBe(200);
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 28, count: 299 })).status).toBe(201);
    expect((await t.api.post(`/subnets/${parent.id}/subnets`, { prefix_length: 28 })).status).toBe(402);
  });

  test("the child takes the parent's folder unless told otherwise; IPv6: a /64 out of a /32", async () => {
    const t = await fresh();
    const folder = (await t.api.post("/sections", { name: "Branch Berlin" })).body;
    const v6 = (await t.api.post("/subnets", { cidr: "2001:db8::/32", section_id: folder.id })).body;
    await t.api.post("/subnets", { cidr: "2001:db8::/48" });
    await t.api.post(`/subnets/${v6.id}/addresses`, { ip: "2001:db8:1::1" });
    expect((await t.api.get(`/subnets/${v6.id}/first-free-subnet?prefix_length=64`)).body).toEqual({ cidr: "2001:db8:1:1::/64" });
    const child = await t.api.post(`/subnets/${v6.id}/subnets`, { prefix_length: 64 });
    expect(child.body).toMatchObject({ cidr: "2001:db8:1:1::/64", section_id: folder.id, family: 6 });
    const unfiled = await t.api.post(`/subnets/${v6.id}/subnets`, { prefix_length: 64, section_id: null, from: "end" });
    expect(unfiled.body).toMatchObject({ cidr: "2001:db8:ffff:ffff::/64", section_id: null });
    expect((await t.api.get(`/subnets/${v6.id}/free-subnets?prefix_length=127&limit=2`)).body.items).toEqual([
      { cidr: "2001:db8:1::2/127" }, // 2001:db8:1::/127 holds the record 2001:db8:1::1
      { cidr: "2001:db8:1::4/127" },
    ]);
  });

  for (const [label, parentText, lengths, seed] of [
    ["IPv4 /20", "10.64.0.0/20", [21, 22, 24, 26, 28, 30, 32], 13],
    ["IPv6 /52", "2001:db8:4000::/52", [53, 56, 60, 62, 64], 29],
  ] as const) {
    test(`oracle, random fills (${label}): every answer equals the naive model's, POST takes its first block`, async () => {
      const t = await fresh();
      const parent = cidr(parentText);
      const parentId = (await t.api.post("/subnets", { cidr: parentText })).body.id;
      const random = new Prng(seed);
      const bits = bitsOf(parent);
      const children: Prefix[] = [];
      const records: bigint[] = [];
      for (let round = 0; round < 3; round++) {
        // Random children: random aligned blocks; those that would nest or overlap are skipped.
        for (let i = 0; i < 8; i++) {
          const length = parent.length + 2 + random.int(lengths.at(-1)! - parent.length - 2);
          const size = 1n << BigInt(bits - length);
          const network = parent.network + random.bigint(1n << BigInt(length - parent.length)) * size;
          const c: Prefix = { family: parent.family, network, length };
          if (children.some((o) => o.network <= lastOf(c) && lastOf(o) >= c.network)) continue;
          if (records.some((v) => v >= c.network && v <= lastOf(c))) continue;
          expect((await t.api.post("/subnets", { cidr: formatCidr(c) })).status).toBe(201);
          children.push(c);
        }
        // Random records in the parent itself (usable, outside every child).
        for (let i = 0; i < 10; i++) {
          const value = parent.network + 1n + random.bigint(lastOf(parent) - parent.network - 1n);
          if (children.some((c) => value >= c.network && value <= lastOf(c)) || records.includes(value)) continue;
          const ip = formatIp({ family: parent.family, value });
          expect((await t.api.post(`/subnets/${parentId}/addresses`, { ip })).status).toBe(201);
          records.push(value);
        }
        for (const length of lengths) {
          const want = naiveFree(parent, length, children, records);
          const first = await t.api.get(`/subnets/${parentId}/first-free-subnet?prefix_length=${length}`);
          expect(first.body).toEqual({ cidr: want[0] ?? null });
          const last = await t.api.get(`/subnets/${parentId}/first-free-subnet?prefix_length=${length}&from=end`);
          expect(last.body).toEqual({ cidr: want.at(-1) ?? null });
          // Every block, through pages of a random size, both ways.
          for (const from of ["start", "end"]) {
            const got: string[] = [];
            const limit = 1 + random.int(1000);
            let cursor: string | null = null;
            do {
              const page: any = await t.api.get(
                `/subnets/${parentId}/free-subnets?prefix_length=${length}&from=${from}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
              );
              expect(page.status).toBe(200);
              got.push(...page.body.items.map((i: any) => i.cidr));
              cursor = page.body.next_cursor;
            } while (cursor !== null);
            expect(got).toEqual(from === "start" ? want : [...want].reverse());
          }
        }
        // POST takes exactly what the model says is first (and from the end, last).
        const length = lengths[random.int(lengths.length)]!;
        const want = naiveFree(parent, length, children, records);
        const from = round === 1 ? "end" : "start";
        const made = await t.api.post(`/subnets/${parentId}/subnets`, { prefix_length: length, from });
        if (want.length === 0) {
          expect(made.body.code).toBe("subnet_full");
        } else {
          expect(made.body.cidr).toBe(from === "end" ? want.at(-1)! : want[0]!);
          children.push(cidr(made.body.cidr));
        }
      }
    }, 120_000);
  }
});
