/**
 * The IP grid of an IPv4 subnet /22 or smaller [doc]: one button per usable address with
 * `data-ip` and `data-status` (available | assigned | gateway | reserved | dhcp, or `subnet`
 * when a child subnet covers it), its hostname on hover, and below it a table of the records
 * (IP, hostname, status, owner, MAC) so names can be read without hovering. A subnet that
 * spans several third octets (/23, /22) is drawn in rows of 16 aligned on the address, each
 * row labelled by its first three octets ("10.0.5.").
 *
 * Click: available → assign; taken → edit or release (a viewer: the record, read-only, and
 * no selection). Selecting a range: click one cell, then
 * shift-click another (or Shift+arrow keys); the selection bar then offers Reserve, Set status
 * and Release for the whole range in one step. One cell is in the tab order; arrow keys move
 * between cells (roving tabindex), Escape clears the selection.
 */
import { canWrite, forWriters } from "../access";
import { listAll } from "../api";
import { confirmDialog, formDialog, valueOf } from "../dialog";
import { field, h, mount, select, stackable, toast } from "../dom";
import { plural } from "../format";
import { intToIpv4, ipv4Range, usableIpv4 } from "../ipv4";
import { navigate } from "../router";
import { ADDRESS_STATUSES, type Address, type AddressStatus, type Subnet } from "../types";
import { assignDialog, editAddressDialog, statusBadge } from "./address-dialogs";
import { createRecords, failureSentence, releaseAll, setStatusOf } from "./bulk";

export const GRID_STATUSES = ["available", "assigned", "gateway", "reserved", "dhcp", "subnet"] as const;

interface Slot {
  n: number;
  ip: string;
  address?: Address;
  child?: Subnet;
  status: string;
}

export async function renderGrid(container: HTMLElement, subnet: Subnet, children: Subnet[], changed: () => void): Promise<void> {
  const addresses = await listAll<Address>(`/api/v1/subnets/${subnet.id}/addresses`);
  const byIp = new Map(addresses.map((a) => [a.ip, a]));
  const childRanges = children.map((c) => ({ child: c, range: ipv4Range(c.cidr) }));
  const counts = new Map<string, number>();
  const slots: Slot[] = usableIpv4(subnet.network, subnet.prefix_length).map((n) => {
    const ip = intToIpv4(n);
    const address = byIp.get(ip);
    const child = address ? undefined : childRanges.find(({ range }) => n >= range[0] && n <= range[1])?.child;
    const status = address?.status ?? (child ? "subnet" : "available");
    counts.set(status, (counts.get(status) ?? 0) + 1);
    return { n, ip, address, child, status };
  });

  // Selection: `anchor` is where a range starts (the last plain click or arrow), `range` the
  // selected [from, to] slot indexes, or null.
  let anchor: number | null = null;
  let range: [number, number] | null = null;
  const bar = h("div", { class: "selection-bar", role: "region", "aria-label": "Selection", hidden: true });
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });

  const cells = slots.map((slot, index) => {
    const { ip, address, child } = slot;
    const label = address
      ? `${ip} ${address.hostname ? `${address.hostname} ` : ""}(${slot.status}${address.owner ? `, ${address.owner}` : ""})`
      : child
        ? `${ip} (in subnet ${child.cidr})`
        : `${ip} (available)`;
    return h(
      "button",
      {
        type: "button",
        class: "cell",
        "data-ip": ip,
        "data-status": slot.status,
        title: label,
        "aria-label": label,
        tabindex: index === 0 ? "0" : "-1",
        onclick: (event: MouseEvent) => {
          // Shift-click selects: the first one starts the range (or extends it from the last
          // plain click), without opening a dialog.
          if (event.shiftKey && canWrite()) {
            event.preventDefault();
            anchor ??= index;
            selectRange(anchor, index);
            makeTabStop(cells[index]!);
            return;
          }
          selectRange(null, null);
          anchor = index;
          if (address) editAddressDialog(address, changed); // read-only for a viewer
          else if (child) navigate(`/subnets/${child.id}`);
          else if (canWrite()) assignDialog(subnet.id, ip, changed);
        },
      },
      String(slot.n & 255),
    );
  });

  const labelled = subnet.prefix_length < 24;
  const gridChildren: HTMLElement[] = [];
  if (labelled) {
    // Rows of 16 aligned on the address; the row's label is its first three octets.
    for (let i = 0; i < slots.length; ) {
      const rowStart = slots[i]!.n - (slots[i]!.n % 16);
      gridChildren.push(h("span", { class: "row-label", "aria-hidden": "true" }, `${intToIpv4(rowStart).split(".").slice(0, 3).join(".")}.`));
      for (let n = rowStart; n < rowStart + 16; n++) {
        if (i < slots.length && slots[i]!.n === n) gridChildren.push(cells[i++]!);
        else gridChildren.push(h("span", { class: "cell-gap", "aria-hidden": "true" }));
      }
    }
  } else gridChildren.push(...cells);
  const grid = h("div", { class: labelled ? "ip-grid labelled" : "ip-grid", role: "group", "aria-label": `Addresses of ${subnet.cidr}` }, gridChildren);

  const selected = (): Slot[] => (range ? slots.slice(range[0], range[1] + 1) : []);
  function selectRange(from: number | null, to: number | null): void {
    range = from === null || to === null ? null : [Math.min(from, to), Math.max(from, to)];
    for (const cell of grid.querySelectorAll(".cell[data-selected]")) cell.removeAttribute("data-selected");
    if (!range) {
      anchor = null;
      bar.hidden = true;
      status.textContent = "";
      return;
    }
    for (let i = range[0]; i <= range[1]; i++) cells[i]!.setAttribute("data-selected", "true");
    drawBar();
  }

  function drawBar(): void {
    const chosen = selected();
    const free = chosen.filter((s) => s.status === "available");
    const taken = chosen.filter((s) => s.address).map((s) => s.address!);
    const span = `${chosen[0]!.ip} – ${chosen.at(-1)!.ip}`;
    const summary = `${plural(chosen.length, "address", "addresses")} selected (${span}): ${free.length} available, ${taken.length} with a record`;
    status.textContent = summary;
    // The bar is gone after the page redraws: focus then goes to the range's first cell.
    const firstCell = `.cell[data-ip="${CSS.escape(chosen[0]!.ip)}"]`;
    mount(
      bar,
      h("span", { class: "selection-summary" }, summary),
      h("button", { type: "button", class: "primary", disabled: free.length === 0, "data-focus": "bulk-reserve", "data-focus-else": firstCell, onclick: () => reserveDialog(free.map((s) => s.ip)) }, `Reserve ${free.length} available…`),
      h("button", { type: "button", disabled: taken.length === 0, "data-focus": "bulk-status", "data-focus-else": firstCell, onclick: () => statusDialog(taken) }, `Set status of ${taken.length}…`),
      h("button", { type: "button", class: "danger", disabled: taken.length === 0, "data-focus": "bulk-release", "data-focus-else": firstCell, onclick: () => releaseDialog(taken) }, `Release ${taken.length}…`),
      h("button", { type: "button", class: "link-button", onclick: () => selectRange(null, null) }, "Clear selection"),
    );
    bar.hidden = false;
  }

  function reserveDialog(ips: string[]): void {
    formDialog({
      title: `Record ${plural(ips.length, "address", "addresses")}`,
      submitLabel: "Record all",
      intro: h("p", { class: "muted" }, `${ips[0]} – ${ips.at(-1)}: all of them or none.`),
      fields: bulkFields("reserved"),
      async onSubmit(form) {
        const fields = fieldsOf(form);
        const made = await createRecords(ips, subnet.vrf, fields);
        toast(`${plural(made, "address", "addresses")} recorded as ${fields.status} (${ips[0]} – ${ips.at(-1)})`);
        changed();
      },
    });
  }

  function statusDialog(taken: Address[]): void {
    formDialog({
      title: `Set the status of ${plural(taken.length, "address", "addresses")}`,
      submitLabel: "Set status",
      fields: [field("Status", select("status", ADDRESS_STATUSES.map((s): [string, string] => [s, s]), "reserved"))],
      async onSubmit(form) {
        const to = valueOf(form, "status") as AddressStatus;
        const result = await setStatusOf(taken, to);
        toast(failureSentence(result, "changed") ?? `${plural(result.done, "address", "addresses")} now ${to}`);
        changed();
      },
    });
  }

  async function releaseDialog(taken: Address[]): Promise<void> {
    if (!(await confirmDialog(`Release ${plural(taken.length, "address", "addresses")}?`, `Their records are deleted and the addresses become available (${taken[0]!.ip} – ${taken.at(-1)!.ip}).`, "Release all"))) return;
    const result = await releaseAll(taken);
    toast(failureSentence(result, "released") ?? `${plural(result.done, "address", "addresses")} released`);
    changed();
  }

  grid.addEventListener("keydown", (event) => {
    const index = cells.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    if (event.key === "Escape" && range) {
      event.preventDefault();
      selectRange(null, null);
      return;
    }
    const next = moveFocus(grid, cells, index, event, labelled);
    if (next === null) return;
    // A viewer moves with the arrows but selects nothing: every selection action writes.
    if (event.shiftKey && canWrite()) {
      if (anchor === null) anchor = index;
      selectRange(anchor, next);
    } else {
      if (range) selectRange(null, null);
      anchor = next;
    }
  });
  // Shift-click must not select the cells' text.
  grid.addEventListener("mousedown", (event) => {
    if (event.shiftKey) event.preventDefault();
  });

  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    GRID_STATUSES.filter((s) => s !== "subnet" || counts.has("subnet")).map((s) =>
      h("li", null, h("span", { class: "swatch", "data-status": s }), `${s} `, h("span", { class: "muted" }, String(counts.get(s) ?? 0))),
    ),
  );
  const hint = forWriters(h("p", { class: "muted hint" }, "Select a range: click a cell, then shift-click another (or Shift + arrow keys)."));
  mount(container, legend, hint, bar, status, grid, recordsTable(addresses, changed));
}

/** The records of a grid subnet as a table under it: hostnames readable without hovering. */
function recordsTable(addresses: Address[], changed: () => void): HTMLElement {
  if (!addresses.length) return h("p", { class: "muted records-empty" }, "No address records yet.");
  return h(
    "div",
    { class: "table-wrap" },
    stackable(h(
      "table",
      { class: "records", "aria-label": "Address records" },
      h("thead", null, h("tr", null, ["IP", "Hostname", "Status", "Owner", "MAC", "Description"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        null,
        addresses.map((a) =>
          h(
            "tr",
            { "data-record-ip": a.ip },
            h("td", null, h("button", { type: "button", class: "link-button", "data-focus": `record-${a.ip}`, "data-focus-else": `.cell[data-ip="${CSS.escape(a.ip)}"]`, onclick: () => editAddressDialog(a, changed) }, a.ip)),
            h("td", null, a.hostname),
            h("td", null, statusBadge(a.status)),
            h("td", null, a.owner),
            h("td", null, a.mac ?? ""),
            h("td", null, a.description),
          ),
        ),
      ),
    )),
  );
}

function bulkFields(status: AddressStatus) {
  return [
    field("Status", select("status", ADDRESS_STATUSES.map((s): [string, string] => [s, s]), status)),
    field("Hostname", h("input", { name: "hostname", autocomplete: "off", spellcheck: "false" }), "The same for every address; usually empty."),
    field("Owner", h("input", { name: "owner", autocomplete: "off" })),
    field("Description", h("input", { name: "description", autocomplete: "off" })),
  ];
}

export function fieldsOf(form: HTMLFormElement) {
  return {
    status: valueOf(form, "status") as AddressStatus,
    hostname: valueOf(form, "hostname"),
    owner: valueOf(form, "owner"),
    description: valueOf(form, "description"),
  };
}

export { bulkFields };

/** Moves focus for an arrow/Home/End key; returns the new index (null when the key is not ours). */
function moveFocus(grid: HTMLElement, cells: HTMLButtonElement[], index: number, event: KeyboardEvent, labelled: boolean): number | null {
  const columns = labelled ? 16 : getComputedStyle(grid).gridTemplateColumns.split(" ").filter(Boolean).length || 16;
  const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
  let next = index;
  if (event.key in step) next = index + step[event.key]!;
  else if (event.key === "Home") next = 0;
  else if (event.key === "End") next = cells.length - 1;
  else return null;
  event.preventDefault();
  next = Math.max(0, Math.min(cells.length - 1, next));
  makeTabStop(cells[next]!);
  cells[next]!.focus();
  return next;
}

/** Makes `cell` the grid's one cell in the tab order (roving tabindex). */
export function makeTabStop(cell: HTMLElement): void {
  for (const other of cell.parentElement?.querySelectorAll<HTMLElement>('.cell[tabindex="0"]') ?? []) other.tabIndex = -1;
  cell.tabIndex = 0;
}
