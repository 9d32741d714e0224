/** Request and response shapes of the next-free-subnet routes (issue 13; next-free.ts). */
import { z } from "zod";
import { lineText, multilineText } from "../../http/text";
import { MAX_LIMIT } from "../../http/pagination";
import { queryInt } from "../../http/query-number";

/** Children one POST may create at most (all or nothing, one transaction). */
export const MAX_NEXT_FREE_COUNT = 1024;

const PrefixLength = queryInt(1, 128).describe("the child's prefix length, longer than the parent's");
const From = z.enum(["start", "end"]).optional().describe('"end": the highest free block first (default "start": the lowest)');

export const FirstFreeSubnetQuery = z.strictObject({
  prefix_length: PrefixLength,
  from: From,
});

export const FreeSubnetsQuery = z.strictObject({
  prefix_length: PrefixLength,
  from: From,
  limit: queryInt(1, MAX_LIMIT).optional().describe("at most this many blocks, default 100, max 1000"),
  cursor: z.string().max(512).optional().describe("opaque cursor from the previous page's next_cursor"),
});

export const FirstFreeSubnetBody = z
  .object({ cidr: z.string().nullable().describe("the lowest (or highest) free aligned block, or null when none is free") })
  .meta({ examples: [{ cidr: "10.20.3.0/24" }, { cidr: null }] });

export const FreeSubnetsBody = z
  .object({
    items: z.array(z.object({ cidr: z.string() })),
    next_cursor: z.string().nullable().describe("null on the last page"),
  })
  .meta({ examples: [{ items: [{ cidr: "10.20.3.0/24" }, { cidr: "10.20.7.0/24" }], next_cursor: "WyIwYTE0MDcwMCIsMjQsInN0YXJ0Il0" }] });

export const NextFreeSubnetBody = z
  .strictObject({
    prefix_length: z.number().int().min(1).max(128).describe("the new child's prefix length, longer than the parent's"),
    count: z.number().int().min(1).max(MAX_NEXT_FREE_COUNT).optional().describe("create this many children, all or nothing; answers {items}"),
    from: From,
    name: lineText(200).optional(),
    description: multilineText(2000).optional(),
    section_id: z.string().max(64).nullable().optional().describe("folder; default: the parent's"),
    vlan: z.number().int().min(1, "must be 1–4094").max(4094, "must be 1–4094").nullable().optional(),
  })
  // `example`, not `examples`: zod drops `examples` from the input-side schema of an object
  // whose fields transform (lineText trims), and Swagger UI fills "Try it out" from this one.
  .meta({ example: { prefix_length: 24, name: "Berlin office LAN", vlan: 120 } });

export type FirstFreeSubnetFilters = z.infer<typeof FirstFreeSubnetQuery>;
export type FreeSubnetsFilters = z.infer<typeof FreeSubnetsQuery>;
export type NextFreeSubnet = z.infer<typeof NextFreeSubnetBody>;
