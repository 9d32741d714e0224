/**
 * Public network tools (API.md §10): a subnet calculator, split, range → CIDRs and summarize.
 * No authentication; outputs are bounded so that no query can make the server enumerate a
 * large space (split: 1,024 results; summarize: 1,000 inputs).
 */
import { Elysia } from "elysia";
import { z } from "zod";
import { ApiError } from "../../http/errors";
import { ipInputError, requireIp } from "../../http/ip-input";
import { queryInt } from "../../http/query-number";
import {
  formatCidr,
  formatIp,
  lastAddress,
  netmask,
  parseCidr,
  type Prefix,
  prefixSize,
  rangeToCidrs,
  splitPrefix,
  summarize,
  usableCount,
  usableRange,
  wildcard,
} from "../../ip";

export const MAX_SPLIT_RESULTS = 1024;
export const MAX_SUMMARIZE_INPUTS = 1000;

const SubnetInfo = z.object({
  cidr: z.string().meta({ example: "10.0.1.0/24" }),
  family: z.union([z.literal(4), z.literal(6)]),
  network: z.string(),
  broadcast: z
    .string()
    .nullable()
    .meta({ description: "IPv4 up to /30; null for /31 and /32 (RFC 3021: every address is usable) and for IPv6, which has no broadcast" }),
  last_address: z.string(),
  netmask: z.string(),
  wildcard: z.string(),
  prefix_length: z.number().int(),
  first_usable: z.string().nullable(),
  last_usable: z.string().nullable(),
  size: z.string().meta({ description: "decimal string: IPv6 sizes exceed 2^53", example: "256" }),
  usable: z.string().meta({ example: "254" }),
});

const CidrList = z.object({ items: z.array(z.string()), total: z.number().int() });

/** A calculator is forgiving about host bits: `10.0.1.5/24` describes 10.0.1.0/24. */
function calculatorCidr(field: string, text: string): Prefix {
  const parsed = parseCidr(text);
  if (parsed.ok) return parsed.value;
  if (parsed.error.code === "cidr_host_bits_set" && parsed.error.suggestion) {
    const again = parseCidr(parsed.error.suggestion);
    if (again.ok) return again.value;
  }
  throw ipInputError(field, parsed.error, "invalid_cidr");
}

function describe(p: Prefix): z.infer<typeof SubnetInfo> {
  const ip = (value: bigint) => formatIp({ family: p.family, value });
  const usable = usableCount(p);
  const range = usableRange(p);
  return {
    cidr: formatCidr(p),
    family: p.family,
    network: ip(p.network),
    // A broadcast exists exactly when the usable rule (usableRange) keeps the last IPv4
    // address out: up to /30. A /31's two addresses and a /32's one are hosts (RFC 3021).
    broadcast: p.family === 4 && range.last < lastAddress(p) ? ip(lastAddress(p)) : null,
    last_address: ip(lastAddress(p)),
    netmask: ip(netmask(p)),
    wildcard: ip(wildcard(p)),
    prefix_length: p.length,
    first_usable: usable > 0n ? ip(range.first) : null,
    last_usable: usable > 0n ? ip(range.last) : null,
    size: prefixSize(p).toString(),
    usable: usable.toString(),
  };
}

const tags = ["Network tools"];

export function toolsRoutes() {
  return new Elysia({ name: "tools-routes", prefix: "/api/v1/tools" })
    .get("/subnet", ({ query }) => describe(calculatorCidr("cidr", query.cidr)), {
      query: z.strictObject({ cidr: z.string().min(1).max(100).meta({ example: "10.0.1.0/24" }) }),
      response: { 200: SubnetInfo },
      detail: { tags, summary: "Subnet calculator", security: [] },
    })
    .get(
      "/split",
      ({ query }) => {
        const parent = calculatorCidr("cidr", query.cidr);
        const parts = splitPrefix(parent, query.prefix_length, MAX_SPLIT_RESULTS);
        if (!Array.isArray(parts)) {
          throw new ApiError("validation_failed", `field "prefix_length": ${parts.message}`, { field: "prefix_length", reason: parts.code });
        }
        return { items: parts.map(formatCidr), total: parts.length };
      },
      {
        query: z.strictObject({
          cidr: z.string().min(1).max(100).meta({ example: "10.0.0.0/24" }),
          prefix_length: queryInt(0, 128).meta({ example: 26 }),
        }),
        response: { 200: CidrList },
        detail: { tags, summary: `Split a subnet into equal parts (at most ${MAX_SPLIT_RESULTS})`, security: [] },
      },
    )
    .get(
      "/range-to-cidrs",
      ({ query }) => {
        const start = requireIp(query.start, "start");
        const end = requireIp(query.end, "end");
        if (start.family !== end.family) {
          throw new ApiError("validation_failed", 'fields "start" and "end" must be the same IP family', { field: "end" });
        }
        if (start.value > end.value) {
          throw new ApiError("validation_failed", `field "end": ${query.end} comes before ${query.start}`, { field: "end" });
        }
        const items = rangeToCidrs(start.family, start.value, end.value).map(formatCidr);
        return { items, total: items.length };
      },
      {
        query: z.strictObject({
          start: z.string().min(1).max(100).meta({ example: "10.0.0.3" }),
          end: z.string().min(1).max(100).meta({ example: "10.0.0.9" }),
        }),
        response: { 200: CidrList },
        detail: { tags, summary: "The fewest CIDRs that cover an address range exactly", security: [] },
      },
    )
    .get(
      "/summarize",
      ({ query }) => {
        const texts = query.cidrs.split(",").map((s) => s.trim()).filter(Boolean);
        if (texts.length === 0) throw new ApiError("validation_failed", 'field "cidrs": give at least one CIDR', { field: "cidrs" });
        if (texts.length > MAX_SUMMARIZE_INPUTS) {
          throw new ApiError("validation_failed", `field "cidrs": at most ${MAX_SUMMARIZE_INPUTS} CIDRs`, { field: "cidrs" });
        }
        const prefixes = texts.map((t, i) => {
          const parsed = parseCidr(t);
          if (!parsed.ok) throw ipInputError(`cidrs[${i}]`, parsed.error, "invalid_cidr");
          return parsed.value;
        });
        const items = summarize(prefixes).map(formatCidr);
        return { items, total: items.length };
      },
      {
        query: z.strictObject({
          cidrs: z.string().min(1).max(64_000).meta({ example: "10.0.0.0/25,10.0.0.128/25" }),
        }),
        response: { 200: CidrList },
        detail: { tags, summary: "Aggregate a list of CIDRs into the fewest covering the same addresses", security: [] },
      },
    );
}

