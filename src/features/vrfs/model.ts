/** Request and response shapes of /api/v1/vrfs (API.md §6, issue 15). */
import { z } from "zod";
import { multilineText } from "../../http/text";
import { pageOf, pageQuery } from "../../http/pagination";
import { VrfName } from "../subnets/model";

const Description = multilineText(2000);

export const VrfCreateBody = z
  .strictObject({ name: VrfName, description: Description.optional() })
  .meta({ examples: [{ name: "guest", description: "Guest Wi-Fi, routed separately" }] });

export const VrfPatchBody = z.strictObject({ name: VrfName.optional(), description: Description.optional() });

export const VrfBody = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    subnet_count: z.number().int().describe("subnets in this VRF"),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({
    examples: [
      {
        id: "8f14e45f-ceea-4a67-9b2c-3c7d1e8a9b10",
        name: "default",
        description: "",
        subnet_count: 12,
        created_at: "2026-11-28T09:44:46.123Z",
        updated_at: "2026-11-28T09:44:46.123Z",
      },
    ],
  });

export const VrfList = pageOf(VrfBody);
export const VrfListQuery = z.strictObject({ ...pageQuery });

export type VrfCreate = z.infer<typeof VrfCreateBody>;
export type VrfPatch = z.infer<typeof VrfPatchBody>;
export type Vrf = z.infer<typeof VrfBody>;
