/**
 * Keyset pagination (API.md §1): `?limit=` (default 100, max 1000) and an opaque `?cursor=`
 * that encodes the sort key of the last item returned. Never OFFSET: its cost grows with the
 * page number, a keyset's does not.
 */
import { z } from "zod";
import { ApiError } from "./errors";
import { queryInt } from "./query-number";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** zod fields to spread into a route's query schema. */
export const pageQuery = {
  limit: queryInt(1, MAX_LIMIT).optional().describe("page size, default 100, max 1000"),
  cursor: z.string().max(512).optional().describe("opaque cursor from the previous page's next_cursor"),
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

export function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** The 400 for a cursor this server did not hand out (or one that was tampered with). */
export function badCursor(): ApiError {
  return new ApiError("validation_failed", 'query field "cursor": not a cursor returned by this list', { field: "cursor" });
}

/** Decodes a cursor made by encodeCursor; callers with richer keys validate the parts themselves. */
export function decodeCursor(cursor: string): unknown[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parts)) return parts;
  } catch {
    // fall through to the error below
  }
  throw badCursor();
}

/** Decodes a cursor of exactly `arity` strings (e.g. [created_at, id]); anything else is a 400. */
export function decodeStringCursor(cursor: string, arity: number): string[] {
  const parts = decodeCursor(cursor);
  if (parts.length !== arity || !parts.every((p) => typeof p === "string")) throw badCursor();
  return parts as string[];
}
