/** Shapes of the API-key routes (API.md §2 "API keys"). The key itself appears only in `CreatedApiKey`. */
import { z } from "zod";
import { pageOf, pageQuery } from "../../http/pagination";
import { lineText } from "../../http/text";
import { MAX_EXPIRES_IN_DAYS } from "./service";

export const CreateApiKeyBody = z.strictObject({
  name: lineText(100).refine((v) => v.length > 0, "must not be empty"),
  /**
   * Omitted: the most the key could ever do now — `write`, or `read` for a viewer or on a
   * read-only plan (asking for `write` there is refused, so a plain "Generate Key" still works).
   */
  scope: z.enum(["read", "write"]).optional(),
  expires_in_days: z.number().int().min(1).max(MAX_EXPIRES_IN_DAYS).optional(),
});

export const ListQuery = z.strictObject({ ...pageQuery });

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

export const ApiKeyList = pageOf(ApiKeyItem);

export type ApiKeyItem = z.infer<typeof ApiKeyItem>;
