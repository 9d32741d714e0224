/**
 * The HTTP shell every route runs inside: request ids, the access log, security headers,
 * request-shape checks (body size, content type) and the single error mapping.
 *
 * Registered first on the root app so that its hooks are global: they apply to every
 * route, including routes added by feature plugins later.
 */
import { IN_FLIGHT_RETRY_AFTER_SECONDS } from "./idempotency";
import { Elysia, ValidationError } from "elysia";
import { isBusy, isFull } from "../db/errors";
import type { StorageHealth } from "../db/storage-health";
import type { Logger } from "../logger";
import type { Metrics } from "./metrics";
import { MAX_IMPORT_BYTES, readTextCapped } from "./body";
import { ApiError, errorBody } from "./errors";

export const MAX_BODY_BYTES = 1024 * 1024;
/** No API body nests deeper than a few levels; 32 leaves room and stops stack-exhaustion tricks. */
export const MAX_JSON_DEPTH = 32;
/**
 * No API body has more than a few dozen fields; 1,000 object members and array elements in
 * total leaves room and bounds the work of parsing and validating one unauthenticated body
 * (100,000 unknown keys in 1 MB used to cost ~0.3–1 s of CPU and a 5 MB error listing them).
 */
export const MAX_JSON_ITEMS = 1000;
/** How many unknown fields an error names; the rest are counted. */
export const MAX_UNKNOWN_LISTED = 5;

/** Routes that take a body other than JSON (CSV imports); everything else under /api is JSON only. */
const NON_JSON_BODY = /^\/api\/v1\/import\//;

/**
 * The phpIPAM-compatible API (features/phpipam): /api/{app_id}/… for any app id but `v1`. Its
 * bodies may be form-encoded as well as JSON, and its errors use phpIPAM's envelope.
 */
export const PHPIPAM_PATH = /^\/api\/(?!v1(?:\/|$))[^/]+\//;

/** The body limit of a path: MAX_IMPORT_BYTES for CSV imports, MAX_BODY_BYTES elsewhere. */
export function bodyLimitOf(path: string): number {
  return NON_JSON_BODY.test(path) ? MAX_IMPORT_BYTES : MAX_BODY_BYTES;
}

interface RequestMeta {
  id: string;
  startedAt: number;
}

/** What the shell needs from the app it wraps: the route table, read lazily (routes are added later). */
export interface ShellOptions {
  logger: Logger;
  routes: () => { method: string; path: string }[];
  metrics?: Metrics;
  /** the database's disk state: a SQLITE_FULL (PostgreSQL: class 53) anywhere is recorded there and named in the answer */
  storage?: StorageHealth;
}

/** Seconds a client should wait before retrying a write refused with database_busy. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/** What every response carries besides its X-Request-Id (the API here; the binary's web app pages in ui/serve.ts). */
export const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
} as const;

export function httpShell({ logger, routes, metrics, storage }: ShellOptions) {
  const meta = new WeakMap<Request, RequestMeta>();

  return new Elysia({ name: "http-shell" })
    .onRequest(({ request, set }) => {
      const id = crypto.randomUUID();
      meta.set(request, { id, startedAt: performance.now() });
      set.headers["x-request-id"] = id;
      Object.assign(set.headers, SECURITY_HEADERS);
    })
    // Our own JSON parser: one capped read (a chunked body has no Content-Length for
    // checkRequestShape to refuse) and a nesting check before JSON.parse. A parse hook makes
    // the OpenAPI plugin forget request bodies; http/docs.ts puts them back from the routes.
    .onParse({ as: "global" }, async ({ request, contentType, path }) => {
      // CSV imports read their own body, raw and capped (features/io/routes.ts csvBody), which
      // refuses every type but CSV text with a 415 and text that is not UTF-8 with a 400.
      // Parsing it here as JSON, or letting Elysia parse it (multipart, a form, or text/plain,
      // which it decodes lossily), would answer a CSV sent with the wrong type with a
      // misleading invalid_json, or store U+FFFD for bytes that were not UTF-8. null marks
      // the body as handled, so Elysia's parsers skip it.
      if (NON_JSON_BODY.test(path)) return null;
      // phpIPAM clients may send form fields: read with the same cap as JSON (one capped read).
      if (/^application\/x-www-form-urlencoded/i.test(contentType ?? "") && PHPIPAM_PATH.test(path)) {
        return parseFormBody(await readTextCapped(request, MAX_BODY_BYTES));
      }
      // Any other body (a DELETE's text/plain, multipart…) is not read at all: Elysia's own
      // parsers read whatever arrives, with no cap. Every route that takes a body takes JSON
      // (POST, PUT and PATCH of another type were refused with a 415 before this).
      // (No Content-Type: Elysia reads nothing, and the body stays undefined for routes whose
      // body is optional, such as logout.)
      if (!contentType) return;
      if (!/^application\/json/i.test(contentType)) return null;
      return parseJsonBody(await readTextCapped(request, MAX_BODY_BYTES));
    })
    .onTransform({ as: "global" }, (ctx) => {
      // Elysia's query parser for zod schemas splits values on commas (even %2C) and
      // JSON-parses values in [] or {}, so a search for "web,db" would arrive as an array.
      // Every query value here is the plain decoded string. A repeated key is refused on the
      // native API, where `?dry_run=true&dry_run=false` silently ran an import and
      // `?force=false&force=true` deleted; phpIPAM clients keep the last value, as phpIPAM does.
      (ctx as { query: Record<string, string> }).query = plainQuery(ctx.request.url, ctx.path.startsWith("/api/v1/"));
    })
    .onError({ as: "global" }, ({ code, error, request, set, path }) => {
      const apiError = storageError(error, storage) ?? toApiError(code, error, request.method, path, routes);
      if (apiError.status === 500) {
        const rid = meta.get(request)?.id;
        logger.error("unhandled error", {
          rid,
          method: request.method,
          path,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        if (error instanceof Error && error.stack) logger.error("stack", { rid, stack: error.stack });
      }
      if (apiError.code === "method_not_allowed") set.headers["allow"] = String(apiError.details?.allow ?? "");
      if (apiError.code === "database_busy") set.headers["retry-after"] = String(BUSY_RETRY_AFTER_SECONDS);
      if (apiError.code === "idempotency_key_in_flight") set.headers["retry-after"] = String(IN_FLIGHT_RETRY_AFTER_SECONDS);
      set.status = apiError.status;
      // phpIPAM clients (Proxmox VE) read `success` and `message`: the same error, in their envelope.
      if (PHPIPAM_PATH.test(path)) return { code: apiError.status, success: false, message: apiError.message };
      return errorBody(apiError);
    })
    .onAfterResponse({ as: "global" }, ({ request, set, path, route }) => {
      const m = meta.get(request);
      const status = typeof set.status === "number" ? set.status : 200;
      const ms = m ? performance.now() - m.startedAt : 0;
      logger.info("request", {
        method: request.method,
        // The path only: query strings can hold sign-in tokens.
        path,
        status,
        ms: Math.round(ms * 10) / 10,
        rid: m?.id,
      });
      // Unmatched paths share one label so that scanners cannot grow the label set.
      metrics?.observeRequest(request.method, route || "(unmatched)", status, ms / 1000);
    });
}

/**
 * Refuses a request whose shape is wrong before any route runs: a declared body over the
 * limit (413) or a non-JSON body on an API write (415). A separate plugin from the shell so
 * that the app mounts it after the rate limiter: malformed requests then still take a
 * token (a client cannot flood with them unthrottled) and carry the RateLimit-* headers.
 */
export function requestShape() {
  return new Elysia({ name: "request-shape" }).onRequest(({ request }) => checkRequestShape(request));
}

/**
 * JSON.parse, after one scan that refuses nesting deeper than MAX_JSON_DEPTH (absurd nesting
 * exhausts the parser's stack, which would otherwise surface as a 500) and more than
 * MAX_JSON_ITEMS members and elements (every later step, validation and its error included,
 * then works on a small value).
 */
/**
 * A form body (phpIPAM clients), decoded strictly: URLSearchParams turns a percent-escape
 * that is not UTF-8 (`%ff`) into U+FFFD, which would then be stored; here it is a 400, as
 * raw bytes that are not UTF-8 are. At most MAX_JSON_ITEMS fields, as in a JSON body.
 */
export function parseFormBody(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  const pieces = text.split("&").filter((piece) => piece !== "");
  if (pieces.length > MAX_JSON_ITEMS) {
    throw new ApiError("invalid_request", `request body has more than ${MAX_JSON_ITEMS.toLocaleString("en-US")} fields; no API body needs that many`);
  }
  for (const piece of pieces) {
    const eq = piece.indexOf("=");
    const [name, value] = eq === -1 ? [piece, ""] : [piece.slice(0, eq), piece.slice(eq + 1)];
    fields[decodeFormText(name)] = decodeFormText(value);
  }
  return fields;
}

const formBytes = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * One form name or value: "+" is a space, %HH a byte; a "%" not followed by two hex digits
 * stays as it is ("100% full", as PHP's urldecode reads it). The bytes must be UTF-8.
 */
function decodeFormText(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  if (!spaced.includes("%")) return spaced;
  const bytes: number[] = [];
  for (let i = 0; i < spaced.length; ) {
    if (spaced[i] === "%" && /^[0-9a-f]{2}$/i.test(spaced.slice(i + 1, i + 3))) {
      bytes.push(parseInt(spaced.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    const char = String.fromCodePoint(spaced.codePointAt(i)!);
    bytes.push(...formBytes.encode(char));
    i += char.length;
  }
  try {
    return strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    throw new ApiError("invalid_request", `form field text "${text.slice(0, 40)}" is not percent-encoded UTF-8`);
  }
}

export function parseJsonBody(text: string): unknown {
  let depth = 0;
  // Commas outside strings: a container of n items has n - 1, so this counts every member and
  // element but the first of each container (at most MAX_JSON_DEPTH of them are nested singletons).
  let commas = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) throw new ApiError("invalid_json", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 && ++commas >= MAX_JSON_ITEMS) {
      throw new ApiError("invalid_json", `request body has more than ${MAX_JSON_ITEMS.toLocaleString("en-US")} fields and array elements; no API body needs that many`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "request body is not valid JSON (send {} for an empty object)");
  }
}

function plainQuery(url: string, refuseRepeats: boolean): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  const start = url.indexOf("?");
  if (start === -1) return query;
  for (const [key, value] of new URLSearchParams(url.slice(start + 1))) {
    if (refuseRepeats && key in query) {
      throw new ApiError("invalid_request", `query parameter "${key}" is given more than once; give it once`, { field: key });
    }
    query[key] = value;
  }
  return query;
}

/** In-process requests (app.handle) carry a body stream but no content-length. */
function hasBodyOf(request: Request, length: number): boolean {
  return length > 0 || request.headers.has("transfer-encoding") || (request.body !== null && !request.headers.has("content-length"));
}

function checkRequestShape(request: Request): void {
  const length = Number(request.headers.get("content-length") ?? "0");
  const url = new URL(request.url);
  const path = url.pathname;
  // NUL can be sent percent-encoded but named nothing here, and PostgreSQL refuses it in any
  // text parameter (an error, not "no row"): refused up front, alike on both stores.
  if (/%00/.test(path)) throw new ApiError("not_found", "not found (a name or id never holds a NUL character)");
  if (/%00/.test(url.search)) throw new ApiError("invalid_request", "query parameters must not hold a NUL character (%00)");
  const limit = bodyLimitOf(path);
  if (length > limit) {
    throw new ApiError("body_too_large", `request body is larger than ${limit} bytes`);
  }
  const method = request.method;
  if (method !== "POST" && method !== "PUT" && method !== "PATCH") return;
  const type = request.headers.get("content-type") ?? "";
  if (!path.startsWith("/api/")) return;
  // Bodies are read as they come: a compressed one read as text was a misleading "not UTF-8"
  // (gzip), or taken as it is (br); text in another charset would be read as UTF-8.
  const encoding = request.headers.get("content-encoding");
  if (encoding !== null && !/^\s*identity\s*$/i.test(encoding) && hasBodyOf(request, length)) {
    throw new ApiError("unsupported_media_type", `Content-Encoding ${encoding.slice(0, 40)} is not supported: send the body uncompressed`);
  }
  // ASCII is UTF-8; a form's text is percent-encoded ASCII whatever label it carries (Java's
  // form encoders say ISO-8859-1), and its escapes are checked as UTF-8 when decoded.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  const form = /^application\/x-www-form-urlencoded/i.test(type);
  if (charset !== undefined && !form && !/^(utf-?8|us-ascii|ascii)$/i.test(charset)) {
    throw new ApiError("unsupported_media_type", `charset ${charset.slice(0, 40)} is not supported: send the body as UTF-8`);
  }
  if (NON_JSON_BODY.test(path)) return;
  if (PHPIPAM_PATH.test(path)) {
    if (!/^application\/(json|x-www-form-urlencoded)\s*(;|$)/i.test(type) && hasBodyOf(request, length)) {
      throw new ApiError("unsupported_media_type", `Invalid Content type ${type}`);
    }
    return;
  }
  if (hasBodyOf(request, length) && !/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError("unsupported_media_type", "request body must be JSON (Content-Type: application/json)");
  }
}

/**
 * SQLite's lock and disk failures, wherever they surface (a write transaction, an autocommit
 * statement, a read): never a 500 — the client can act on both.
 */
function storageError(error: unknown, storage: StorageHealth | undefined): ApiError | null {
  if (isBusy(error)) {
    return new ApiError(
      "database_busy",
      `the database is busy: another process (an ipcraft import or command) holds its write lock; retry in ${BUSY_RETRY_AFTER_SECONDS} s`,
    );
  }
  if (isFull(error) || storage?.isFullError(error)) {
    storage?.noteWriteFailed(error);
    return new ApiError("storage_full", storage?.fullMessage() ?? "the disk holding the database is full; free some space and retry");
  }
  return null;
}

/** Maps whatever was thrown to an ApiError. Unknown errors are 500, never 400. */
function toApiError(
  code: string | number,
  error: unknown,
  method: string,
  path: string,
  routes: ShellOptions["routes"],
): ApiError {
  if (error instanceof ApiError) return error;
  switch (code) {
    case "VALIDATION":
      return validationError(error as ValidationError);
    case "PARSE":
      // Elysia wraps what our parse hook throws (body_too_large, nesting) in a ParseError.
      if ((error as { cause?: unknown })?.cause instanceof ApiError) return (error as { cause: ApiError }).cause;
      return new ApiError("invalid_json", "request body is not valid JSON (send {} for an empty object)");
    case "NOT_FOUND": {
      const allow = allowedMethods(path, routes());
      if (allow.length > 0 && !allow.includes(method)) {
        return new ApiError("method_not_allowed", `${method} is not allowed on ${path}; use ${allow.join(", ")}`, {
          allow: allow.join(", "),
        });
      }
      return new ApiError("route_not_found", `no route ${method} ${path}`);
    }
    default: {
      const status = (error as { status?: unknown })?.status;
      if (typeof status === "number" && status >= 400 && status < 500) {
        return new ApiError("invalid_request", error instanceof Error ? error.message : "invalid request");
      }
      return new ApiError("internal_error", "internal error; the server log has the details under this request's X-Request-Id");
    }
  }
}

interface Issue {
  field: string;
  message: string;
}

/** One sentence naming the first bad field, and every issue in details. */
function validationError(error: ValidationError): ApiError {
  const where = error.type === "body" ? "" : `${error.type} `;
  const issues: Issue[] = [];
  const raw = (error as unknown as { valueError?: { path?: unknown[]; message?: string; keys?: string[]; code?: string } }).valueError;
  // Unknown fields are named up to MAX_UNKNOWN_LISTED and counted beyond: the error stays small.
  let unknownMore = 0;
  if (raw?.code === "unrecognized_keys" && raw.keys?.length) {
    for (const key of raw.keys.slice(0, MAX_UNKNOWN_LISTED)) issues.push({ field: key, message: `unknown field "${key}"` });
    unknownMore = Math.max(0, raw.keys.length - MAX_UNKNOWN_LISTED);
  }
  for (const item of standardIssues(error) ?? elysiaIssues(error)) {
    const field = item.field;
    if (issues.some((i) => i.field === field)) continue;
    if (/Unrecognized key/.test(item.message ?? "")) continue;
    issues.push({ field, message: item.message ?? "invalid value" });
  }
  if (issues.length === 0) issues.push({ field: normalisePath(raw?.path?.join(".")), message: raw?.message ?? "invalid value" });
  const first = issues[0]!;
  const sentence =
    first.message.startsWith("unknown field") ? `${where}${first.message}` : first.field === "(root)"
      ? `${where}body: ${first.message}`
      : `${where}field "${first.field}": ${first.message}`;
  if (unknownMore > 0) {
    const more = `and ${unknownMore.toLocaleString("en-US")} more unknown field${unknownMore === 1 ? "" : "s"}`;
    return new ApiError("validation_failed", `${sentence} (${more})`, { field: first.field, issues, unknown_not_listed: unknownMore });
  }
  return new ApiError("validation_failed", sentence, { field: first.field, issues });
}

/**
 * The issues of a zod (standard schema) validator with their real paths. Elysia's own list
 * spells the empty path "root", which is also the name of a real field (GET /subnets?root=).
 */
function standardIssues(error: ValidationError): { field: string; message?: string }[] | null {
  const validator = error.validator as { "~standard"?: StandardLike; schema?: { "~standard"?: StandardLike } } | undefined;
  const standard = validator?.["~standard"] ?? validator?.schema?.["~standard"];
  if (!standard) return null;
  try {
    const result = standard.validate(error.value);
    if (!result || typeof (result as Promise<unknown>).then === "function") return null;
    const issues = (result as { issues?: StandardIssue[] }).issues;
    if (!issues) return null;
    return issues.map((issue) => ({
      field: issue.path?.length ? issue.path.map((part) => (typeof part === "object" ? String(part.key) : String(part))).join(".") : "(root)",
      message: issue.message,
    }));
  } catch {
    return null;
  }
}

interface StandardIssue {
  message?: string;
  path?: (PropertyKey | { key: PropertyKey })[];
}
interface StandardLike {
  validate: (value: unknown) => unknown;
}

/** Elysia's issue list (non-zod validators). */
function elysiaIssues(error: ValidationError): { field: string; message?: string }[] {
  try {
    const all = (error.all as { path?: string; message?: string }[]) ?? [];
    return all.map((item) => ({ field: normalisePath(item.path), message: item.message }));
  } catch {
    return [];
  }
}

function normalisePath(path: string | undefined): string {
  if (!path || path === "root" || path === "/") return "(root)";
  return path.replace(/^\//, "").replace(/\//g, ".");
}

function allowedMethods(path: string, table: { method: string; path: string }[]): string[] {
  const found = new Set<string>();
  for (const route of table) {
    if (route.method === "ALL" || route.method === "WS") continue;
    const pattern = new RegExp(
      `^${route.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+").replace(/\*/g, ".*")}$`,
    );
    if (pattern.test(path)) found.add(route.method);
  }
  if (found.has("GET")) found.add("HEAD");
  return [...found].sort();
}
