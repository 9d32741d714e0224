/** Shapes of /api/v1/organization (API.md §3). */
import { z } from "zod";
import { lineText } from "../../http/text";

export const PatchOrganizationBody = z.strictObject({
  name: lineText(100).refine((v) => v.length > 0, "must not be empty"),
});

const Limit = z.number().nullable();

export const Organization = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  /** owners only, with limits and usage */
  plan: z.enum(["free", "pro", "teams", "unlimited"]).optional(),
  limits: z
    .object({
      users: Limit,
      sections: Limit,
      subnets: Limit,
      addresses: Limit,
      api: z.enum(["read", "write"]),
      /** requests per second; null = not limited */
      rate_limit: Limit,
      /** days of activity kept; null = forever */
      activity_days: z.number().nullable(),
    })
    .optional(),
  usage: z
    .object({ users: z.number(), sections: z.number(), subnets: z.number(), addresses: z.number(), api_keys: z.number() })
    .optional(),
});

export type Organization = z.infer<typeof Organization>;
