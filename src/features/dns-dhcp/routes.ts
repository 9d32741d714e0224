/**
 * DNS, DHCP and Ansible files (issue 14), read-only, under /api/v1/export/:
 * dns/bind, dns/bind-reverse, hosts, dnsmasq, kea, dhcpd, ansible-inventory.
 * Thin: parameters are checked in options.ts, records and serial read through the Store
 * (source.ts, either backend), files written by the pure formatters. Every answer carries `X-IPCraft-Skipped` (records left out or written
 * without a name; the file lists them) and `X-IPCraft-Serial` (the zone serial, which also
 * tells a sync script whether anything changed).
 */
import { Elysia } from "elysia";
import { authGuard } from "../../auth/guard";
import type { Principal } from "../../auth/principal";
import { ApiError, notFound } from "../../http/errors";
import { containsPrefix, formatCidr } from "../../ip/prefix";
import type { AppDeps } from "../../app";
import { documented, errorResponses } from "../../ipam/schemas";
import { ansibleInventory } from "./ansible";
import { bindForwardZone } from "./bind-forward";
import { bindReverseZone } from "./bind-reverse";
import { dhcpdHosts } from "./dhcpd";
import { dnsmasqConf } from "./dnsmasq";
import { hostsFile } from "./hosts-file";
import { keaConfig } from "./kea";
import type { Generated } from "./model";
import { DhcpQuery, domainParam, ForwardQuery, NamesQuery, nsAddresses, ReverseQuery, soaOptions } from "./options";
import { dnsDhcpSource, type SubnetScope } from "./source";
import { alignedPrefix, parseReverseZone, reverseZoneName } from "./reverse-zone";
import * as examples from "./examples";

const tags = ["DNS, DHCP and Ansible files"];

function fileResponse(generated: Generated, type: string, serial: number): Response {
  return new Response(generated.text, {
    headers: {
      "content-type": type,
      "cache-control": "no-store",
      "x-ipcraft-skipped": String(generated.skipped.length),
      "x-ipcraft-serial": String(serial),
    },
  });
}

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json";

function doc(summary: string, description: string, type: string, example: string) {
  return {
    tags,
    summary,
    description:
      description +
      " Headers: `X-IPCraft-Skipped` counts the records left out (or reserved without a name); the file lists them and why. " +
      "`X-IPCraft-Serial` is the zone serial (it grows with every change). Statuses and name rules: README \"DNS, DHCP and Ansible files\".",
    responses: {
      200: { description: "OK", content: { [type.split(";")[0]!]: { schema: { type: "string" }, example } } },
      ...documented(errorResponses(400, 404)),
    },
  } as const;
}

export function dnsDhcpRoutes(deps: Pick<AppDeps, "store" | "config">) {
  const source = dnsDhcpSource(deps.store);

  async function scopeOf(p: Principal, subnetId: string | undefined): Promise<SubnetScope | undefined> {
    if (subnetId === undefined) return undefined;
    const scope = await source.subnetScope(p.orgId, subnetId);
    if (!scope) throw notFound("subnet");
    return scope;
  }

  return new Elysia({ name: "dns-dhcp-routes", prefix: "/api/v1/export" })
    .use(authGuard(deps))
    .get(
      "/dns/bind",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const zone = domainParam("zone", query.zone);
        const { serial, records } = await source.read(principal.orgId, scope);
        const options = { ...soaOptions(query, zone, zone, serial), nsAddresses: nsAddresses(query.ns_address) };
        return fileResponse(bindForwardZone(records, options), TEXT, serial);
      },
      {
        query: ForwardQuery,
        detail: doc(
          "BIND forward zone",
          "A zone file for `zone` (checked with `named-checkzone`): SOA, NS, and an A or AAAA record for every address record " +
            "(assigned, gateway, reserved) whose host name lies in the zone; short names are relative to it. An in-zone name server " +
            "needs an address: a record of that name, or `ns_address`.",
          TEXT,
          examples.bind,
        ),
      },
    )
    .get(
      "/dns/bind-reverse",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const domain = domainParam("domain", query.domain);
        let prefix;
        if (query.zone !== undefined) {
          const parsed = parseReverseZone(query.zone);
          if (!parsed.ok) throw new ApiError("validation_failed", `zone ${JSON.stringify(query.zone)} ${parsed.reason}`, { field: "zone" });
          prefix = parsed.value;
          if (scope && !containsPrefix(prefix, scope.prefix) && !containsPrefix(scope.prefix, prefix)) {
            throw new ApiError("validation_failed", `subnet ${scope.cidr} is not in the reverse zone ${query.zone} (${formatCidr(prefix)})`, {
              field: "zone",
            });
          }
        } else if (scope) {
          prefix = alignedPrefix(scope.prefix);
          if (prefix.length === 0) {
            throw new ApiError("validation_failed", `subnet ${scope.cidr} is too large for one reverse zone: name one with zone=`, { field: "zone" });
          }
        } else {
          throw new ApiError("validation_failed", "give subnet_id= or zone= (for example zone=1.0.10.in-addr.arpa)", { field: "zone" });
        }
        const zone = reverseZoneName(prefix);
        const { serial, records } = await source.read(principal.orgId, scope);
        const options = { ...soaOptions(query, zone, domain, serial), prefix, domain };
        return fileResponse(bindReverseZone(records, options), TEXT, serial);
      },
      {
        query: ReverseQuery,
        detail: doc(
          "BIND reverse zone (IPv4 or IPv6)",
          "An in-addr.arpa or ip6.arpa zone file: one PTR per address record in the zone with a usable host name, qualified with " +
            "`domain`. Zones are cut on octet (IPv4) or nibble (IPv6) boundaries: by default the smallest one holding the subnet " +
            "(10.0.1.0/26 → 1.0.10.in-addr.arpa); `zone=` names another (a /22 as four /24 zones). No RFC 2317 classless zones.",
          TEXT,
          examples.reverse,
        ),
      },
    )
    .get(
      "/hosts",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const domain = query.domain === undefined ? undefined : domainParam("domain", query.domain);
        const { serial, records } = await source.read(principal.orgId, scope);
        return fileResponse(hostsFile(records, domain), TEXT, serial);
      },
      {
        query: NamesQuery,
        detail: doc("/etc/hosts file", "`IP  fqdn  short` per address record in DNS (assigned, gateway, reserved) with a usable host name.", TEXT, examples.hosts),
      },
    )
    .get(
      "/dnsmasq",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const domain = query.domain === undefined ? undefined : domainParam("domain", query.domain);
        const { serial, records } = await source.read(principal.orgId, scope);
        return fileResponse(dnsmasqConf(records, domain), TEXT, serial);
      },
      {
        query: NamesQuery,
        detail: doc(
          "dnsmasq configuration (also Pi-hole)",
          "`host-record=` lines for DNS (assigned, gateway, reserved with a host name) and `dhcp-host=<MAC>,<IP>,<name>` " +
            "reservations (assigned or reserved with a MAC; IPv6 in brackets). For /etc/dnsmasq.d/ or `conf-file=`.",
          TEXT,
          examples.dnsmasq,
        ),
      },
    )
    .get(
      "/kea",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const family = query.family !== undefined ? (Number(query.family) as 4 | 6) : (scope?.prefix.family ?? 4);
        const { serial, records } = await source.read(principal.orgId, scope);
        return fileResponse(keaConfig(records, family), JSON_TYPE, serial);
      },
      {
        query: DhcpQuery,
        detail: doc(
          "Kea DHCPv4/DHCPv6 reservations",
          "A configuration `kea-dhcp4 -t` (or `kea-dhcp6 -t`) loads as it is: `Dhcp4.subnet4[]` with `reservations` " +
            "(`hw-address`, `ip-address` or `ip-addresses`, `hostname`) for records assigned or reserved with a MAC. Take " +
            "`.Dhcp4.subnet4` to merge into your configuration. Subnet ids are stable integers derived from ipcraft's subnet ids; " +
            "skipped records are in `user-context.ipcraft.skipped`.",
          JSON_TYPE,
          examples.kea,
        ),
      },
    )
    .get(
      "/dhcpd",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const family = query.family !== undefined ? (Number(query.family) as 4 | 6) : (scope?.prefix.family ?? 4);
        const { serial, records } = await source.read(principal.orgId, scope);
        return fileResponse(dhcpdHosts(records, family), TEXT, serial);
      },
      {
        query: DhcpQuery,
        detail: doc(
          "ISC dhcpd host declarations",
          "`host ipcraft-<ip> { hardware ethernet …; fixed-address …; }` blocks (`fixed-address6` for `family=6`, for dhcpd -6) " +
            "for records assigned or reserved with a MAC. Include the file from dhcpd.conf.",
          TEXT,
          examples.dhcpd,
        ),
      },
    )
    .get(
      "/ansible-inventory",
      async ({ principal, query }) => {
        const scope = await scopeOf(principal, query.subnet_id);
        const domain = query.domain === undefined ? undefined : domainParam("domain", query.domain);
        const { serial, records } = await source.read(principal.orgId, scope);
        return fileResponse(ansibleInventory(records, domain), JSON_TYPE, serial);
      },
      {
        query: NamesQuery,
        detail: doc(
          "Ansible inventory",
          "The JSON an inventory script prints for `--list`: groups `folder_<name>` and `subnet_<cidr>`, and `_meta.hostvars` " +
            "per host (`ansible_host`, `ip`, `ips`, `subnet`, `vrf`, `status`, `owner`, `mac`, `description`, `folder`). Hosts are records " +
            "assigned, gateway or reserved, named by their host name (or their IP when it is not a valid name).",
          JSON_TYPE,
          examples.ansible,
        ),
      },
    );
}
