/**
 * The API client: same origin, the `session` cookie, JSON both ways, and the CSRF header
 * `X-Requested-With: XMLHttpRequest` on every write (API.md §2). Failures become
 * `ApiFailure` carrying the API's own sentence, code and details, which pages show as is.
 */
import type { List } from "./types";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Called when the session is gone (401 on a data route); main.ts sends the user to sign in. */
let onUnauthorized: (() => void) | null = null;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["x-requested-with"] = "XMLHttpRequest";
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiFailure(0, "The server could not be reached. Check that ipcraft is running.", "network_error");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: any = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const message = typeof data?.error === "string" ? data.error : `The server answered ${response.status} ${response.statusText}.`;
    const failure = new ApiFailure(response.status, message, typeof data?.code === "string" ? data.code : "http_error", data?.details);
    if (response.status === 401 && !path.startsWith("/api/v1/auth/")) onUnauthorized?.();
    throw failure;
  }
  return data as T;
}

/** Builds a path with a query string, skipping empty values. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Every item of a list endpoint, following `next_cursor` (bounded by `max`). */
export async function listAll<T>(path: string, query: Record<string, string | number | null | undefined> = {}, max = 20_000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: List<T> = await api<List<T>>("GET", withQuery(path, { ...query, limit: 1000, cursor }));
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** The message to show for anything thrown. */
export function messageOf(error: unknown): string {
  // The API's sentences end with the route to use for API users, e.g. "record it there
  // (POST /api/v1/subnets/…/addresses)": in the app that is noise, so it is left out.
  if (error instanceof ApiFailure) return error.message.replace(/ \((?:GET|POST|PATCH|PUT|DELETE) \/api\/[^)]*\)$/, "");
  return error instanceof Error ? error.message : String(error);
}

/** True when the server has no such route yet (a feature not installed) rather than a missing object. */
export function isMissingRoute(error: unknown): boolean {
  return error instanceof ApiFailure && error.status === 404 && error.code === "route_not_found";
}

/** POSTs a CSV body (the import endpoints take `text/csv`); the answer and failures as `api()`. */
export async function apiCsv<T = unknown>(path: string, csv: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "text/csv", "x-requested-with": "XMLHttpRequest" },
      body: csv,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiFailure(0, "The server could not be reached. Check that ipcraft is running.", "network_error");
  }
  const text = await response.text();
  let data: any = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthorized?.();
    throw new ApiFailure(response.status, typeof data?.error === "string" ? data.error : `The server answered ${response.status}.`, typeof data?.code === "string" ? data.code : "http_error", data?.details);
  }
  return data as T;
}
