/**
 * Where a POST /subnets/{id}/addresses puts its addresses: a given `ip`, the lowest free one(s),
 * a constrained allocation (`range`, `exclude`, `from`, `contiguous`), or a reserved range
 * (`start`, `end`). `planOf` checks what needs no subnet (shapes, syntax, order) before the
 * request is queued; `requestIn` and `reserveValues` check the rest against the subnet inside
 * the write, and build what the pure allocator takes (src/ip/constrained-allocation.ts).
 */
import { ApiError } from "../../http/errors";
import { requireIp } from "../../http/ip-input";
import { containsIp, formatIp, isUsable, type AllocationRequest, type Ip, type Prefix } from "../../ip";
import { MAX_RESERVE, type AddressCreate } from "./model";

interface IpRange {
  start: Ip;
  end: Ip;
  /** the request field, for error messages */
  field: string;
}

export type Placement =
  | { kind: "ip"; ip: Ip }
  | { kind: "allocate"; count: number; many: boolean; range?: IpRange; exclude: IpRange[]; fromEnd: boolean; contiguous: boolean }
  | { kind: "reserve"; range: IpRange };

const CONSTRAINTS = ["range", "exclude", "from", "contiguous"] as const;

/** The placement a create body asks for; 400 on a contradictory or malformed body. */
export function planOf(body: AddressCreate): Placement {
  const given = (k: keyof AddressCreate) => body[k] !== undefined;
  const constraint = CONSTRAINTS.find(given);
  if (body.start !== undefined || body.end !== undefined) {
    if (body.start === undefined || body.end === undefined) {
      const missing = body.start === undefined ? "start" : "end";
      throw new ApiError("validation_failed", `field "${missing}": a range to reserve needs both "start" and "end"`, { field: missing });
    }
    const other = (["ip", "count", ...CONSTRAINTS] as const).find(given);
    if (other) throw new ApiError("validation_failed", `field "${other}": give either "start"/"end" (reserve a range) or "${other}", not both`, { field: other });
    return { kind: "reserve", range: ordered(requireIp(body.start, "start"), requireIp(body.end, "end"), "start") };
  }
  if (body.ip !== undefined) {
    const other = (["count", ...CONSTRAINTS] as const).find(given);
    if (other) throw new ApiError("validation_failed", `field "${other}": give either "ip" or "${other}", not both`, { field: other });
    return { kind: "ip", ip: requireIp(body.ip, "ip") };
  }
  const range = body.range === undefined ? undefined : ordered(requireIp(body.range.start, "range.start"), requireIp(body.range.end, "range.end"), "range");
  const exclude = (body.exclude ?? []).map((text, i) => excludeRange(text, `exclude[${i}]`));
  return {
    kind: "allocate",
    count: body.count ?? 1,
    many: body.count !== undefined,
    range,
    exclude,
    fromEnd: body.from === "end",
    contiguous: body.contiguous === true,
  };
}

/** `a` or `a-b` (an exclude entry). */
function excludeRange(text: string, field: string): IpRange {
  const dash = text.indexOf("-");
  if (dash < 0) {
    const ip = requireIp(text.trim(), field);
    return { start: ip, end: ip, field };
  }
  return ordered(requireIp(text.slice(0, dash).trim(), field), requireIp(text.slice(dash + 1).trim(), field), field);
}

/** A range whose start is not after its end, of one family; 400 otherwise. */
function ordered(start: Ip, end: Ip, field: string): IpRange {
  if (start.family !== end.family) {
    throw new ApiError("range_invalid", `field "${field}": ${formatIp(start)} and ${formatIp(end)} are not of the same IP version`, { field });
  }
  if (start.value > end.value) {
    throw new ApiError("range_invalid", `field "${field}": the range start ${formatIp(start)} is after its end ${formatIp(end)}`, { field });
  }
  return { start, end, field };
}

/** Both ends inside the subnet, or 400 ip_not_in_subnet naming the one outside. */
function assertInside(prefix: Prefix, cidr: string, r: IpRange, ends: [string, string]): void {
  for (const [ip, field] of [[r.start, ends[0]], [r.end, ends[1]]] as const) {
    if (!containsIp(prefix, ip)) {
      throw new ApiError("ip_not_in_subnet", `field "${field}": ${formatIp(ip)} is not inside subnet ${cidr}`, { field, subnet: cidr });
    }
  }
}

/** The allocator's request for an "allocate" placement in the subnet `prefix`. */
export function requestIn(prefix: Prefix, cidr: string, plan: Extract<Placement, { kind: "allocate" }>): AllocationRequest {
  const request: AllocationRequest = { count: plan.count, from: plan.fromEnd ? "end" : "start", contiguous: plan.contiguous };
  if (plan.range) {
    assertInside(prefix, cidr, plan.range, ["range.start", "range.end"]);
    request.range = { start: plan.range.start.value, end: plan.range.end.value };
  }
  // An exclude outside the subnet excludes nothing: harmless, as long as it is of the subnet's family.
  const exclude = [];
  for (const r of plan.exclude) {
    if (r.start.family !== prefix.family) {
      throw new ApiError("range_invalid", `field "${r.field}": an IPv${r.start.family} range cannot exclude addresses of ${cidr}`, { field: r.field });
    }
    exclude.push({ start: r.start.value, end: r.end.value });
  }
  if (exclude.length > 0) request.exclude = exclude;
  return request;
}

/**
 * Every usable address of a range to reserve, in order: both ends inside the subnet, at most
 * MAX_RESERVE of them (400 range_too_large). The network and broadcast addresses are skipped.
 */
export function reserveValues(prefix: Prefix, cidr: string, range: IpRange): bigint[] {
  assertInside(prefix, cidr, range, ["start", "end"]);
  if (range.end.value - range.start.value + 1n > BigInt(MAX_RESERVE) + 2n) throw tooLarge(range);
  const values: bigint[] = [];
  for (let v = range.start.value; v <= range.end.value; v++) if (isUsable(prefix, v)) values.push(v);
  if (values.length > MAX_RESERVE) throw tooLarge(range);
  return values;
}

/** Upper bound of the addresses a reserve adds (plan limits are checked before the subnet is known). */
export function reserveBound(range: IpRange): number {
  const n = range.end.value - range.start.value + 1n;
  if (n > BigInt(MAX_RESERVE) + 2n) throw tooLarge(range);
  return Number(n);
}

function tooLarge(range: IpRange): ApiError {
  return new ApiError(
    "range_too_large",
    `the range ${formatIp(range.start)}–${formatIp(range.end)} holds more than ${MAX_RESERVE.toLocaleString("en-US")} usable addresses; reserve it in parts`,
    { field: "end", max: MAX_RESERVE },
  );
}
