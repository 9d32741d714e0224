/**
 * Client-side routing over the History API. Same-origin links (`<a href="/...">`) navigate
 * without a reload, except paths served by the server itself (/docs, /api, /auth, /healthz).
 * The server answers every path listed in serve.ts with the page, so deep links and reloads work.
 */

type Listener = () => void;
let listener: Listener = () => {};

const SERVER_PATHS = /^\/(docs|api|auth|healthz|metrics|assets)(\/|$)/;

export function onNavigate(handler: Listener): void {
  listener = handler;
  window.addEventListener("popstate", () => listener());
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.("a");
    if (!link || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}

/** Goes to `path` (pushes history unless `replace`) and renders it. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  listener();
}

/** Matches `/subnets/:id` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const re = new RegExp(`^${pattern.replace(/:([a-z_]+)/g, (_, name: string) => (names.push(name), "([^/]+)"))}/?$`);
  const m = re.exec(path);
  if (!m) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(m[i + 1]!)]));
}
