/**
 * The signed-in layout: a top bar (brand, search, main navigation, sign out), the sidebar
 * tree and the main region. Built once per sign-in; pages render into `main`.
 * Below 800 px the sidebar becomes a panel opened by the menu button.
 */
import { forWriters } from "./access";
import { api } from "./api";
import { newSectionDialog, newSubnetDialog } from "./create-dialogs";
import { h } from "./dom";
import { icon } from "./icons";
import { navigate } from "./router";
import { resetCache } from "./subnet-cache";
import { attachTree } from "./tree";
import type { Me } from "./types";

export interface Shell {
  root: HTMLElement;
  main: HTMLElement;
  setPath(path: string): void;
  closeNav(): void;
}

let current: Shell | null = null;

export function shellFor(app: HTMLElement, me: Me): Shell {
  if (current && current.root.isConnected) return current;
  const sidebarId = "sidebar";
  const navToggle = h(
    "button",
    { type: "button", class: "nav-toggle icon-button", "aria-expanded": "false", "aria-controls": sidebarId, "aria-label": "Show subnets" },
    icon("menu"),
  );
  const search = h("input", {
    type: "search",
    name: "q",
    id: "global-search",
    placeholder: "Search IP, hostname, owner, MAC",
    autocomplete: "off",
    "aria-keyshortcuts": "/",
    title: "Search (press / to jump here)",
  });
  const searchForm = h(
    "form",
    {
      role: "search",
      class: "search",
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        const q = search.value.trim();
        if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
      },
    },
    h("label", { for: "global-search", class: "sr-only" }, "Search addresses"),
    icon("search"),
    search,
  );
  const links: [string, string][] = [
    ["/", "Overview"],
    ["/activity", "Activity"],
    ["/tools", "Tools"],
    ["/settings", "Settings"],
  ];
  const nav = h(
    "nav",
    { class: "main-nav", "aria-label": "Main" },
    links.map(([href, label]) => h("a", { href }, label)),
    h("a", { href: "/docs" }, "API docs"),
  );
  const signOut = h(
    "button",
    {
      type: "button",
      class: "link-button",
      onclick: async () => {
        try {
          await api("POST", "/api/v1/auth/logout");
        } finally {
          current = null;
          resetCache();
          location.assign("/signin");
        }
      },
    },
    "Sign out",
  );
  const header = h(
    "header",
    { class: "topbar" },
    navToggle,
    h("a", { href: "/", class: "brand" }, icon("network"), "IPCraft"),
    searchForm,
    nav,
    h(
      "div",
      { class: "who" },
      // A viewer's pages have no write buttons: say why, once, where the account is shown.
      me.scope === "read" ? h("span", { class: "badge read-only", title: "Your role (viewer) can look everything up but not change it" }, "read only") : null,
      h("span", { class: "email", title: `${me.organization.name} · ${me.user.role}` }, me.user.email),
      signOut,
    ),
  );
  const treeEl = h("div", { class: "tree-holder" });
  const sidebar = h(
    "aside",
    { id: sidebarId, class: "sidebar", "aria-label": "Subnets" },
    h(
      "div",
      { class: "sidebar-head" },
      h("h2", null, "Subnets"),
      forWriters(h("button", { type: "button", class: "icon-button", "aria-label": "New folder", title: "New folder", onclick: () => newSectionDialog() }, icon("folder"))),
      forWriters(h("button", { type: "button", class: "icon-button", "aria-label": "New subnet", title: "New subnet", onclick: () => newSubnetDialog() }, icon("plus"))),
    ),
    treeEl,
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  const layout = h("div", { class: "layout" }, sidebar, main);
  const root = h("div", { class: "app" }, h("a", { href: "#main", class: "skip" }, "Skip to content"), header, layout);
  const closeNav = () => {
    root.classList.remove("nav-open");
    navToggle.setAttribute("aria-expanded", "false");
    navToggle.setAttribute("aria-label", "Show subnets");
  };
  navToggle.addEventListener("click", () => {
    const open = !root.classList.contains("nav-open");
    root.classList.toggle("nav-open", open);
    navToggle.setAttribute("aria-expanded", String(open));
    navToggle.setAttribute("aria-label", open ? "Hide subnets" : "Show subnets");
    if (open) sidebar.querySelector<HTMLElement>("a, button")?.focus();
  });
  sidebar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && root.classList.contains("nav-open")) {
      closeNav();
      navToggle.focus();
    }
  });
  // The narrow-screen panel closes when the dimmed page behind it is tapped (the backdrop is
  // the layout's ::after) or when Tab leaves it, so focus never wanders behind the panel.
  layout.addEventListener("click", (event) => {
    if (event.target === layout && root.classList.contains("nav-open")) closeNav();
  });
  sidebar.addEventListener("focusout", (event) => {
    const to = event.relatedTarget as Element | null;
    if (!root.classList.contains("nav-open") || !to || sidebar.contains(to) || to.closest("dialog")) return;
    closeNav();
  });
  app.replaceChildren(root);
  void attachTree(treeEl);
  current = {
    root,
    main,
    closeNav,
    setPath(path) {
      for (const link of nav.querySelectorAll("a")) {
        const href = link.getAttribute("href")!;
        const active = href === "/" ? path === "/" : path.startsWith(href);
        if (active) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      if (path.startsWith("/search")) search.value = new URLSearchParams(location.search).get("q") ?? "";
    },
  };
  return current;
}

/** True when a keystroke belongs to what has focus: a text field, a select, editable text. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/**
 * `/` jumps to the search box (as on GitHub and most web apps), unless the user is typing
 * in a field or a dialog is open. Installed once; finds the box when the key is pressed,
 * so a rebuilt layout (after signing in again) needs nothing new.
 */
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (typingIn(event.target) || document.querySelector("dialog[open]")) return;
  const box = document.getElementById("global-search") as HTMLInputElement | null;
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

/** Forgets the layout (after sign out or an ended session). */
export function dropShell(): void {
  current = null;
  resetCache();
}
