/**
 * The web app's entry: decides, for the current path, whether the visitor must sign in,
 * builds the signed-in layout once, and renders the page into a fresh container (so a slow
 * page that finishes after the user moved on writes into a detached element, never over
 * the new page).
 */
import { setAccess } from "./access";
import { api, ApiFailure, isMissingRoute, whenUnauthorized } from "./api";
import { h, mount } from "./dom";
import { activityPage } from "./pages/activity";
import { folderPage } from "./pages/folder";
import { homePage } from "./pages/home";
import { importPage } from "./pages/import";
import { searchPage } from "./pages/search";
import { setupPage } from "./pages/setup";
import { settingsPage } from "./pages/settings";
import { publicHeader, signinPage, takeDestination } from "./pages/signin";
import { subnetPage } from "./pages/subnet";
import { toolsPage } from "./pages/tools";
import { webhooksPage } from "./pages/webhooks";
import { match, navigate, onNavigate } from "./router";
import { dropShell, shellFor } from "./shell";
import type { Me } from "./types";

const app = document.getElementById("app")!;
let me: Me | null = null;
let firstRender = true;

/** Pages anyone may see. */
const PUBLIC = new Set(["/signin", "/tools", "/setup"]);

whenUnauthorized(() => {
  me = null;
  dropShell();
  if (!PUBLIC.has(location.pathname)) navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, true);
});

/**
 * Who is signed in, asked again at every page: a role or plan changed meanwhile (by an admin,
 * or `ipcraft org set-plan`) shows at the next navigation rather than after a reload — the
 * server reads the role per request, and a stale read-only app would hide rights the person
 * has. When it changed, the signed-in layout is built again.
 */
async function whoAmI(): Promise<Me | null> {
  try {
    const fresh = await api<Me>("GET", "/api/v1/auth/me");
    if (me && !sameAccess(me, fresh)) dropShell();
    me = fresh;
  } catch (failure) {
    // 401: signed out. A server without the sign-in routes still serves the public pages.
    if ((failure instanceof ApiFailure && failure.status === 401) || isMissingRoute(failure)) return null;
    throw failure;
  }
  return me;
}

/** Whether the layout built for `a` still fits `b`: same person, role, scope and organization. */
function sameAccess(a: Me, b: Me): boolean {
  return a.user.id === b.user.id && a.user.role === b.user.role && a.scope === b.scope && a.organization.plan === b.organization.plan && a.organization.name === b.organization.name;
}

async function render(): Promise<void> {
  const path = location.pathname;
  // A link inside a dialog (a history entry) leaves the dialog's page: the dialog goes too.
  for (const dialog of document.querySelectorAll("dialog[open]")) (dialog as HTMLDialogElement).close();
  const moveFocus = !firstRender;
  firstRender = false;
  let user: Me | null;
  try {
    user = path === "/signin" || path === "/setup" ? null : await whoAmI();
  } catch (failure) {
    mount(app, publicHeader(), h("main", { id: "main", class: "public-main" }, h("p", { class: "error", role: "alert" }, (failure as Error).message)));
    return;
  }
  if (!user) {
    if (path === "/tools") {
      const main = h("main", { id: "main", class: "public-main" });
      mount(app, publicHeader(), main);
      toolsPage(main);
    } else if (path === "/signin") {
      signinPage(app);
    } else if (path === "/setup") {
      setupPage(app);
    } else {
      navigate(`/signin?next=${encodeURIComponent(path + location.search)}`, true);
    }
    return;
  }
  setAccess(user);
  const shell = shellFor(app, user);
  shell.setPath(path);
  shell.closeNav();
  const page = h("div", { class: "page" });
  shell.main.replaceChildren(page);
  const subnet = match("/subnets/:id", path);
  const folder = match("/folders/:id", path);
  if (path === "/") await homePage(page, user);
  else if (subnet) await subnetPage(page, subnet.id!);
  else if (folder) await folderPage(page, folder.id!);
  else if (path === "/settings") settingsPage(page, user);
  else if (path === "/settings/webhooks") webhooksPage(page, user);
  else if (path === "/activity") await activityPage(page);
  else if (path === "/search") await searchPage(page);
  else if (path === "/tools") toolsPage(page);
  else if (path === "/import") importPage(page);
  else mount(page, h("h1", { tabindex: "-1" }, "Not found"), h("p", null, "There is no page here. ", h("a", { href: "/" }, "Go to the overview"), "."));
  if (moveFocus && page.isConnected) page.querySelector<HTMLElement>("h1")?.focus();
}

/** Signed in while on /signin (e.g. came back with a live session): go where they wanted. */
async function start(): Promise<void> {
  if (location.pathname === "/signin" && (await whoAmI().catch(() => null))) {
    const next = new URLSearchParams(location.search).get("next");
    history.replaceState(null, "", next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
  } else if (location.pathname === "/" && (await whoAmI().catch(() => null))) {
    // Just signed in by link (the verify page lands on /): continue to the deep link that sent us to sign in.
    const destination = takeDestination();
    if (destination) history.replaceState(null, "", destination);
  }
  onNavigate(() => void render());
  await render();
}

/**
 * Clickjacking guard. The page's HTML is served by Bun's bundler routes, which cannot send
 * X-Frame-Options or a CSP frame-ancestors header (and a <meta> CSP cannot forbid framing),
 * so the app refuses to run inside a frame: another site could otherwise overlay its
 * buttons (Revoke, Delete) and trick a signed-in user into clicking them.
 */
function framed(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true; // a cross-origin parent: reading window.top threw
  }
}

if (framed()) {
  mount(app, h("p", null, "IPCraft does not run inside a frame. ", h("a", { href: location.href, target: "_top" }, "Open it directly"), "."));
} else {
  void start();
}
