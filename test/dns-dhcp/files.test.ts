/**
 * Issue 14: ipcraft could not hand its hostnames and MACs to the DNS and DHCP servers of a
 * network; every file it now writes is loaded here by the real program that reads it
 * (named-checkzone, dnsmasq, kea-dhcp4/6, dhcpd, ansible-inventory), for IPv4 and IPv6
 * records with awkward host names — which must be skipped and listed, never written broken.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { ansibleList, checkDhcpd, checkDnsmasq, checkKea, checkZone, loadHostsWithDnsmasq } from "./checkers";
import { awkwardOrg, MAC } from "./fixture";

type Org = Awaited<ReturnType<typeof awkwardOrg>>;
let org: Org;
beforeAll(async () => {
  org = await awkwardOrg();
});

/** The lines of a text file that are not comments. */
function body(text: string, comment: string): string {
  return text
    .split("\n")
    .filter((l) => !l.startsWith(comment))
    .join("\n");
}

const BAD_NAMES = ["build_box", "a".repeat(64), "caf", "-bad-", "two..dots", "under_score", "nïcode", "Web", "GATEWAY", "DB"];

function expectNoBadNames(text: string) {
  for (const bad of BAD_NAMES) expect(text).not.toContain(bad);
}

async function get(path: string) {
  const r = await org.api.get(path);
  expect(r.status).toBe(200);
  return r;
}

describe("BIND zones pass named-checkzone (check-names and integrity set to fail)", () => {
  test("the checker is strict: a zone with an underscore name fails it", () => {
    const zone = "$TTL 60\n@ IN SOA ns1.x. h.x. (1 1 1 1 1)\n@ IN NS ns1.x.\nbuild_box IN A 10.0.0.1\n";
    expect(checkZone("x.", zone).code).not.toBe(0);
  });

  test("forward zone over IPv4 and IPv6: lower-cased names, RRsets, bad names listed in comments and counted", async () => {
    const r = await get("/export/dns/bind?zone=Lab.Example.");
    const check = checkZone("lab.example.", r.text);
    expect(check.out).toContain("OK");
    expect(check.code).toBe(0);
    const records = body(r.text, ";");
    expect(records).toContain("web\tIN\tA\t10.0.1.10");
    expect(records).toContain("web\tIN\tA\t10.0.1.15");
    expect(records).toContain("web\tIN\tAAAA\t2001:db8:1::10");
    expect(records).toContain("db\tIN\tA\t10.0.1.14"); // "DB.lab.example." — absolute, in the zone
    expect(records).toContain("db\tIN\tAAAA\t2001:db8:1::13");
    expect(records).toContain("gateway\tIN\tA\t10.0.1.1");
    expect(records).toContain("web.rack1\tIN\tA\t10.0.1.22");
    expect(records).not.toContain("pool"); // dhcp pool entries are not in DNS
    expect(records).not.toContain("mail"); // outside the zone
    expectNoBadNames(records);
    for (const listed of ['"build_box"', '"caf\\u00e9"', '"-bad-"', '"two..dots"', '"under_score"', '"mail.other.example."', `"${"a".repeat(64)}"`]) {
      expect(r.text).toContain(listed);
    }
    expect(Number(r.headers.get("x-ipcraft-skipped"))).toBe(8);
  });

  test("forward zone of one IPv6 subnet, with an out-of-zone name server", async () => {
    const r = await get(`/export/dns/bind?zone=lab.example&subnet_id=${org.v6.id}&ns=dns.example.net`);
    expect(checkZone("lab.example.", r.text).code).toBe(0);
    const records = body(r.text, ";");
    expect(records).toContain("@\tIN\tNS\tdns.example.net.");
    expect(records).toContain("web\tIN\tAAAA\t2001:db8:1::10");
    expect(records).not.toContain("10.0.1.");
  });

  test("IPv4 reverse zone of a /24 subnet: in-addr.arpa, one PTR per named address, FQDN targets", async () => {
    const r = await get(`/export/dns/bind-reverse?subnet_id=${org.v4.id}&domain=lab.example`);
    expect(r.text).toContain("$ORIGIN 1.0.10.in-addr.arpa.");
    const check = checkZone("1.0.10.in-addr.arpa.", r.text);
    expect(check.code).toBe(0);
    const records = body(r.text, ";");
    expect(records).toContain("10\tIN\tPTR\tweb.lab.example.");
    expect(records).toContain("14\tIN\tPTR\tdb.lab.example.");
    expect(records).toContain("17\tIN\tPTR\tmail.other.example.");
    expect(records).toContain("22\tIN\tPTR\tweb.rack1.lab.example.");
    expect(records).not.toContain("other.lab.example"); // the VRF "lab" record is another subnet
    expectNoBadNames(records);
  });

  test("IPv6 reverse zone: ip6.arpa cut on the /64 nibble boundary", async () => {
    const r = await get(`/export/dns/bind-reverse?subnet_id=${org.v6.id}&domain=lab.example.`);
    const zone = "0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
    expect(r.text).toContain(`$ORIGIN ${zone}`);
    expect(checkZone(zone, r.text).code).toBe(0);
    const records = body(r.text, ";");
    expect(records).toContain("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0\tIN\tPTR\tweb.lab.example.");
    expect(records).toContain("3.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0\tIN\tPTR\tdb.lab.example.");
    expectNoBadNames(records);
  });

  test("a reverse zone by name across VRFs: one PTR per address, the second name listed", async () => {
    const r = await get("/export/dns/bind-reverse?zone=10.in-addr.arpa&domain=lab.example&ns=ns1.lab.example,ns2.lab.example&rname=dns.admin@lab.example");
    expect(checkZone("10.in-addr.arpa.", r.text).code).toBe(0);
    const records = body(r.text, ";");
    expect(records).toContain("10.1.0\tIN\tPTR\tweb.lab.example.");
    expect(records).not.toContain("other.lab.example.");
    expect(records).toContain("dns\\.admin.lab.example.");
    expect(records).toContain("@\tIN\tNS\tns2.lab.example.");
    expect(r.text).toMatch(/10\.0\.1\.10 \(vrf "lab"\) "other": 10\.0\.1\.10 already points to web\.lab\.example\./);
  });
});

describe("dnsmasq", () => {
  test("/etc/hosts: dnsmasq reads every name (addn-hosts) and refuses none", async () => {
    const r = await get("/export/hosts?domain=lab.example");
    const lines = body(r.text, "#").split("\n").filter((l) => l !== "");
    expect(lines).toContain("10.0.1.10\tweb.lab.example\tweb");
    expect(lines).toContain("2001:db8:1::10\tweb.lab.example\tweb");
    expect(lines).toContain("10.0.1.17\tmail.other.example\tmail");
    expectNoBadNames(lines.join("\n"));
    const loaded = await loadHostsWithDnsmasq(r.text);
    expect(loaded.out).not.toContain("bad name");
    const names = lines.reduce((n, l) => n + l.split("\t").length - 1, 0);
    expect(loaded.names).toBe(names);
  });

  test("host-record and dhcp-host lines pass dnsmasq --test", async () => {
    const r = await get("/export/dnsmasq?domain=lab.example");
    const check = checkDnsmasq(r.text);
    expect(check.out).toContain("syntax check OK");
    expect(check.code).toBe(0);
    const lines = body(r.text, "#");
    expect(lines).toContain("host-record=web.lab.example,web,10.0.1.10\n");
    expect(lines).toContain("host-record=web.lab.example,web,2001:db8:1::10\n");
    expect(lines).toContain(`dhcp-host=${MAC(0x10)},10.0.1.10,web\n`);
    expect(lines).toContain(`dhcp-host=${MAC(0x10)},[2001:db8:1::10],web\n`);
    expect(lines).toContain(`dhcp-host=${MAC(0x11)},10.0.1.11\n`); // reserved, its bad name left out
    expect(lines).not.toContain(MAC(0x16)); // dhcp pool entries are not reservations
    expect(lines).not.toContain(MAC(1)); // nor gateways
    expect(lines).not.toContain(MAC(0x99)); // the same IP in VRF lab: listed, not reserved twice
    expectNoBadNames(lines);
    // A record left out of DNS and reserved without a name is listed once per reason, counted once.
    const listed = [...r.text.matchAll(/^# {3}(\S+(?: \(vrf "[^"]*"\))?) /gm)].map((m) => m[1]);
    expect(listed.filter((where) => where === "10.0.1.11")).toHaveLength(2);
    expect(r.text).toContain(`# ${new Set(listed).size} record(s) left out or written without a name:`);
  });
});

describe("Kea", () => {
  test("DHCPv4 reservations load with kea-dhcp4 -t", async () => {
    const r = await get("/export/kea?family=4");
    const check = checkKea(4, r.text);
    expect(check.code).toBe(0);
    const config = JSON.parse(r.text);
    const [subnet] = config.Dhcp4.subnet4;
    expect(subnet.subnet).toBe("10.0.1.0/24");
    expect(subnet.reservations).toContainEqual({ "hw-address": MAC(0x10), "ip-address": "10.0.1.10", hostname: "web" });
    expect(subnet.reservations).toContainEqual({ "hw-address": MAC(0x19), "ip-address": "10.0.1.19" });
    expect(subnet.reservations.map((x: any) => x["ip-address"])).not.toContain("10.0.1.20"); // MAC already reserved here
    expect(config.Dhcp4["user-context"].ipcraft.skipped.map((s: any) => s.ip)).toEqual(["10.0.1.11", "10.0.1.20", "10.0.1.10"]);
    // The subnet id is stable: the same on the next download.
    expect(JSON.parse((await get("/export/kea?family=4")).text).Dhcp4.subnet4[0].id).toBe(subnet.id);
  });

  test("DHCPv6 reservations load with kea-dhcp6 -t (family defaults to the subnet's)", async () => {
    const r = await get(`/export/kea?subnet_id=${org.v6.id}`);
    expect(checkKea(6, r.text).code).toBe(0);
    const [subnet] = JSON.parse(r.text).Dhcp6.subnet6;
    expect(subnet.reservations).toContainEqual({ "hw-address": MAC(0x10), "ip-addresses": ["2001:db8:1::10"], hostname: "web" });
    expect(subnet.reservations).toHaveLength(3);
  });
});

describe("ISC dhcpd", () => {
  test("DHCPv4 host blocks pass dhcpd -t", async () => {
    const r = await get("/export/dhcpd");
    const check = checkDhcpd(4, r.text);
    expect(check.out).not.toContain("error");
    expect(check.code).toBe(0);
    expect(r.text).toContain(`host ipcraft-10-0-1-10 {\n  hardware ethernet ${MAC(0x10)};\n  fixed-address 10.0.1.10;\n  option host-name "web";\n}`);
    expectNoBadNames(body(r.text, "#"));
  });

  test("DHCPv6 host blocks pass dhcpd -6 -t", async () => {
    const r = await get("/export/dhcpd?family=6");
    expect(checkDhcpd(6, r.text).code).toBe(0);
    expect(r.text).toContain("fixed-address6 2001:db8:1::13;");
  });
});

describe("Ansible", () => {
  test("ansible-inventory reads the inventory from a script: hosts, hostvars, folder and subnet groups", async () => {
    const r = await get("/export/ansible-inventory?domain=lab.example");
    const result = ansibleList(r.text);
    expect(result.code).toBe(0);
    const inv = result.inventory;
    const web = inv._meta.hostvars["web.lab.example"];
    expect(web).toMatchObject({ ansible_host: "10.0.1.10", ip: "10.0.1.10", subnet: "10.0.1.0/24", status: "assigned", owner: "ops", folder: "Lab Net" });
    expect(web.ips).toEqual(["10.0.1.10", "10.0.1.15", "2001:db8:1::10"]); // one host, every address named "web"
    expect(inv._meta.hostvars["10.0.1.11"].ipcraft_hostname).toBe("build_box");
    expect(inv.folder_lab_net.hosts).toContain("web.lab.example");
    expect(inv.subnet_2001_db8_1_64.hosts).toContain("db.lab.example");
    expect(inv.subnet_10_0_1_0_24_vrf_lab.hosts).toEqual(["other.lab.example"]);
    expect(Object.keys(inv._meta.hostvars)).not.toContain("pool-16.lab.example");
    expect(inv.all.children).toEqual(expect.arrayContaining(["folder_lab_net", "subnet_10_0_1_0_24"]));
  });
});
