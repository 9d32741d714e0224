/**
 * An organization with IPv4 and IPv6 subnets, two VRFs and awkward host names, built
 * through the API (the records are exactly what users can store).
 */
import { ipamFixture } from "../ipam/fixture";

export const MAC = (n: number) => `52:54:00:00:00:${n.toString(16).padStart(2, "0")}`;

export async function awkwardOrg() {
  const f = ipamFixture();
  const section = (await f.api.post("/sections", { name: "Lab Net" })).body;
  const v4 = await f.subnet("10.0.1.0/24", { section_id: section.id });
  const v6 = await f.subnet("2001:db8:1::/64", { section_id: section.id });
  const other = await f.subnet("10.0.1.0/24", { vrf: "lab" });
  const add = (subnet: { id: string }, ip: string, hostname: string, extra: Record<string, unknown> = {}) =>
    f.address(subnet.id, { ip, hostname, ...extra });
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
  return { ...f, section, v4, v6, other };
}
