/**
 * Query parameters of the DNS/DHCP/Ansible routes: zod shapes for validation and
 * /docs/json, and the checks zod cannot express (names, addresses), each failing with a
 * 400 that names the field. Nothing here reads the database.
 */
import { z } from "zod";
import { ApiError } from "../../http/errors";
import { queryInt } from "../../http/query-number";
import { formatIp, parseIp } from "../../ip/address";
import { parseDomain } from "./names";
import { SOA_DEFAULTS, type SoaOptions } from "./soa";

const seconds = (what: string, fallback: number) =>
  queryInt(0, 2_147_483_647).optional().describe(`${what} in seconds, default ${fallback}`);

export const subnetIdQuery = {
  subnet_id: z.string().max(64).optional().describe("only this subnet and its child subnets (UUID); default: the whole organization"),
};

const domainQuery = {
  domain: z
    .string()
    .max(254)
    .optional()
    .describe("domain that qualifies short host names (web → web.lab.example), e.g. lab.example"),
};

const soaQuery = {
  ns: z
    .string()
    .max(1000)
    .optional()
    .describe("name servers, comma-separated; the first is the SOA MNAME. A single label is relative to the zone (forward) or domain (reverse). Default ns1.<zone or domain>"),
  rname: z.string().max(254).optional().describe("the zone's contact, hostmaster@lab.example or hostmaster.lab.example; default hostmaster.<zone or domain>"),
  ttl: seconds("default TTL ($TTL)", SOA_DEFAULTS.ttl),
  refresh: seconds("SOA refresh", SOA_DEFAULTS.refresh),
  retry: seconds("SOA retry", SOA_DEFAULTS.retry),
  expire: seconds("SOA expire", SOA_DEFAULTS.expire),
  minimum: seconds("SOA minimum (negative-cache TTL)", SOA_DEFAULTS.minimum),
};

export const ForwardQuery = z.strictObject({
  zone: z.string().max(254).describe("the forward zone, e.g. lab.example. (trailing dot optional)"),
  ...subnetIdQuery,
  ...soaQuery,
  ns_address: z
    .string()
    .max(1000)
    .optional()
    .describe("addresses (comma-separated) of the first name server when it is inside the zone and has no address record in ipcraft"),
});

export const ReverseQuery = z.strictObject({
  ...subnetIdQuery,
  zone: z
    .string()
    .max(254)
    .optional()
    .describe("the reverse zone, e.g. 1.0.10.in-addr.arpa. Default: the smallest octet (IPv4) or nibble (IPv6) aligned zone holding the subnet"),
  domain: z.string().max(254).describe("the forward domain: qualifies short host names in PTR targets, e.g. lab.example"),
  ...soaQuery,
});

export const NamesQuery = z.strictObject({ ...subnetIdQuery, ...domainQuery });

export const DhcpQuery = z.strictObject({
  ...subnetIdQuery,
  family: z.enum(["4", "6"]).optional().describe("4 (DHCPv4) or 6 (DHCPv6); default the subnet's family, else 4"),
});

/** A domain parameter, lower-case without its trailing dot, or a 400 naming `field`. */
export function domainParam(field: string, text: string): string {
  const parsed = parseDomain(text);
  if (!parsed.ok) throw new ApiError("validation_failed", `${field} ${JSON.stringify(text)} ${parsed.reason}`, { field });
  return parsed.value;
}

type SoaQuery = { ns?: string; rname?: string; ttl?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };

/** SOA and NS values from the query, names relative to `base` (the zone, or the reverse zone's domain). */
export function soaOptions(query: SoaQuery, zone: string, base: string, serial: number): SoaOptions {
  const ns = (query.ns ?? "ns1")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "")
    .map((n) => {
      const name = domainParam("ns", n);
      return name.includes(".") ? name : `${name}.${base}`;
    });
  if (ns.length === 0) throw new ApiError("validation_failed", "ns names no name server", { field: "ns" });
  return {
    zone,
    serial,
    ns,
    rname: rnameParam(query.rname ?? `hostmaster.${base}`),
    ttl: query.ttl ?? SOA_DEFAULTS.ttl,
    refresh: query.refresh ?? SOA_DEFAULTS.refresh,
    retry: query.retry ?? SOA_DEFAULTS.retry,
    expire: query.expire ?? SOA_DEFAULTS.expire,
    minimum: query.minimum ?? SOA_DEFAULTS.minimum,
  };
}

/** RNAME in DNS form from `hostmaster@lab.example` or `hostmaster.lab.example` (a dot in the mailbox is escaped). */
function rnameParam(text: string): string {
  const at = text.indexOf("@");
  if (at === -1) return domainParam("rname", text);
  const local = text.slice(0, at);
  if (!/^[A-Za-z0-9+_-]+(\.[A-Za-z0-9+_-]+)*$/.test(local)) {
    throw new ApiError("validation_failed", `rname ${JSON.stringify(text)}: the mailbox may hold letters, digits, + _ - and inner dots`, {
      field: "rname",
    });
  }
  return `${local.toLowerCase().replaceAll(".", "\\.")}.${domainParam("rname", text.slice(at + 1))}`;
}

/** The `ns_address` list. */
export function nsAddresses(text: string | undefined): { ip: string; family: 4 | 6 }[] {
  if (text === undefined) return [];
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "")
    .map((t) => {
      const ip = parseIp(t);
      if (!ip.ok) throw new ApiError("validation_failed", `ns_address: ${ip.error.message}`, { field: "ns_address" });
      return { ip: formatIp(ip.value), family: ip.value.family };
    });
}
