/**
 * Keyset pagination (API.md §1): `?limit=` (default 100, max 1000) and an opaque `?cursor=`
 * that encodes the sort key of the last item returned. Never OFFSET: its cost grows with the
 * page number, a keyset's does not.
 */
import { z } from "zod";
import { ApiError } from "./errors";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** zod fields to spread into a route's query schema. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
  cursor: z.string().max(512).optional(),
};

export interface Page<T> {
  items: T[];
  total: number;
  next_cursor: string | null;
}

/** zod schema of a list response with items of `item`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), next_cursor: z.string().nullable() });
}

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** Decodes a cursor made by encodeCursor with `arity` parts; anything else is a 400. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === "string" || typeof p === "number")) {
      return parts;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError("validation_failed", 'query "cursor": not a cursor this list returned', { field: "cursor" });
}
