/**
 * An organization with IPv4 and IPv6 subnets, two VRFs and awkward host names, built
 * through the API (the records are exactly what users can store). `fillAwkward` drives any
 * app (SQLite or PostgreSQL: test/store/pg-dns-dhcp.test.ts); `awkwardOrg` is it on SQLite.
 */
import { ipamFixture } from "../ipam/fixture";

export const MAC = (n: number) => `52:54:00:00:00:${n.toString(16).padStart(2, "0")}`;

/** What `fillAwkward` needs: a POST to /api/v1<path> as the organization. */
export type Poster = (path: string, body: unknown) => Promise<{ status: number; body: any }>;

export async function fillAwkward(post: Poster) {
  const ok = async (path: string, body: unknown) => {
    const r = await post(path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const section = await ok("/sections", { name: "Lab Net" });
  const v4 = await ok("/subnets", { cidr: "10.0.1.0/24", section_id: section.id });
  const v6 = await ok("/subnets", { cidr: "2001:db8:1::/64", section_id: section.id });
  await ok("/vrfs", { name: "lab" });
  const other = await ok("/subnets", { cidr: "10.0.1.0/24", vrf: "lab" });
  const add = (subnet: { id: string }, ip: string, hostname: string, extra: Record<string, unknown> = {}) =>
    ok(`/subnets/${subnet.id}/addresses`, { ip, hostname, ...extra });
  await add(v4, "10.0.1.1", "GATEWAY", { status: "gateway", mac: MAC(1) });
  await add(v4, "10.0.1.10", "Web", { mac: MAC(0x10), owner: "ops" });
  await add(v4, "10.0.1.11", "build_box", { mac: MAC(0x11) });
  await add(v4, "10.0.1.12", "a".repeat(64));
  await add(v4, "10.0.1.13", "café");
  await add(v4, "10.0.1.14", "DB.lab.example.", { mac: MAC(0x14), status: "reserved" });
  await add(v4, "10.0.1.15", "web");
  await add(v4, "10.0.1.16", "pool-16", { status: "dhcp", mac: MAC(0x16) });
  await add(v4, "10.0.1.17", "mail.other.example.");
  await add(v4, "10.0.1.18", "ns1");
  await add(v4, "10.0.1.19", "", { mac: MAC(0x19) });
  await add(v4, "10.0.1.20", "printer", { mac: MAC(0x10) });
  await add(v4, "10.0.1.21", "-bad-");
  await add(v4, "10.0.1.22", "web.rack1");
  await add(v4, "10.0.1.23", "two..dots");
  await add(v6, "2001:db8:1::10", "Web", { mac: MAC(0x10) });
  await add(v6, "2001:db8:1::11", "under_score", { mac: MAC(0x11) });
  await add(v6, "2001:db8:1::12", "Ünïcode");
  await add(v6, "2001:db8:1::13", "db.lab.example.", { mac: MAC(0x14) });
  await add(v6, "2001:db8:1::14", "pool6", { status: "dhcp", mac: MAC(0x16) });
  await add(other, "10.0.1.10", "other", { mac: MAC(0x99) });
  return { section, v4, v6, other };
}

export async function awkwardOrg() {
  const f = ipamFixture();
  const made = await fillAwkward((path, body) => f.api.post(path, body));
  return { ...f, ...made };
}
