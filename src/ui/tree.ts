/**
 * The sidebar tree: folders (the API's sections) → subnets nested by `parent_id`, each row
 * with its CIDR, name and utilization bar. Every subnet is drawn once, in its folder, wherever
 * its parent lives (see `placeSubnets`); a folder's name opens its page (/folders/:id).
 */
import { listAll, messageOf } from "./api";
import { h, mount } from "./dom";
import { icon } from "./icons";
import type { Section, Subnet } from "./types";
import { utilBar } from "./util-bar";
import { vrfTag } from "./vrf-label";

export interface TreeData {
  sections: Section[];
  subnets: Subnet[];
}

let data: TreeData = { sections: [], subnets: [] };
let container: HTMLElement | null = null;
let currentId: string | null = null;
/** Nodes the user folded; everything starts unfolded. */
const collapsed = new Set<string>();

export function treeData(): TreeData {
  return data;
}

/** Attaches the tree to its sidebar element and loads it. */
export function attachTree(el: HTMLElement): Promise<void> {
  container = el;
  return refreshTree();
}

/** Reloads sections and subnets (after any write that changes them) and redraws. */
export function refreshTree(): Promise<void> {
  loading = load();
  return loading;
}

let loading: Promise<void> = Promise.resolve();
/** Resolves when the latest load (started by attachTree or refreshTree) is done. */
export function treeReady(): Promise<void> {
  return loading;
}

async function load(): Promise<void> {
  if (!container) return;
  try {
    const [sections, subnets] = await Promise.all([listAll<Section>("/api/v1/sections"), listAll<Subnet>("/api/v1/subnets")]);
    data = { sections, subnets };
    draw();
  } catch (error) {
    mount(container, h("p", { class: "error", role: "alert" }, messageOf(error)));
  }
}

/** Highlights the subnet (or folder) being viewed. */
export function markCurrent(id: string | null): void {
  currentId = id;
  if (!container) return;
  for (const link of container.querySelectorAll("a[aria-current]")) link.removeAttribute("aria-current");
  if (id) container.querySelector(`a[data-subnet-id="${CSS.escape(id)}"], a[data-section-id="${CSS.escape(id)}"]`)?.setAttribute("aria-current", "page");
}

/**
 * Where each subnet is drawn:
 *
 *   - a filed subnet goes in its folder: under its parent when the parent is drawn in the
 *     same folder, else as one of the folder's top rows (10.2.0.0/16 in "Branch Berlin" is a
 *     top row there even though its parent 10.0.0.0/8 is unfiled);
 *   - an unfiled subnet stays under its parent, whatever folder that is drawn in (a /24
 *     added under Berlin's /16 without choosing a folder appears there), and with no parent
 *     it is a top row of "Unfiled".
 *
 * Parents sort before their children in the API's order (same network, shorter prefix
 * first), so one pass decides every subnet after its parent.
 */
export function placeSubnets(sections: Section[], subnets: Subnet[]): { children: Map<string, Subnet[]>; roots: Map<string | null, Subnet[]> } {
  const known = new Set(sections.map((s) => s.id));
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const folderOf = new Map<string, string | null>();
  const folder = (s: Subnet): string | null => {
    const cached = folderOf.get(s.id);
    if (cached !== undefined) return cached;
    const parent = s.parent_id ? byId.get(s.parent_id) : undefined;
    const own = s.section_id && known.has(s.section_id) ? s.section_id : null;
    const placed = own ?? (parent ? folder(parent) : null);
    folderOf.set(s.id, placed);
    return placed;
  };
  const children = new Map<string, Subnet[]>();
  const roots = new Map<string | null, Subnet[]>();
  for (const subnet of subnets) {
    const parent = subnet.parent_id ? byId.get(subnet.parent_id) : undefined;
    if (parent && folder(parent) === folder(subnet)) push(children, parent.id, subnet);
    else push(roots, folder(subnet), subnet);
  }
  return { children, roots };
}

function draw(): void {
  if (!container) return;
  const { children, roots } = placeSubnets(data.sections, data.subnets);
  const subnetItem = (subnet: Subnet): HTMLElement => {
    const kids = children.get(subnet.id) ?? [];
    return node(subnet.id, `${subnet.cidr}${subnet.name ? ` ${subnet.name}` : ""}`, kids.length > 0, [
      h(
        "a",
        { href: `/subnets/${subnet.id}`, class: "subnet-link", "data-subnet-id": subnet.id, "data-cidr": subnet.cidr },
        h("span", { class: "cidr" }, subnet.cidr),
        vrfTag(subnet),
        subnet.name ? h("span", { class: "name" }, subnet.name) : null,
      ),
      utilBar(subnet.utilization),
    ], kids.map(subnetItem));
  };
  const folders = data.sections.map((section) =>
    node(`section:${section.id}`, section.name, true, [
      h("a", { href: `/folders/${section.id}`, class: "folder", "data-section-id": section.id }, icon("folder"), h("span", { class: "name" }, section.name)),
    ], (roots.get(section.id) ?? []).map(subnetItem), "folder-item"),
  );
  const unfiled = roots.get(null) ?? [];
  const unfiledItems =
    data.sections.length === 0
      ? unfiled.map(subnetItem)
      : unfiled.length
        ? [node("section:none", "Unfiled", true, [h("span", { class: "folder" }, icon("folder"), h("span", { class: "name" }, "Unfiled"))], unfiled.map(subnetItem), "folder-item")]
        : [];
  const empty = data.subnets.length === 0 && data.sections.length === 0 ? h("p", { class: "muted" }, "No folders or subnets yet.") : null;
  mount(container, empty, h("ul", { class: "tree", "aria-label": "Folders and subnets" }, folders, unfiledItems));
  markCurrent(currentId);
}

function node(key: string, label: string, expandable: boolean, row: (Node | null)[], kids: HTMLElement[], cls = ""): HTMLElement {
  const open = !collapsed.has(key);
  const list = kids.length ? h("ul", { hidden: !open }, kids) : null;
  const twisty =
    expandable && kids.length
      ? h(
          "button",
          {
            type: "button",
            class: "twisty",
            "aria-expanded": String(open),
            "aria-label": `${open ? "Collapse" : "Expand"} ${label}`,
            onclick: (event: MouseEvent) => {
              const button = event.currentTarget as HTMLButtonElement;
              const nowOpen = button.getAttribute("aria-expanded") !== "true";
              button.setAttribute("aria-expanded", String(nowOpen));
              button.setAttribute("aria-label", `${nowOpen ? "Collapse" : "Expand"} ${label}`);
              if (list) list.hidden = !nowOpen;
              if (nowOpen) collapsed.delete(key);
              else collapsed.add(key);
            },
          },
          icon("chevron"),
        )
      : h("span", { class: "twisty-space" });
  return h("li", { class: cls || null }, h("div", { class: "node" }, twisty, row), list);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
