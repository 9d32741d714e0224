/** Request and response shapes of /api/v1/sections (API.md §5). */
import { z } from "zod";
import { lineText, multilineText } from "../../http/text";
import { pageOf, pageQuery } from "../../http/pagination";

const Name = lineText(100).pipe(z.string().min(1, "must not be empty"));
const Description = multilineText(2000);

export const SectionCreateBody = z
  .strictObject({ name: Name, description: Description.optional() })
  .meta({ examples: [{ name: "Datacenter 1", description: "Racks A–F" }] });

export const SectionPatchBody = z.strictObject({ name: Name.optional(), description: Description.optional() });

export const SectionBody = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    subnet_count: z.number().int(),
    number: z.number().int().describe("integer id per organization, never reused (the phpIPAM API's id)"),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({
    examples: [
      {
        id: "0b7c2f0e-8d7e-4a43-9a55-1f0f8a0c3b11",
        name: "Datacenter 1",
        description: "Racks A–F",
        subnet_count: 3,
        number: 1,
        created_at: "2026-11-28T09:44:46.123Z",
        updated_at: "2026-11-28T09:44:46.123Z",
      },
    ],
  });

export const SectionList = pageOf(SectionBody);
export const SectionListQuery = z.strictObject({ ...pageQuery, q: z.string().max(200).optional().describe("name contains") });

export type SectionCreate = z.infer<typeof SectionCreateBody>;
export type SectionPatch = z.infer<typeof SectionPatchBody>;
export type Section = z.infer<typeof SectionBody>;
