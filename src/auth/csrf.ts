/**
 * CSRF rule for cookie-authenticated requests (API.md §2, documented IPCraft behaviour):
 * a state-changing method needs `X-Requested-With: XMLHttpRequest` — a header a cross-site
 * form cannot send and cross-site fetch cannot send without a CORS preflight we never grant —
 * and any request whose `Sec-Fetch-Site` says cross-site, or whose `Origin` is another
 * site, is refused outright. API-key requests never come here.
 */
import { ApiError } from "../http/errors";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** `allowedOrigins`: the server's public URL origin; the request's own origin always counts. */
export function enforceCsrf(request: Request, allowedOrigins: string[] = []): void {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite === "cross-site") {
    throw new ApiError("csrf_cross_site", "cross-site requests with the session cookie are refused");
  }
  const origin = request.headers.get("origin");
  const sameSite = origin === new URL(request.url).origin || allowedOrigins.includes(origin ?? "");
  // Reads too (API.md §2: refused "on a cookie request"): SameSite=Strict already keeps the
  // cookie off most cross-site requests, this refuses the rest whatever the browser does.
  if (origin && origin !== "null" && !sameSite) {
    throw new ApiError("csrf_cross_site", `requests from ${origin} may not use the session cookie`);
  }
  if (STATE_CHANGING.has(request.method) && request.headers.get("x-requested-with") !== "XMLHttpRequest") {
    throw new ApiError("csrf_header_missing", "cookie-authenticated writes need the header X-Requested-With: XMLHttpRequest");
  }
}
