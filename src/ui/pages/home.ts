/** `/`: the overview — folders (each opens its page) with rename/delete, top-level subnets with utilization, and "get started". */
import { canWrite, forWriters } from "../access";
import { newSectionDialog, newSubnetDialog } from "../create-dialogs";
import { findByFocusKeys, focusIfLost, focusKeysOf, h, mount } from "../dom";
import { deleteFolder, editFolderDialog } from "../folder-actions";
import { plural } from "../format";
import { icon } from "../icons";
import { api } from "../api";
import { forget, loadList, loadSections } from "../subnet-cache";
import { markCurrent } from "../tree";
import type { List, Me, Section, Subnet } from "../types";
import { utilBar } from "../util-bar";
import { vrfTag } from "../vrf-label";

export async function homePage(container: HTMLElement, me: Me): Promise<void> {
  document.title = "Overview · IPCraft";
  markCurrent(null);
  // The counts come from the list's total (limit=1), not from listing every subnet.
  const [sections, all, rootList] = await Promise.all([loadSections(), api<List<Subnet>>("GET", "/api/v1/subnets?limit=1"), loadList("roots")]);
  const total = all.total;
  const roots = rootList.items;
  // A redraw after a folder's Edit or Delete replaces its row: the same control, or the heading, takes focus back.
  const refocus = container.contains(document.activeElement) ? focusKeysOf(document.activeElement) : [];
  const rerender = async () => {
    // A renamed folder changes its row; a deleted one leaves its subnets unfiled.
    forget({ folderList: true, roots: true, sections: sections.map((s) => s.id) });
    if (container.isConnected) await homePage(container, me);
  };
  mount(
    container,
    h(
      "div",
      { class: "page-head" },
      h("div", null, h("h1", { tabindex: "-1" }, me.organization.name), h("p", { class: "subtitle" }, `${plural(total, "subnet")} in ${plural(sections.length, "folder")}`)),
      h(
        "div",
        { class: "toolbar" },
        h("a", { href: "/import", class: "button" }, canWrite() ? "Import / export" : "Export"),
        forWriters(h("button", { type: "button", onclick: () => newSectionDialog() }, icon("folder"), "New folder")),
        forWriters(h("button", { type: "button", class: "primary", onclick: () => newSubnetDialog() }, icon("plus"), "New subnet")),
      ),
    ),
    total === 0
      ? h(
          "section",
          { class: "card empty" },
          h("h2", null, canWrite() ? "Get started" : "No subnets yet"),
          canWrite()
            ? [
                h("p", null, "Create a folder for a site or a purpose, then add subnets: they nest themselves under the smallest subnet that contains them."),
                h("p", null, "Coming from a spreadsheet or phpIPAM? ", h("a", { href: "/import" }, "Import a CSV"), " of subnets or addresses; columns with other names are matched for you."),
              ]
            : h("p", null, "Your organization has no subnets yet. Your role (viewer) can look them up once a member or an admin adds them."),
        )
      : null,
    sections.length
      ? h(
          "section",
          null,
          h("h2", null, "Folders"),
          h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              null,
              h("thead", null, h("tr", null, ["Name", "Description", "Subnets", ""].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", null, sections.map((s) => sectionRow(s, rerender))),
            ),
          ),
        )
      : null,
    roots.length
      ? h(
          "section",
          null,
          h("h2", null, "Top-level subnets"),
          h("ul", { class: "plain root-list" }, roots.map((s) => h("li", null, h("a", { href: `/subnets/${s.id}` }, s.cidr), vrfTag(s), s.name ? ` ${s.name} ` : " ", utilBar(s.utilization)))),
        )
      : null,
  );
  focusIfLost(findByFocusKeys(container, refocus));
}

function sectionRow(section: Section, rerender: () => Promise<void>): HTMLElement {
  return h(
    "tr",
    null,
    h("td", null, h("a", { href: `/folders/${section.id}` }, section.name)),
    h("td", null, section.description),
    h("td", null, String(section.subnet_count)),
    h(
      "td",
      { class: "row-actions" },
      forWriters([
        h("button", { type: "button", class: "icon-button", "aria-label": `Edit ${section.name}`, "data-focus": `edit-${section.id}`, onclick: () => editFolderDialog(section, rerender) }, icon("edit")),
        h(
          "button",
          {
            type: "button",
            class: "icon-button danger",
            "aria-label": `Delete ${section.name}`,
            "data-focus": `delete-${section.id}`,
            "data-focus-else": "h1",
            onclick: async () => {
              if (await deleteFolder(section)) await rerender();
            },
          },
          icon("trash"),
        ),
      ]),
    ),
  );
}
