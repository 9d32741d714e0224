/**
 * `/folders/:id`: a folder (the API's section) and the subnets filed in it, wherever their
 * parents live — nested under each other when they are, with the parent named when it lies
 * outside the folder. New subnet (filed here), Edit and Delete. A page of PAGE subnets at a
 * time ("Show more" fetches the next by the API's cursor): a folder of thousands opens as
 * fast as a small one.
 */
import { forWriters } from "../access";
import { api, messageOf, withQuery } from "../api";
import { newSubnetDialog } from "../create-dialogs";
import { h, mount, stackable } from "../dom";
import { deleteFolder, editFolderDialog } from "../folder-actions";
import { count, plural } from "../format";
import { icon } from "../icons";
import { navigate } from "../router";
import { forget, subnetsByIds } from "../subnet-cache";
import { markCurrent } from "../tree";
import type { List, Section, Subnet } from "../types";
import { utilBar } from "../util-bar";

export async function folderPage(container: HTMLElement, id: string): Promise<void> {
  markCurrent(id);
  let section: Section;
  let first: List<Subnet>;
  try {
    [section, first] = await Promise.all([api<Section>("GET", `/api/v1/sections/${id}`), api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { section_id: id, limit: PAGE }))]);
  } catch (failure) {
    document.title = "Folder · IPCraft";
    mount(container, h("h1", { tabindex: "-1" }, "Folder"), h("p", { class: "error", role: "alert" }, messageOf(failure)));
    return;
  }
  document.title = `${section.name} · IPCraft`;
  const subnets = first.items;
  const changed = async () => {
    forget({ folderList: true });
    if (container.isConnected) await folderPage(container, id);
  };
  mount(
    container,
    h(
      "div",
      { class: "page-head" },
      h(
        "div",
        null,
        h("h1", { tabindex: "-1" }, icon("folder"), " ", section.name),
        h("p", { class: "subtitle" }, [section.description, plural(first.total, "subnet")].filter(Boolean).join(" · ")),
      ),
      forWriters(
        h(
          "div",
          { class: "toolbar" },
          h("button", { type: "button", class: "primary", "data-focus": "new-subnet", onclick: () => newSubnetDialog({ sectionId: section.id }) }, icon("plus"), "New subnet"),
          h("button", { type: "button", "data-focus": "edit", onclick: () => editFolderDialog(section, changed) }, icon("edit"), "Edit"),
          h(
            "button",
            {
              type: "button",
              class: "danger",
              "data-focus": "delete",
              onclick: async () => {
                if (!(await deleteFolder(section))) return;
                forget({ folderList: true, sections: [section.id], roots: true });
                navigate("/");
              },
            },
            icon("trash"),
            "Delete",
          ),
        ),
      ),
    ),
    subnets.length
      ? pagedTable(id, first)
      : h("p", { class: "muted" }, "No subnets in this folder yet. Create one here, or choose this folder when editing a subnet."),
  );
}

const PAGE = 100;

/** The parents that lie outside the folder, for "Inside" (a few GETs, cached). */
function outsideParents(page: Subnet[], loaded: Subnet[]): Promise<Map<string, Subnet>> {
  const here = new Set(loaded.map((s) => s.id));
  return subnetsByIds([...new Set(page.flatMap((s) => (s.parent_id && !here.has(s.parent_id) ? [s.parent_id] : [])))]);
}

/** The first page's table; "Show more" appends the next page's rows (the API's order keeps parents first). */
function pagedTable(folderId: string, first: List<Subnet>): HTMLElement {
  const loaded = [...first.items];
  const outside = new Map<string, Subnet>();
  let table = subnetTable(loaded, outside);
  const redraw = () => {
    const fresh = subnetTable(loaded, outside);
    table.replaceWith(fresh);
    table = fresh;
  };
  // "Inside" and the indentation under outside parents follow once those arrive: the page is
  // drawn (and usable) without waiting for them.
  void outsideParents(loaded, loaded).then((found) => {
    if (found.size === 0) return;
    for (const [k, v] of found) outside.set(k, v);
    const focused = table.contains(document.activeElement) ? (document.activeElement as HTMLElement).getAttribute("data-cidr") : null;
    redraw();
    if (focused) table.querySelector<HTMLElement>(`a[data-cidr="${CSS.escape(focused)}"]`)?.focus();
  }, () => {});
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: !first.next_cursor }, "Show more");
  let cursor = first.next_cursor;
  const shown = () => (status.textContent = cursor ? `Showing ${count(loaded.length)} of ${count(first.total)}` : "");
  shown();
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { section_id: folderId, limit: PAGE, cursor }));
      const firstNew = loaded.length;
      loaded.push(...page.items);
      for (const [k, v] of await outsideParents(page.items, loaded)) outside.set(k, v);
      redraw();
      cursor = page.next_cursor;
      more.hidden = !cursor;
      shown();
      // Keyboard: focus moves to the first new subnet, not back to the top.
      table.querySelectorAll<HTMLElement>("tbody tr a[data-cidr]")[firstNew]?.focus();
    } catch (failure) {
      status.textContent = messageOf(failure);
    } finally {
      more.disabled = false;
    }
  });
  return h("div", null, h("div", { class: "table-wrap" }, table), status, more);
}

/**
 * The folder's subnets in the API's order (parents before children), each indented by how
 * many of its ancestors are in this folder too; "Inside" names a parent outside the folder.
 */
function subnetTable(subnets: Subnet[], outsiders: Map<string, Subnet>): HTMLTableElement {
  const here = new Map(subnets.map((s) => [s.id, s]));
  const all = new Map([...outsiders, ...here]);
  const depth = (s: Subnet): number => {
    let d = 0;
    for (let p = s.parent_id ? all.get(s.parent_id) : undefined; p; p = p.parent_id ? all.get(p.parent_id) : undefined) if (here.has(p.id)) d++;
    return d;
  };
  const vrfs = new Set(subnets.map((s) => s.vrf));
  return stackable(
    h(
      "table",
      { class: "folder-subnets" },
      h("thead", null, h("tr", null, ["Subnet", "Name", "VRF", "VLAN", "Inside", "Used"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        null,
        subnets.map((s) => {
          const parent = s.parent_id ? all.get(s.parent_id) : undefined;
          const outside = parent && !here.has(parent.id) ? parent : undefined;
          const cell = h("td", { class: "cidr-cell" }, h("a", { href: `/subnets/${s.id}`, "data-cidr": s.cidr }, s.cidr));
          cell.style.paddingLeft = `${0.6 + depth(s) * 1.2}rem`;
          return h(
            "tr",
            null,
            cell,
            h("td", null, s.name),
            h("td", null, vrfs.size > 1 || s.vrf !== "default" ? s.vrf : h("span", { class: "muted" }, s.vrf)),
            h("td", null, s.vlan ?? ""),
            h("td", null, outside ? h("a", { href: `/subnets/${outside.id}` }, outside.cidr) : ""),
            h("td", { class: "used" }, utilBar(s.utilization), ` ${s.utilization.percent.toFixed(2)}%`),
          );
        }),
      ),
    ),
  );
}
