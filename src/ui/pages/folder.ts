/**
 * `/folders/:id`: a folder (the API's section) and every subnet filed in it, wherever their
 * parents live — nested under each other when they are, with the parent named when it lies
 * outside the folder. New subnet (filed here), Edit and Delete.
 */
import { api, listAll, messageOf } from "../api";
import { newSubnetDialog } from "../create-dialogs";
import { h, mount, stackable } from "../dom";
import { deleteFolder, editFolderDialog } from "../folder-actions";
import { plural } from "../format";
import { icon } from "../icons";
import { navigate } from "../router";
import { forget, subnetsByIds } from "../subnet-cache";
import { markCurrent } from "../tree";
import type { Section, Subnet } from "../types";
import { utilBar } from "../util-bar";

export async function folderPage(container: HTMLElement, id: string): Promise<void> {
  markCurrent(id);
  let section: Section;
  let subnets: Subnet[];
  try {
    [section, subnets] = await Promise.all([api<Section>("GET", `/api/v1/sections/${id}`), listAll<Subnet>("/api/v1/subnets", { section_id: id })]);
  } catch (failure) {
    document.title = "Folder · IPCraft";
    mount(container, h("h1", { tabindex: "-1" }, "Folder"), h("p", { class: "error", role: "alert" }, messageOf(failure)));
    return;
  }
  document.title = `${section.name} · IPCraft`;
  // The parents that lie outside the folder, for "Inside" (a few GETs, cached).
  const outside = await subnetsByIds(subnets.flatMap((s) => (s.parent_id && !subnets.some((o) => o.id === s.parent_id) ? [s.parent_id] : [])));
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
        h("p", { class: "subtitle" }, [section.description, plural(subnets.length, "subnet")].filter(Boolean).join(" · ")),
      ),
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
    subnets.length
      ? h("div", { class: "table-wrap" }, subnetTable(subnets, outside))
      : h("p", { class: "muted" }, "No subnets in this folder yet. Create one here, or choose this folder when editing a subnet."),
  );
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
