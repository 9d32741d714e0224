/**
 * The web app's page routes for `Bun.serve({ routes })` (server side; not bundled into the page).
 *
 * `index.html` is a Bun HTML import: Bun bundles and minifies its TypeScript and CSS (at
 * `bun build --compile` time for the binary, on first request when run from source) and
 * serves the hashed assets itself. HTML-import routes exist only in a real `Bun.serve`,
 * so the Elysia app keeps everything else (API, /docs, /healthz, /auth/verify) in `fetch`.
 * The client-side router (router.ts) must know the same paths.
 */
import index from "./index.html";

/** Every path the single-page app answers with its page; deep links land here too. */
export const UI_PATHS = ["/", "/signin", "/setup", "/tools", "/settings", "/settings/webhooks", "/activity", "/search", "/import", "/subnets/*", "/folders/*"] as const;

export function uiRoutes(): Record<string, typeof index> {
  return Object.fromEntries(UI_PATHS.map((path) => [path, index]));
}
