/**
 * The sidebar tree: sections (folders) → subnets nested by `parent_id`, each row with its
 * CIDR, name and utilization bar. A child is drawn under its parent even when it is filed in
 * another folder, so the hierarchy is never broken; roots go under their folder or "Unfiled".
 */
import { listAll, messageOf } from "./api";
import { h, mount } from "./dom";
import { icon } from "./icons";
import type { Section, Subnet } from "./types";
import { utilBar } from "./util-bar";

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

/** Highlights the subnet being viewed. */
export function markCurrent(id: string | null): void {
  currentId = id;
  if (!container) return;
  for (const link of container.querySelectorAll("a[aria-current]")) link.removeAttribute("aria-current");
  if (id) container.querySelector(`a[data-subnet-id="${CSS.escape(id)}"]`)?.setAttribute("aria-current", "page");
}

function draw(): void {
  if (!container) return;
  const byId = new Map(data.subnets.map((s) => [s.id, s]));
  const children = new Map<string, Subnet[]>();
  const rootsBySection = new Map<string | null, Subnet[]>();
  for (const subnet of data.subnets) {
    if (subnet.parent_id && byId.has(subnet.parent_id)) push(children, subnet.parent_id, subnet);
    else push(rootsBySection, subnet.section_id && data.sections.some((s) => s.id === subnet.section_id) ? subnet.section_id : null, subnet);
  }
  const subnetItem = (subnet: Subnet): HTMLElement => {
    const kids = children.get(subnet.id) ?? [];
    return node(subnet.id, `${subnet.cidr}${subnet.name ? ` ${subnet.name}` : ""}`, kids.length > 0, [
      h(
        "a",
        { href: `/subnets/${subnet.id}`, class: "subnet-link", "data-subnet-id": subnet.id, "data-cidr": subnet.cidr },
        h("span", { class: "cidr" }, subnet.cidr),
        subnet.name ? h("span", { class: "name" }, subnet.name) : null,
      ),
      utilBar(subnet.utilization),
    ], kids.map(subnetItem));
  };
  const folders = data.sections.map((section) =>
    node(`section:${section.id}`, section.name, true, [
      h("span", { class: "folder", "data-section-id": section.id }, icon("folder"), h("span", { class: "name" }, section.name)),
    ], (rootsBySection.get(section.id) ?? []).map(subnetItem), "folder-item"),
  );
  const unfiled = rootsBySection.get(null) ?? [];
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
