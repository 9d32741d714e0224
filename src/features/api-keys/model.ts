/** Shapes of the API-key routes (API.md §2 "API keys"). The key itself appears only in `CreatedApiKey`. */
import { z } from "zod";

export const CreateApiKeyBody = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(100),
  /** Default `write`: as documented, a key's permissions then follow the plan and the user's role. */
  scope: z.enum(["read", "write"]).default("write"),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});

export const KeyIdParams = z.object({ id: z.string() });

export const ApiKeyItem = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: z.enum(["read", "write"]),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  created_by: z.object({ id: z.string(), email: z.string() }),
});

export const CreatedApiKey = ApiKeyItem.extend({ key: z.string() });

export const ApiKeyList = z.object({
  items: z.array(ApiKeyItem),
  total: z.number(),
  next_cursor: z.string().nullable(),
});

export type ApiKeyItem = z.infer<typeof ApiKeyItem>;
