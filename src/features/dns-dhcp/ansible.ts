/**
 * An Ansible dynamic inventory, in the JSON shape `ansible-inventory` reads from an
 * inventory script's `--list` (with `_meta.hostvars`, so Ansible never calls `--host`). Pure.
 *
 * - Hosts: address records with status assigned, gateway or reserved (not `dhcp` pool
 *   entries). The inventory name is the lower-cased host name (qualified with `domain` when
 *   given); a record without a usable name is listed under its IP, with the raw name in
 *   `ipcraft_hostname`. `ansible_host` is always the IP, so names need not resolve.
 * - A name on several records (dual stack) is one host: `ip`/`ansible_host` is the first
 *   address (IPv4 before IPv6), `ips` lists all.
 * - Groups: `folder_<name>` per folder and `subnet_<cidr>` per subnet (`_vrf_<vrf>` appended
 *   outside the default VRF), names reduced to letters, digits and underscores as Ansible
 *   requires; each group's `vars` say what it stands for.
 */
import { type Generated, type HostRecord, INVENTORY_STATUSES } from "./model";
import { hostNameOf } from "./names";

function groupName(prefix: string, text: string): string {
  return `${prefix}_${text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`;
}

interface Group {
  /** a Set: a /8 of hosts in one group must not cost a scan per host */
  hosts: Set<string>;
  vars: Record<string, string>;
}

export function ansibleInventory(records: readonly HostRecord[], domain?: string): Generated {
  const hostvars: Record<string, Record<string, unknown>> = {};
  const groups = new Map<string, Group>();
  const join = (name: string, vars: Record<string, string>, host: string) => {
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { hosts: new Set(), vars }));
    group.hosts.add(host);
  };
  for (const r of records) {
    if (!INVENTORY_STATUSES.has(r.status)) continue;
    const result = hostNameOf(r.hostname, domain);
    const named = result.ok && result.value !== null ? (result.value.fqdn ?? result.value.name) : null;
    const host = named ?? r.ip;
    const existing = hostvars[host];
    if (existing) (existing.ips as string[]).push(r.ip);
    else {
      hostvars[host] = {
        ansible_host: r.ip,
        ip: r.ip,
        ips: [r.ip],
        subnet: r.subnetCidr,
        vrf: r.vrf,
        status: r.status,
        owner: r.owner,
        mac: r.mac,
        description: r.description,
        folder: r.folder,
        ...(named === null && r.hostname !== "" ? { ipcraft_hostname: r.hostname } : {}),
      };
    }
    const subnetGroup = groupName("subnet", r.vrf === "default" ? r.subnetCidr : `${r.subnetCidr}_vrf_${r.vrf}`);
    join(subnetGroup, { ipcraft_subnet: r.subnetCidr, ipcraft_vrf: r.vrf }, host);
    if (r.folder !== null) join(groupName("folder", r.folder), { ipcraft_folder: r.folder }, host);
  }
  const out: Record<string, unknown> = {};
  for (const [name, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[name] = { hosts: [...group.hosts], vars: group.vars };
  }
  out._meta = { hostvars };
  return { text: JSON.stringify(out, null, 2) + "\n", skipped: [] };
}
