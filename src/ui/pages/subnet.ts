/**
 * `/subnets/:id`: details, utilization, Next free, split, edit, delete; then the IP grid
 * (IPv4 /22 and smaller) or the paginated address table and free ranges (larger, IPv6).
 */
import { canWrite, forWriters } from "../access";
import { api, ApiFailure, messageOf } from "../api";
import { sectionOptions } from "../create-dialogs";
import { confirmDialog, formDialog, openDialog, valueOf } from "../dialog";
import { field, findByFocusKeys, focusIfLost, focusKeysOf, h, mount, select, toast } from "../dom";
import { count, plural, when } from "../format";
import { icon } from "../icons";
import { GRID_MAX_PREFIX } from "../ipv4";
import { navigate } from "../router";
import { forget, loadSections, refreshUtilization, remember, subnetsByIds } from "../subnet-cache";
import { markCurrent, reveal } from "../tree";
import type { Address, List, Subnet } from "../types";
import { utilBar } from "../util-bar";
import { historyPanel } from "./activity";
import { allocateDialog, assignChosenDialog } from "./address-dialogs";
import { renderAddressTable } from "./address-table";
import { makeTabStop, renderGrid } from "./grid";
import { editGateway, gatewayField } from "./gateway";
import { reserveRangeDialog } from "./reserve-range";
import { nextFreeSubnetDialog } from "./next-free-subnet";
import { vrfTag } from "../vrf-label";

export async function subnetPage(container: HTMLElement, id: string): Promise<void> {
  markCurrent(id);
  let subnet: Subnet;
  let children: Subnet[];
  let childCount: number;
  let gateways: Address[];
  try {
    // One page of children: a /8 with thousands of them must not load them all (the list says how many more).
    [subnet, { items: children, total: childCount }, gateways] = await Promise.all([
      api<Subnet>("GET", `/api/v1/subnets/${id}`),
      api<List<Subnet>>("GET", `/api/v1/subnets?parent_id=${encodeURIComponent(id)}&limit=${CHILD_PAGE}`),
      api<List<Address>>("GET", `/api/v1/subnets/${id}/addresses?status=gateway&limit=10`).then((l) => l.items),
    ]);
  } catch (failure) {
    document.title = "Subnet · IPCraft";
    mount(container, h("h1", { tabindex: "-1" }, "Subnet"), h("p", { class: "error", role: "alert" }, messageOf(failure)));
    return;
  }
  document.title = `${subnet.cidr} · IPCraft`;
  remember(subnet);
  void reveal(subnet).catch(() => {});
  // After an address write: the sidebar's utilization of this subnet and its ancestors (one
  // request), and this page, if it is still shown.
  const changed = () => {
    void refreshUtilization(subnet);
    if (container.isConnected) void subnetPage(container, id);
  };
  const [parents, sections] = await Promise.all([subnetsByIds(subnet.parent_id ? [subnet.parent_id] : []), loadSections()]);
  const parent = subnet.parent_id ? parents.get(subnet.parent_id) : undefined;
  const section = subnet.section_id ? sections.find((s) => s.id === subnet.section_id) : undefined;
  const u = subnet.utilization;
  const addresses = h("div", { class: "addresses-region" }, h("p", { class: "muted" }, "Loading addresses…"));
  const small = subnet.family === 4 && subnet.prefix_length >= GRID_MAX_PREFIX;
  // A re-render after a write replaces every control: remember which one had focus (the
  // cell or button that opened the dialog) to give it back once the new page is drawn.
  const refocus = container.contains(document.activeElement) ? focusKeysOf(document.activeElement) : [];

  mount(
    container,
    h(
      "div",
      { class: "page-head" },
      h("div", null, h("h1", { tabindex: "-1" }, subnet.cidr, vrfTag(subnet)), subnet.name ? h("p", { class: "subtitle" }, subnet.name) : null),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "button", class: "primary", "data-focus": "next-free", onclick: () => nextFree(subnet, changed) }, "Next free"),
        forWriters([
          // No grid to click on large and IPv6 subnets: the address is typed instead.
          small ? null : h("button", { type: "button", "data-focus": "assign-address", onclick: () => assignChosenDialog(subnet, "", changed) }, icon("plus"), "Assign address"),
          h("button", { type: "button", "data-focus": "reserve-range", onclick: () => reserveRangeDialog(subnet, changed) }, "Reserve range"),
          h("button", { type: "button", "data-focus": "add-child", onclick: () => nextFreeSubnetDialog(subnet) }, icon("plus"), "Add child subnet"),
          h("button", { type: "button", "data-focus": "split", onclick: () => splitDialog(subnet, children.length > 0) }, "Split"),
          h("button", { type: "button", "data-focus": "edit", onclick: () => editDialog(subnet, gateways[0], changed) }, icon("edit"), "Edit"),
          h("button", { type: "button", class: "danger", "data-focus": "delete", onclick: () => deleteSubnet(subnet) }, icon("trash"), "Delete"),
        ]),
      ),
    ),
    h(
      "section",
      { class: "card utilization", "aria-label": "Utilization" },
      h("div", { class: "util-head" }, h("strong", null, `${u.percent.toFixed(2)}% used`), h("span", { class: "muted" }, `${count(u.used)} used · ${u.in_children !== "0" ? `${count(u.in_children)} in child subnets · ` : ""}${count(u.free)} free · ${count(u.usable)} usable of ${count(u.size)}`)),
      utilBar(u, true),
    ),
    h(
      "dl",
      { class: "facts card" },
      fact("Network", subnet.network),
      fact("Prefix length", `/${subnet.prefix_length}`),
      fact("Family", `IPv${subnet.family}`),
      fact("VRF", subnet.vrf),
      fact("VLAN", subnet.vlan ?? "—"),
      fact("Gateway", gateways.length ? h("span", { class: "gateway" }, gateways.map((g) => g.ip).join(", ")) : h("span", { class: "gateway muted" }, "none")),
      fact("Folder", section ? h("a", { href: `/folders/${section.id}` }, section.name) : "—"),
      fact("Parent", parent ? h("a", { href: `/subnets/${parent.id}` }, parent.cidr) : "—"),
      fact("Description", subnet.description || "—"),
      fact("Updated", when(subnet.updated_at)),
    ),
    children.length
      ? h(
          "section",
          { class: "children" },
          h("h2", null, `Child subnets (${count(childCount)})`),
          h("ul", { class: "plain child-list" }, children.map((c) => h("li", null, h("a", { href: `/subnets/${c.id}` }, c.cidr), vrfTag(c), c.name ? ` ${c.name} ` : " ", utilBar(c.utilization)))),
          childCount > children.length ? h("p", { class: "muted" }, `The first ${count(children.length)} of ${count(childCount)}; the sidebar and search find the others.`) : null,
        )
      : null,
    h("section", null, h("h2", null, small ? "Addresses" : "Address records"), addresses),
    historyPanel(subnet.id),
  );
  try {
    if (small) await renderGrid(addresses, subnet, children, changed);
    else await renderAddressTable(addresses, subnet, changed);
  } catch (failure) {
    mount(addresses, h("p", { class: "error", role: "alert" }, messageOf(failure)));
  }
  const target = findByFocusKeys(container, refocus);
  if (target?.classList.contains("cell")) makeTabStop(target);
  focusIfLost(target);
}

const CHILD_PAGE = 500;

function fact(label: string, value: string | number | Node): Node[] {
  return [h("dt", null, label), h("dd", null, value)];
}

async function nextFree(subnet: Subnet, changed: () => void): Promise<void> {
  try {
    const { ip } = await api<{ ip: string | null }>("GET", `/api/v1/subnets/${subnet.id}/first-free`);
    if (ip !== null && canWrite()) return allocateDialog(subnet.id, ip, () => changed());
    // Full, or a viewer (who may look the address up but not take it): the answer alone.
    const [title, sentence] =
      ip === null
        ? ["No free address", `${subnet.cidr} is full: every usable address has a record or belongs to a child subnet.`]
        : [`Next free: ${ip}`, `${ip} is the lowest free address of ${subnet.cidr}.`];
    const close = h("button", { type: "button", class: "primary", autofocus: true }, "OK");
    const dialog = openDialog(title, [h("p", null, sentence), h("div", { class: "actions" }, h("span", { class: "spacer" }), close)]);
    close.addEventListener("click", () => dialog.close());
  } catch (failure) {
    toast(messageOf(failure));
  }
}

function splitDialog(subnet: Subnet, hasChildren: boolean): void {
  const max = subnet.family === 4 ? 32 : 128;
  const options: [string, string][] = [];
  // The server splits into at most 65,536 parts (features/subnets/split.ts).
  for (let len = subnet.prefix_length + 1; len <= Math.min(max, subnet.prefix_length + 16); len++) {
    options.push([String(len), `/${len} — ${2 ** (len - subnet.prefix_length)} parts`]);
  }
  formDialog({
    title: `Split ${subnet.cidr}`,
    submitLabel: "Split",
    intro: hasChildren ? h("p", { class: "warning" }, "This subnet already has children; the server will refuse to split it.") : h("p", { class: "muted" }, "Creates equal child subnets and moves each address into its child."),
    fields: [field("Into", select("prefix_length", options, options[0]?.[0]))],
    async onSubmit(form) {
      const result = await api<{ items: Subnet[] }>("POST", `/api/v1/subnets/${subnet.id}/split`, { prefix_length: Number(valueOf(form, "prefix_length")) });
      toast(`${subnet.cidr} split into ${plural(result.items.length, "subnet")}`);
      forget({ parents: [subnet.id], sections: [subnet.section_id] });
      navigate(`/subnets/${subnet.id}`, true);
    },
  });
}

function editDialog(subnet: Subnet, gateway: Address | undefined, changed: () => void): void {
  formDialog({
    title: `Edit ${subnet.cidr}`,
    submitLabel: "Save",
    intro: h("p", { class: "muted" }, "The CIDR and VRF cannot change; create a new subnet instead."),
    fields: [
      field("Name", h("input", { name: "name", autocomplete: "off", value: subnet.name })),
      field("Description", h("input", { name: "description", autocomplete: "off", value: subnet.description })),
      field("Folder", select("section_id", sectionOptions(), subnet.section_id ?? "")),
      field("VLAN", h("input", { name: "vlan", inputmode: "numeric", autocomplete: "off", value: subnet.vlan === null ? "" : String(subnet.vlan) })),
      gatewayField(subnet, gateway),
    ],
    async onSubmit(form) {
      const changes: Record<string, unknown> = {};
      if (valueOf(form, "name") !== subnet.name) changes.name = valueOf(form, "name");
      if (valueOf(form, "description") !== subnet.description) changes.description = valueOf(form, "description");
      const section = valueOf(form, "section_id") || null;
      if (section !== subnet.section_id) changes.section_id = section;
      const vlan = valueOf(form, "vlan");
      const vlanValue = vlan === "" ? null : /^\d+$/.test(vlan) ? Number(vlan) : vlan;
      if (vlanValue !== subnet.vlan) changes.vlan = vlanValue;
      // The gateway first: a mistyped address is the likelier refusal, and then nothing is saved.
      const gatewayNote = await editGateway(subnet, gateway, valueOf(form, "gateway"));
      if (Object.keys(changes).length) await api<Subnet>("PATCH", `/api/v1/subnets/${subnet.id}`, changes);
      toast(`${subnet.cidr} saved${gatewayNote}`);
      // A new folder moves it in the sidebar; a new name or VLAN changes its row.
      forget({ sections: [subnet.section_id, section], parents: [subnet.parent_id], roots: !subnet.parent_id, subnets: [subnet.id], folderList: section !== subnet.section_id });
      changed();
    },
  });
}

/** Why a delete was refused, in the web app's words (the API's sentence tells API users about ?force=true). */
function whyNotEmpty(subnet: Subnet, failure: ApiFailure): string {
  if (failure.code === "subnet_not_empty") return `${subnet.cidr} holds address records and has no parent subnet to move them to.`;
  if (failure.code === "address_on_boundary") {
    const sentence = failure.message.replace(/; delete them first or pass \?force=true$/, "");
    return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
  }
  return failure.message;
}

async function deleteSubnet(subnet: Subnet): Promise<void> {
  const ok = await confirmDialog(
    `Delete ${subnet.cidr}?`,
    subnet.parent_id
      ? "Its child subnets and addresses move up to its parent subnet. This cannot be undone."
      : "Its child subnets become top-level subnets. This cannot be undone.",
    "Delete",
  );
  if (!ok) return;
  try {
    await api("DELETE", `/api/v1/subnets/${subnet.id}`);
  } catch (failure) {
    if (!(failure instanceof ApiFailure) || failure.status !== 409) {
      toast(messageOf(failure));
      return;
    }
    const force = await confirmDialog(`${subnet.cidr} still holds addresses`, `${whyNotEmpty(subnet, failure)} Delete it together with its address records?`, "Delete with addresses");
    if (!force) return;
    try {
      await api("DELETE", `/api/v1/subnets/${subnet.id}?force=true`);
    } catch (again) {
      toast(messageOf(again));
      return;
    }
  }
  toast(`${subnet.cidr} deleted`);
  // Its children moved up to its parent (or became roots); its folder lost it.
  forget({ parents: [subnet.parent_id, subnet.id], sections: [subnet.section_id], roots: true, subnets: [subnet.id, subnet.parent_id], folderList: true });
  navigate(subnet.parent_id ? `/subnets/${subnet.parent_id}` : "/");
}
