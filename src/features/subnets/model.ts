/** Request and response shapes of /api/v1/subnets (API.md §6). */
import { z } from "zod";
import { lineText, multilineText } from "../../http/text";
import { pageOf, pageQuery } from "../../http/pagination";
import { UtilizationBody } from "../../ipam/schemas";

/** A VRF name: letters, digits and `_ . : -`, 1–64 characters. */
export const VrfName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1–64 letters, digits or _ . : -")
  .describe('VRF name, default "default"');

const Vlan = z.number().int().min(1, "must be 1–4094").max(4094, "must be 1–4094");
const SectionRef = z.string().max(64).describe("section (folder) id");

export const SubnetCreateBody = z
  .strictObject({
    cidr: z.string().max(64).describe("IPv4 or IPv6 CIDR with no host bits, e.g. 10.0.1.0/24"),
    name: lineText(200).optional(),
    description: multilineText(2000).optional(),
    section_id: SectionRef.nullable().optional(),
    vrf: VrfName.optional(),
    vlan: Vlan.nullable().optional(),
    gateway: z.string().max(64).optional().describe("an address inside the subnet; recorded with status `gateway`"),
  })
  .meta({ examples: [{ cidr: "10.0.1.0/24", name: "Web servers", vlan: 110, gateway: "10.0.1.1" }] });

/** `cidr` and `vrf` are accepted only to answer 400 `immutable_field` when they would change. */
export const SubnetPatchBody = z.strictObject({
  name: lineText(200).optional(),
  description: multilineText(2000).optional(),
  section_id: SectionRef.nullable().optional(),
  vlan: Vlan.nullable().optional(),
  cidr: z.unknown().optional().describe("immutable: 400 if it differs"),
  vrf: z.unknown().optional().describe("immutable: 400 if it differs"),
});

export const SplitBody = z
  .strictObject({
    parts: z.number().int().optional().describe("a power of two, 2…65,536"),
    prefix_length: z.number().int().optional().describe("the children's prefix length"),
  })
  .meta({ examples: [{ parts: 4 }, { prefix_length: 26 }] });

export const DeleteQuery = z.strictObject({
  force: z.enum(["true", "false"]).optional().describe("delete the addresses that cannot move up (a root subnet's, or those on the parent's boundary) instead of refusing"),
});

export const SubnetBody = z
  .object({
    id: z.string(),
    cidr: z.string(),
    network: z.string(),
    prefix_length: z.number().int(),
    family: z.union([z.literal(4), z.literal(6)]),
    name: z.string(),
    description: z.string(),
    section_id: z.string().nullable(),
    vrf: z.string(),
    vlan: z.number().int().nullable(),
    parent_id: z.string().nullable(),
    utilization: UtilizationBody,
    number: z
      .number()
      .int()
      .optional()
      .describe("integer id per organization, never reused (the phpIPAM API's id)"),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({
    examples: [
      {
        id: "5f0c9a52-3b5e-4f7e-9a0d-2f4b8f7d1c21",
        cidr: "10.0.1.0/24",
        network: "10.0.1.0",
        prefix_length: 24,
        family: 4,
        name: "Web servers",
        description: "",
        section_id: null,
        vrf: "default",
        vlan: 110,
        parent_id: null,
        utilization: { size: "256", usable: "254", used: "51", in_children: "0", free: "203", percent: 20.08 },
        number: 7,
        created_at: "2026-11-28T09:44:46.123Z",
        updated_at: "2026-11-28T09:44:46.123Z",
      },
    ],
  });

export const SubnetList = pageOf(SubnetBody);
export const SubnetItems = z.object({ items: z.array(SubnetBody) });

export const SubnetListQuery = z.strictObject({
  ...pageQuery,
  section_id: z.string().max(64).optional(),
  vrf: z.string().max(64).optional(),
  parent_id: z.string().max(64).optional(),
  root: z.enum(["true", "false"]).optional().describe("true: only subnets without a parent"),
  family: z.enum(["4", "6"]).optional(),
  contains: z.string().max(64).optional().describe("an IP: the subnets containing it, outermost first"),
  q: z.string().max(200).optional().describe("cidr, name or description contains"),
});

export type SubnetCreate = z.infer<typeof SubnetCreateBody>;
export type SubnetPatch = z.infer<typeof SubnetPatchBody>;
export type Subnet = z.infer<typeof SubnetBody>;
export type SubnetListFilters = z.infer<typeof SubnetListQuery>;
