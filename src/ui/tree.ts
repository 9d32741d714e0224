/**
 * The sidebar tree: "Unfiled" first, then the folders (the API's sections), each with its
 * subnets; a filter box above. It scales to thousands of subnets by drawing (and fetching)
 * only what is open: folders start open (up to OPEN_FOLDERS_UP_TO of them), subnets start
 * closed, and opening one fetches its children (`parent_id=`) once, from the cache in
 * subnet-cache.ts.
 *
 * Where a subnet is drawn (each subnet once):
 *   - a folder's top rows are its filed subnets whose parent is not filed in it
 *     (10.2.0.0/16 in "Branch Berlin" is a top row there although its parent 10.0.0.0/8 is
 *     unfiled); the API lists parents before children, so a page decides that exactly for
 *     the subnets on it. Only the folder's first page (FOLDER_PAGE) is fetched; a folder
 *     with more ends in a link to its page, which lists them all;
 *   - under a subnet drawn in folder F go its unfiled children, plus its children filed in F
 *     when the subnet itself is filed in F (children filed elsewhere are in their folder);
 *   - "Unfiled" lists the unfiled subnets with no parent.
 */
import { messageOf, withQuery, api } from "./api";
import { h, mount } from "./dom";
import { icon } from "./icons";
import { forget, knownSections, loadList, loadMore, loadSections, onChange, type CachedList } from "./subnet-cache";
import type { List, Section, Subnet } from "./types";
import { utilBar } from "./util-bar";
import { vrfTag } from "./vrf-label";

let container: HTMLElement | null = null;
let treeEl: HTMLElement | null = null;
let currentId: string | null = null;
let filterText = "";
let listening = false;
/** Open/closed as the user left it; absent means the default (folders open, subnets closed). */
const openState = new Map<string, boolean>();
/**
 * Folders start open when there are at most this many; more start closed too (each open
 * folder is a request, and twenty open folders do not fit a screen anyway). Measured in
 * bench/ui-pages.ts: 20 open folders made every page wait for 20 lists.
 */
const OPEN_FOLDERS_UP_TO = 8;
let folderCount = 0;

/** The folders as last loaded, for menus (subnets are no longer all loaded). */
export function treeData(): { sections: Section[]; subnets: Subnet[] } {
  return { sections: knownSections(), subnets: [] };
}

/** Attaches the tree (with its filter box) to its sidebar element and draws it. */
export function attachTree(el: HTMLElement): Promise<void> {
  container = el;
  const filter = h("input", {
    type: "search",
    id: "tree-filter",
    class: "tree-filter",
    placeholder: "Filter subnets and folders",
    autocomplete: "off",
    "aria-label": "Filter subnets and folders",
    "aria-controls": "tree",
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      filterText = filter.value.trim();
      void redraw();
    }, 200);
  });
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && filter.value) {
      event.preventDefault();
      event.stopPropagation();
      filter.value = "";
      filterText = "";
      void redraw();
    }
  });
  treeEl = h("div", { id: "tree" });
  mount(el, filter, treeEl);
  if (!listening) onChange(() => void redraw()); // once: a new sign-in re-attaches, not re-listens
  listening = true;
  return redraw();
}

/**
 * After creating a folder or a subnet where the caller does not know what it touched: the
 * folder list and every loaded list are fetched again (only the open ones are drawn).
 */
export function refreshTree(): Promise<void> {
  forget({ folderList: true, roots: true, sections: knownSections().map((s) => s.id) });
  return loading;
}

let loading: Promise<void> = Promise.resolve();
let generation = 0;
/** Resolves when the latest drawing is done. */
export function treeReady(): Promise<void> {
  return loading;
}

function redraw(): Promise<void> {
  const mine = ++generation;
  loading = (async () => {
    if (!treeEl) return;
    try {
      const content = filterText ? await filtered(filterText) : await fullTree();
      if (mine !== generation) return;
      const focused = document.activeElement && treeEl.contains(document.activeElement) ? keyOfFocused(document.activeElement) : null;
      mount(treeEl, content);
      markCurrent(currentId);
      if (focused) treeEl.querySelector<HTMLElement>(focused)?.focus();
    } catch (error) {
      if (mine === generation) mount(treeEl, h("p", { class: "error", role: "alert" }, messageOf(error)));
    }
  })();
  return loading;
}

function keyOfFocused(el: Element): string | null {
  const key = el.getAttribute("data-key");
  if (key) return `[data-key="${CSS.escape(key)}"]`;
  const id = el.getAttribute("data-subnet-id") ?? el.getAttribute("data-section-id");
  return id ? `a[data-subnet-id="${CSS.escape(id)}"], a[data-section-id="${CSS.escape(id)}"]` : null;
}

/**
 * Opens the tree down to `subnet` (when a page shows a subnet the sidebar has folded away):
 * its ancestors come in one request (`contains=` its network), and the folder each is drawn
 * in follows the placement rules above.
 */
export async function reveal(subnet: Subnet): Promise<void> {
  await loading;
  if (!treeEl || filterText || treeEl.querySelector(`a[data-subnet-id="${CSS.escape(subnet.id)}"]`)) return;
  const chain = await api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { contains: subnet.network, vrf: subnet.vrf, limit: 200 }));
  const byId = new Map(chain.items.map((s) => [s.id, s]));
  const parentOf = (s: Subnet) => (s.parent_id ? byId.get(s.parent_id) : undefined);
  const drawnIn = new Map<string, string | null>();
  /** Drawn under its parent (rather than as a top row of its own folder). */
  const underParent = (s: Subnet): boolean => {
    const parent = parentOf(s);
    if (!parent) return false;
    const parentFolder = folderOf(parent);
    return s.section_id === null || (s.section_id === parentFolder && parent.section_id === parentFolder);
  };
  const folderOf = (s: Subnet): string | null => {
    let folder = drawnIn.get(s.id);
    if (folder === undefined) drawnIn.set(s.id, (folder = underParent(s) ? folderOf(parentOf(s)!) : s.section_id));
    return folder;
  };
  let changedState = false;
  for (let below = subnet; underParent(below); below = parentOf(below)!) {
    const at = parentOf(below)!;
    const key = `subnet:${at.id}:${folderOf(at) ?? ""}`;
    if (openState.get(key) !== true) (openState.set(key, true), (changedState = true));
  }
  const folderKey = folderOf(subnet) ? `folder:${folderOf(subnet)}` : "unfiled";
  if (openState.get(folderKey) === false) (openState.set(folderKey, true), (changedState = true));
  if (changedState) await redraw();
}

/** Highlights the subnet (or folder) being viewed. */
export function markCurrent(id: string | null): void {
  currentId = id;
  if (!treeEl) return;
  for (const link of treeEl.querySelectorAll("a[aria-current]")) link.removeAttribute("aria-current");
  if (id) treeEl.querySelector(`a[data-subnet-id="${CSS.escape(id)}"], a[data-section-id="${CSS.escape(id)}"]`)?.setAttribute("aria-current", "page");
}

async function fullTree(): Promise<HTMLElement> {
  const sections = await loadSections();
  folderCount = sections.length;
  let items: HTMLElement[];
  if (sections.length === 0) {
    // No folders at all: the unfiled subnets are the tree's own rows.
    const list = await loadList("roots");
    items = [...(await subnetItems(list.items.filter((s) => s.section_id === null), null)), ...moreButton("roots", list)];
  } else {
    items = (await Promise.all([folderNode(null), ...sections.map((s) => folderNode(s))])).filter((x): x is HTMLElement => x !== null);
  }
  if (!items.length) return h("p", { class: "muted" }, "No folders or subnets yet.");
  return h("ul", { class: "tree", "aria-label": "Folders and subnets" }, items);
}

/** A folder (or "Unfiled" when `section` is null) with its top rows when open. */
async function folderNode(section: Section | null): Promise<HTMLElement | null> {
  const key = section ? `folder:${section.id}` : "unfiled";
  const name = section ? section.name : "Unfiled";
  // Unfiled has no count to go by: its list (the roots) is always loaded.
  const empty = section ? section.subnet_count === 0 : false;
  const open = openState.get(key) ?? (!section || folderCount <= OPEN_FOLDERS_UP_TO);
  let kids: HTMLElement[] = [];
  if (!empty && (open || !section)) {
    const listKey = section ? `folder:${section.id}` : "roots";
    const list = await loadList(listKey);
    const rows = section ? topRows(list.items) : list.items.filter((s) => s.section_id === null);
    if (!section && rows.length === 0 && !list.next) return null;
    if (open) kids = [...(await subnetItems(rows, section?.id ?? null)), ...(section ? folderMore(section, list) : moreButton(listKey, list))];
  }
  const head = section
    ? h("a", { href: `/folders/${section.id}`, class: "folder", "data-section-id": section.id }, icon("folder"), h("span", { class: "name" }, name), h("span", { class: "count muted" }, String(section.subnet_count)))
    : h("span", { class: "folder" }, icon("folder"), h("span", { class: "name" }, name));
  return node(key, name, !empty, open, [head], kids, "folder-item");
}

function topRows(items: Subnet[]): Subnet[] {
  const here = new Set(items.map((s) => s.id));
  return items.filter((s) => !s.parent_id || !here.has(s.parent_id));
}

function subnetItems(subnets: Subnet[], folder: string | null): Promise<HTMLElement[]> {
  return Promise.all(subnets.map((s) => subnetNode(s, folder)));
}

async function subnetNode(subnet: Subnet, folder: string | null): Promise<HTMLElement> {
  const key = `subnet:${subnet.id}:${folder ?? ""}`;
  // `in_children` (usable addresses in child subnets) says "no children" without a request
  // when the server sends it; otherwise the twisty is offered and opening finds out.
  const inChildren = (subnet.utilization as { in_children?: string }).in_children;
  const leaf = inChildren === "0";
  const open = openState.get(key) ?? false;
  let kids: HTMLElement[] = [];
  const expandable = !leaf && !(subnet.family === 4 ? subnet.prefix_length >= 31 : subnet.prefix_length >= 127);
  if (open && expandable) {
    const listKey = `kids:${subnet.id}`;
    const list = await loadList(listKey);
    const shown = list.items.filter((k) => k.section_id === null || (k.section_id === folder && subnet.section_id === folder));
    kids = [...(await subnetItems(shown, folder)), ...moreButton(listKey, list)];
    if (!kids.length) kids = [h("li", { class: "muted tree-note" }, "No child subnets here")];
  }
  const row = [
    h(
      "a",
      { href: `/subnets/${subnet.id}`, class: "subnet-link", "data-subnet-id": subnet.id, "data-cidr": subnet.cidr },
      h("span", { class: "cidr" }, subnet.cidr),
      vrfTag(subnet),
      subnet.name ? h("span", { class: "name" }, subnet.name) : null,
    ),
    utilBar(subnet.utilization),
  ];
  return node(key, `${subnet.cidr}${subnet.name ? ` ${subnet.name}` : ""}`, expandable, open, row, kids);
}

/** A folder drawn from its first page: the rest is on the folder's page. */
function folderMore(section: Section, list: CachedList): HTMLElement[] {
  if (!list.next) return [];
  return [h("li", { class: "tree-more" }, h("a", { href: `/folders/${section.id}`, "data-key": `more:folder:${section.id}` }, `All ${list.total.toLocaleString("en-US")} subnets of ${section.name}`))];
}

function moreButton(listKey: string, list: CachedList): HTMLElement[] {
  if (!list.next) return [];
  return [
    h(
      "li",
      { class: "tree-more" },
      h(
        "button",
        {
          type: "button",
          class: "link-button",
          "data-key": `more:${listKey}`,
          onclick: async () => {
            await loadMore(listKey);
            await redraw();
          },
        },
        `Load more (${list.total - list.items.length} more)`,
      ),
    ),
  ];
}

function node(key: string, label: string, expandable: boolean, open: boolean, row: (Node | null)[], kids: HTMLElement[], cls = ""): HTMLElement {
  const list = open && kids.length ? h("ul", null, kids) : null;
  const twisty = expandable
    ? h(
        "button",
        {
          type: "button",
          class: "twisty",
          "data-key": key,
          "aria-expanded": String(open),
          "aria-label": `${open ? "Collapse" : "Expand"} ${label}`,
          onclick: () => {
            openState.set(key, !open);
            void redraw();
          },
        },
        icon("chevron"),
      )
    : h("span", { class: "twisty-space" });
  return h("li", { class: cls || null }, h("div", { class: "node" }, twisty, row), list);
}

/** The filter's answer: matching folders (by name) and subnets (cidr, name, description, by the API), flat. */
async function filtered(text: string): Promise<HTMLElement> {
  const sections = await loadSections();
  const lower = text.toLowerCase();
  const folders = sections.filter((s) => s.name.toLowerCase().includes(lower));
  const page = await api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { q: text, limit: 50 }));
  const names = new Map(sections.map((s) => [s.id, s.name]));
  const items = [
    ...folders.map((s) =>
      h("li", null, h("div", { class: "node" }, h("span", { class: "twisty-space" }), h("a", { href: `/folders/${s.id}`, class: "folder", "data-section-id": s.id }, icon("folder"), h("span", { class: "name" }, s.name)))),
    ),
    ...page.items.map((s) =>
      h(
        "li",
        null,
        h(
          "div",
          { class: "node" },
          h("span", { class: "twisty-space" }),
          h(
            "a",
            { href: `/subnets/${s.id}`, class: "subnet-link", "data-subnet-id": s.id, "data-cidr": s.cidr },
            h("span", { class: "cidr" }, s.cidr),
            s.name ? h("span", { class: "name" }, s.name) : null,
            s.section_id ? h("span", { class: "muted" }, names.get(s.section_id) ?? "") : null,
          ),
          utilBar(s.utilization),
        ),
      ),
    ),
  ];
  const more = page.total > page.items.length ? h("p", { class: "muted tree-note" }, `${page.total - page.items.length} more: refine the filter.`) : null;
  if (!items.length) return h("p", { class: "muted", role: "status" }, `Nothing matches “${text}”.`);
  return h("div", null, h("ul", { class: "tree", "aria-label": "Filtered folders and subnets" }, items), more);
}
