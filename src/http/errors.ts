/**
 * The one error table: every failure the API can answer, by machine code, with its status.
 * Routes and services throw `ApiError(code, sentence, details?)`; the error handler in
 * http/error-handler.ts is the only place that turns anything into an HTTP error response.
 * Body shape (API.md §1): {"error": "<human sentence>", "code": "<code>", "details"?: {...}}.
 */
export const ERROR_STATUS = {
  // 400 — the request is wrong; the sentence says which field and why
  invalid_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  invalid_ip: 400,
  invalid_cidr: 400,
  ip_not_in_subnet: 400,
  ip_not_usable: 400,
  ip_in_child_subnet: 400,
  immutable_field: 400,
  unknown_vrf: 400,
  invalid_token: 400,
  import_failed: 400,
  range_invalid: 400,
  range_too_large: 400,
  // 401 — who are you?
  unauthorized: 401,
  // 402 — the organization's plan does not allow more
  plan_limit: 402,
  // 403 — known, but not allowed
  forbidden: 403,
  insufficient_scope: 403,
  session_required: 403,
  csrf_header_missing: 403,
  csrf_cross_site: 403,
  // 404 — absent, or belongs to another organization (never 403: ids are not guessable)
  not_found: 404,
  route_not_found: 404,
  // 405
  method_not_allowed: 405,
  // 409 — the state of the data forbids it
  conflict: 409,
  subnet_overlap: 409,
  subnet_full: 409,
  address_in_use: 409,
  address_on_boundary: 409,
  subnet_has_children: 409,
  subnet_not_empty: 409,
  duplicate_name: 409,
  vrf_in_use: 409,
  last_owner: 409,
  // an Idempotency-Key whose first request is still running here; Retry-After (http/idempotency.ts)
  idempotency_key_in_flight: 409,
  // 410 — a change-feed cursor outside what the feed still holds (pruned, or from another database): resync
  cursor_expired: 410,
  // 422 — an Idempotency-Key already used in the last 24 h with another request (method, path or body)
  idempotency_key_reused: 422,
  // 413, 415, 429
  body_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  // 500 — a bug; logged with the request id, no details in the body
  internal_error: 500,
  // 503 — shutting down
  unavailable: 503,
  // 503 — another process (a CLI import) held the database's write lock for too long; Retry-After
  database_busy: 503,
  // 507 — the disk holding the database is full; nothing was written
  storage_full: 507,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A failure the client can act on. `details` must never hold secrets or internals. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  details?: Record<string, unknown>;
}

export function errorBody(error: ApiError): ErrorBody {
  return error.details === undefined
    ? { error: error.message, code: error.code }
    : { error: error.message, code: error.code, details: error.details };
}

/** Shorthand for the most common throw. */
export function notFound(what: string): ApiError {
  return new ApiError("not_found", `${what} not found`);
}
