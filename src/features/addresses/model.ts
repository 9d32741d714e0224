/** Request and response shapes of address records (API.md §7). */
import { z } from "zod";
import { lineText, multilineText } from "../../http/text";
import { pageOf, pageQuery } from "../../http/pagination";
import { queryInt } from "../../http/query-number";

export const STATUSES = ["assigned", "gateway", "reserved", "dhcp"] as const;
export const Status = z.enum(STATUSES);

/**
 * A MAC in a common form: `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff` (Cisco)
 * or 12 bare hex digits. Stored as lowercase `aa:bb:cc:dd:ee:ff` (normaliseMac).
 */
export const Mac = z
  .string()
  .regex(
    /^(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}|[0-9A-Fa-f]{12})$/,
    "must be a MAC address such as aa:bb:cc:dd:ee:ff",
  );

/** Lowercase colon form of a MAC that passed `Mac`. */
export function normaliseMac(mac: string): string {
  const hex = mac.replace(/[^0-9A-Fa-f]/g, "").toLowerCase();
  return hex.match(/../g)!.join(":");
}

/**
 * What to look for in the stored `mac` column when a search text is written as a MAC in
 * another notation: a whole MAC in any form `Mac` accepts (`AA-BB-CC-DD-EE-FF`,
 * `aabb.ccdd.eeff`, `aabbccddeeff`), or a dash-separated piece (`AA-BB-CC`), becomes the
 * stored lowercase colon form. Anything else is searched as typed.
 */
export function macSearchText(text: string): string {
  if (Mac.safeParse(text).success) return normaliseMac(text);
  if (/^[0-9A-Fa-f]{1,2}(?:-[0-9A-Fa-f]{2})+-?$/.test(text)) return text.replaceAll("-", ":").toLowerCase();
  return text;
}

const fields = {
  hostname: lineText(253).optional(),
  status: Status.optional().describe("assigned (default) | gateway | reserved | dhcp"),
  owner: lineText(200).optional(),
  mac: Mac.nullable().optional(),
  description: multilineText(2000).optional(),
};

/** Reserving a range in one call (`start`, `end`) records at most this many addresses. */
export const MAX_RESERVE = 10_000;

/**
 * Where to allocate (constrained allocation, with no `ip`), a range to reserve, and expiry:
 * kept apart from the base fields so that other body additions merge cleanly.
 */
const placementFields = {
  range: z
    .strictObject({ start: z.string().max(64), end: z.string().max(64) })
    .optional()
    .describe("allocate only inside this range of the subnet (bounds inclusive)"),
  exclude: z
    .array(z.string().max(130))
    .max(1000)
    .optional()
    .describe('never allocate these: each an address ("10.0.1.9") or a range ("10.0.1.100-10.0.1.199")'),
  from: z.enum(["start", "end"]).optional().describe('"end": the highest free addresses instead of the lowest'),
  contiguous: z.boolean().optional().describe("with count: one unbroken block of addresses, the lowest that fits"),
  start: z.string().max(64).optional().describe("with end: reserve every usable address of start–end, all or nothing"),
  end: z.string().max(64).optional().describe("with start: the last address of the range to reserve"),
};

/** Expiry (issue 13): the address is freed by the system when the deadline passes. */
const expiryFields = {
  expires_at: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .describe("ISO-8601 time from which the address is free again (activity address.expire); null: kept"),
  hold_seconds: z.number().int().min(1).max(31_622_400).optional().describe("like expires_at: this many seconds from now"),
};

export const AddressCreateBody = z
  .strictObject({
    ip: z.string().max(64).optional().describe("the address to record; omit it to get the lowest free one"),
    count: z.number().int().min(1, "must be 1–10,000").max(10_000, "must be 1–10,000").optional()
      .describe("allocate this many free addresses, all or nothing (answers {items})"),
    reuse: z.enum(["hostname", "mac"]).optional()
      .describe("ensure, don't duplicate: the subnet's record with this request's hostname (or MAC) answers 200 instead of a new one; hostnames compare without regard to ASCII case, as DNS does"),
    ...placementFields,
    ...expiryFields,
    ...fields,
  })
  .meta({
    examples: [
      { ip: "10.0.1.50", hostname: "web-server-03", status: "assigned", owner: "ops-team" },
      { hostname: "web-server-04" },
      { count: 4, owner: "ops-team", status: "reserved" },
      { hostname: "web-server-05", reuse: "hostname" },
      { range: { start: "10.0.1.100", end: "10.0.1.199" }, exclude: ["10.0.1.150-10.0.1.159"], from: "end", hostname: "lb-vip" },
      { count: 8, contiguous: true, range: { start: "10.0.1.64", end: "10.0.1.127" }, owner: "k8s" },
      { start: "10.0.1.200", end: "10.0.1.250", status: "dhcp", description: "DHCP pool" },
      { hostname: "ci-runner-17", hold_seconds: 3600 },
    ],
  });

export const AddressPatchBody = z.strictObject({
  ...fields,
  ...expiryFields,
  ip: z.unknown().optional().describe("immutable: 400 if it differs"),
  subnet_id: z.unknown().optional().describe("immutable: 400 if it differs"),
});

export const AddressBody = z
  .object({
    id: z.string(),
    subnet_id: z.string(),
    ip: z.string(),
    hostname: z.string(),
    status: Status,
    owner: z.string(),
    mac: z.string().nullable(),
    description: z.string(),
    number: z
      .number()
      .int()
      .optional()
      .describe("integer id per organization, never reused (the phpIPAM API's id); in every read and in the answers that create records"),
    expires_at: z.string().nullable().describe("when the address is freed by the system, or null"),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({
    examples: [
      {
        id: "9b2d7c4e-1f3a-4e8b-a6c5-3d2e1f0a9b87",
        subnet_id: "5f0c9a52-3b5e-4f7e-9a0d-2f4b8f7d1c21",
        ip: "10.0.1.50",
        hostname: "web-server-03",
        status: "assigned",
        owner: "ops-team",
        mac: null,
        description: "",
        number: 51,
        expires_at: null,
        created_at: "2026-11-28T09:44:46.123Z",
        updated_at: "2026-11-28T09:44:46.123Z",
      },
    ],
  });

export const AddressItems = z.object({ items: z.array(AddressBody) });
export const AddressList = pageOf(AddressBody);

export const SubnetAddressQuery = z.strictObject({
  ...pageQuery,
  status: Status.optional(),
  q: z.string().max(200).optional().describe("ip, hostname, owner, mac or description contains"),
});

export const AddressSearchQuery = z.strictObject({
  ...pageQuery,
  ip: z.string().max(64).optional().describe("exact address"),
  q: z.string().max(200).optional().describe("ip, hostname, owner, mac or description contains"),
  status: Status.optional(),
  subnet_id: z.string().max(64).optional(),
  vrf: z.string().max(64).optional(),
});

export const FirstFreeBody = z
  .object({ ip: z.string().nullable().describe("the lowest free usable address, or null when the subnet is full") })
  .meta({ examples: [{ ip: "10.0.1.51" }] });

export const FreeQuery = z.strictObject({
  limit: queryInt(1, 1000).optional().describe("at most this many ranges, default 100"),
  from: z.string().max(64).optional().describe("start at this address"),
});

export const FreeRangesBody = z
  .object({ ranges: z.array(z.object({ start: z.string(), end: z.string(), size: z.string() })) })
  .meta({ examples: [{ ranges: [{ start: "10.0.1.51", end: "10.0.1.254", size: "204" }] }] });

export type Address = z.infer<typeof AddressBody>;
export type AddressCreate = z.infer<typeof AddressCreateBody>;
export type AddressPatch = z.infer<typeof AddressPatchBody>;
