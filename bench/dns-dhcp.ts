/**
 * DNS/DHCP/Ansible files for a large organization: 100,000 address records (every 4th with
 * a MAC) in one /8 and 100,000 activity entries, on SQLite. Times the read through the Store
 * (source.ts: keyset pages of q.dnsDhcp.records), the serial query and each pure formatter,
 * median of 5 runs. Prints a markdown table.
 * Run: `bun run bench/dns-dhcp.ts`.
 */
import { openDatabase } from "../src/db/client";
import { formatIp, ipKey } from "../src/ip";
import { ansibleInventory } from "../src/features/dns-dhcp/ansible";
import { bindForwardZone } from "../src/features/dns-dhcp/bind-forward";
import { bindReverseZone } from "../src/features/dns-dhcp/bind-reverse";
import { dhcpdHosts } from "../src/features/dns-dhcp/dhcpd";
import { dnsmasqConf } from "../src/features/dns-dhcp/dnsmasq";
import { hostsFile } from "../src/features/dns-dhcp/hosts-file";
import { keaConfig } from "../src/features/dns-dhcp/kea";
import { dnsDhcpSource } from "../src/features/dns-dhcp/source";
import { createSqliteStore } from "../src/store/sqlite/store";
import { parseCidr } from "../src/ip/prefix";

const N = 100_000;
const database = openDatabase(":memory:");
const { sqlite } = database;
const now = new Date().toISOString();
const orgId = crypto.randomUUID();
const subnetId = crypto.randomUUID();
sqlite.transaction(() => {
  sqlite.run("INSERT INTO organizations (id, name, plan, created_at, updated_at) VALUES (?, 'Bench', 'unlimited', ?, ?)", [orgId, now, now]);
  const net = { family: 4 as const, value: 0x0a000000n };
  sqlite.run(
    "INSERT INTO subnets (id, org_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at) VALUES (?, ?, 'default', 4, ?, 8, '10.0.0.0/8', ?, ?)",
    [subnetId, orgId, ipKey(net), now, now],
  );
  const insert = sqlite.query(
    "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, hostname, status, mac, created_at, updated_at) VALUES (?, ?, ?, 'default', ?, ?, ?, 'assigned', ?, ?, ?)",
  );
  const act = sqlite.query(
    "INSERT INTO activity (id, org_id, at, actor_type, actor_label, action, target_type) VALUES (?, ?, ?, 'system', 'bench', 'address.create', 'address')",
  );
  for (let i = 1; i <= N; i++) {
    const ip = { family: 4 as const, value: 0x0a000000n + BigInt(i) };
    const mac = i % 4 === 0 ? `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, "0")}:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}` : null;
    insert.run(crypto.randomUUID(), orgId, subnetId, formatIp(ip), ipKey(ip), `host-${i}`, mac, now, now);
    act.run(crypto.randomUUID(), orgId, new Date(Date.now() - (N - i) * 1000).toISOString());
  }
})();

async function median(fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

const store = createSqliteStore(database);
const source = dnsDhcpSource(store);
const { records } = await source.read(orgId);
const soa = { zone: "lab.example", serial: 1, ns: ["ns.example.net"], rname: "hostmaster.lab.example", ttl: 3600, refresh: 3600, retry: 900, expire: 1209600, minimum: 300 };
const prefix = parseCidr("10.0.0.0/8");
if (!prefix.ok) throw new Error("cidr");
const rows: [string, number, number][] = [
  ["read 100,000 records and the serial (source.read)", await median(() => source.read(orgId)), 0],
  ["zone serial over 100,000 activity entries", await median(() => store.read({ orgId }, (q) => q.dnsDhcp.zoneSerial(orgId))), 0],
  ["BIND forward zone", await median(() => bindForwardZone(records, { ...soa, nsAddresses: [] })), bindForwardZone(records, { ...soa, nsAddresses: [] }).text.length],
  ["BIND reverse zone (10.in-addr.arpa)", await median(() => bindReverseZone(records, { ...soa, zone: "10.in-addr.arpa", prefix: prefix.value, domain: "lab.example" })), 0],
  ["/etc/hosts", await median(() => hostsFile(records, "lab.example")), hostsFile(records, "lab.example").text.length],
  ["dnsmasq", await median(() => dnsmasqConf(records, "lab.example")), 0],
  ["Kea DHCPv4 (25,000 reservations)", await median(() => keaConfig(records, 4)), keaConfig(records, 4).text.length],
  ["dhcpd (25,000 hosts)", await median(() => dhcpdHosts(records, 4)), 0],
  ["Ansible inventory", await median(() => ansibleInventory(records, "lab.example")), ansibleInventory(records).text.length],
];
console.log("| step (100,000 addresses) | median ms | bytes |\n|---|---|---|");
for (const [name, ms, bytes] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${bytes ? bytes.toLocaleString("en") : ""} |`);
