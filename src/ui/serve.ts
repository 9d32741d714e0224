/**
 * The web app's page routes for `Bun.serve({ routes })` (server side; not bundled into the page).
 *
 * `index.html` is a Bun HTML import: Bun bundles and minifies its TypeScript and CSS (at
 * `bun build --compile` time for the binary, on first request when run from source).
 * HTML-import routes exist only in a real `Bun.serve`, so the Elysia app keeps everything
 * else (API, /docs, /healthz, /auth/verify) in `fetch`. The client-side router (router.ts)
 * must know the same paths.
 *
 * In the binary the bundle's files are known (`files`), and they are served from here rather
 * than by Bun's HTML route, so that the pages carry what every other response does
 * (API.md §1): an X-Request-Id, nosniff, no referrer, and no framing by another site (a
 * `<meta>` CSP cannot say frame-ancestors). From source, Bun bundles on first request and
 * serves the page itself (development runs and the browser tests).
 */
import type { HTMLBundle } from "bun";
import { SECURITY_HEADERS } from "../http/shell";
import index from "./index.html";

/** Every path the single-page app answers with its page; deep links land here too. */
export const UI_PATHS = ["/", "/signin", "/setup", "/tools", "/settings", "/settings/webhooks", "/activity", "/search", "/import", "/subnets/*", "/folders/*"] as const;

type Send = (request: Request) => Response;
/** GET and HEAD only: another method on a page path falls through to the app (404). */
type Route = HTMLBundle | { GET: Send; HEAD: Send };

export function uiRoutes(): Record<string, Route> {
  const bundle = index as HTMLBundle;
  if (!bundle.files) return Object.fromEntries(UI_PATHS.map((path) => [path, bundle]));
  const routes: Record<string, Route> = {};
  for (const file of bundle.files) {
    const isPage = file.path === bundle.index;
    // The page is revalidated at each visit (its asset names change with each build); assets
    // are named by their content hash, so they never change under one name.
    const send = embedded(file.path, file.headers, isPage ? "no-cache" : "public, max-age=31536000, immutable");
    const route = { GET: send, HEAD: send };
    if (isPage) for (const path of UI_PATHS) routes[path] = route;
    else routes[`/${file.path.slice(file.path.lastIndexOf("/") + 1)}`] = route;
  }
  return routes;
}

/** One embedded file: its bytes and Bun's etag, the security headers, 304 on a matching If-None-Match. */
function embedded(path: string, headers: { "content-type": string; etag: string }, cacheControl: string): Send {
  const etag = `"${headers.etag}"`;
  return (request) => {
    const common = {
      etag,
      "cache-control": cacheControl,
      "x-request-id": crypto.randomUUID(),
      ...SECURITY_HEADERS,
      "content-security-policy": "frame-ancestors 'none'",
    };
    if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: common });
    return new Response(Bun.file(path), { headers: { ...common, "content-type": headers["content-type"] } });
  };
}
