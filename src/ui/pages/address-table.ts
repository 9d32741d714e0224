/**
 * Larger IPv4 and all IPv6 subnets: a paginated table of the address records (100 a page,
 * the API's cursor) and the free ranges. Never an expansion of the whole subnet.
 * A free range's start is a button that opens the assign form with that address filled in.
 */
import { canWrite } from "../access";
import { api, messageOf, withQuery } from "../api";
import { h, mount, select, stackable } from "../dom";
import { count, plural } from "../format";
import type { Address, FreeRange, List, Subnet } from "../types";
import { ADDRESS_STATUSES } from "../types";
import { assignChosenDialog, editAddressDialog, statusBadge } from "./address-dialogs";

const PAGE = 100;

export async function renderAddressTable(container: HTMLElement, subnet: Subnet, changed: () => void): Promise<void> {
  const body = h("tbody");
  const info = h("p", { class: "muted", "aria-live": "polite" });
  const prev = h("button", { type: "button", disabled: true }, "Previous page");
  const next = h("button", { type: "button", disabled: true }, "Next page");
  const q = h("input", { type: "search", name: "q", placeholder: "Filter: IP, hostname, owner, MAC", "aria-label": "Filter addresses" });
  const status = select("status", [["", "any status"], ...ADDRESS_STATUSES.map((s): [string, string] => [s, s])]);
  status.setAttribute("aria-label", "Status filter");
  const table = h("table", { class: "addresses" }, h("thead", null, h("tr", null, ["IP", "Hostname", "Status", "Owner", "MAC", "Description"].map((t) => h("th", { scope: "col" }, t)))), body);
  const cursors: (string | null)[] = [null];
  let pageIndex = 0;

  const load = async () => {
    try {
      const page = await api<List<Address>>(
        "GET",
        withQuery(`/api/v1/subnets/${subnet.id}/addresses`, { limit: PAGE, cursor: cursors[pageIndex], q: q.value.trim(), status: status.value }),
      );
      body.replaceChildren(
        ...page.items.map((a) =>
          h(
            "tr",
            null,
            h("td", null, h("button", { type: "button", class: "link-button", "data-ip": a.ip, "data-focus-else": "table.addresses tbody button", onclick: () => editAddressDialog(a, changed) }, a.ip)),
            h("td", null, a.hostname),
            h("td", null, statusBadge(a.status)),
            h("td", null, a.owner),
            h("td", null, a.mac ?? ""),
            h("td", null, a.description),
          ),
        ),
      );
      stackable(table);
      cursors[pageIndex + 1] = page.next_cursor;
      // Disabling the focused pager button (first or last page) would drop focus to <body>: hand it to the other one.
      const had = document.activeElement;
      prev.disabled = pageIndex === 0;
      next.disabled = !page.next_cursor;
      if (had === next && next.disabled) (prev.disabled ? q : prev).focus();
      else if (had === prev && prev.disabled) (next.disabled ? q : next).focus();
      info.textContent = page.total
        ? `${plural(page.total, "record")} · page ${pageIndex + 1} of ${Math.max(1, Math.ceil(page.total / PAGE))}`
        : "No address records yet.";
    } catch (failure) {
      info.textContent = messageOf(failure);
    }
  };
  prev.addEventListener("click", () => {
    pageIndex = Math.max(0, pageIndex - 1);
    void load();
  });
  next.addEventListener("click", () => {
    pageIndex++;
    void load();
  });
  const filter = h(
    "form",
    {
      class: "inline-form",
      role: "search",
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        cursors.length = 1;
        pageIndex = 0;
        void load();
      },
    },
    q,
    status,
    h("button", { type: "submit" }, "Filter"),
  );
  const free = h("div", { class: "free-ranges" });
  mount(
    container,
    h("p", { class: "muted" }, `This subnet is too large for a grid (the grid is drawn for IPv4 /22 and smaller); its records and free ranges are listed instead.`),
    filter,
    h(
      "div",
      { class: "table-wrap" },
      table,
    ),
    h("div", { class: "pager" }, prev, info, next),
    h("h3", null, "Free ranges"),
    free,
  );
  await Promise.all([load(), loadFree(free, subnet, changed)]);
}

async function loadFree(container: HTMLElement, subnet: Subnet, changed: () => void): Promise<void> {
  try {
    const { ranges } = await api<{ ranges: FreeRange[] }>("GET", withQuery(`/api/v1/subnets/${subnet.id}/free`, { limit: 50 }));
    const rows = ranges.map((r, i) =>
      h(
        "tr",
        null,
        h(
          "td",
          null,
          // Keyed by position, not IP: after assigning a range's start, focus comes back to
          // the same row, whose start is now the next free address.
          canWrite()
            ? h("button", { type: "button", class: "link-button", "data-focus": `free-${i}`, "aria-label": `Assign ${r.start}`, onclick: () => assignChosenDialog(subnet, r.start, changed) }, r.start)
            : r.start,
        ),
        h("td", null, r.end),
        h("td", null, count(r.size)),
      ),
    );
    // An IPv6 range's end and size do not fit a narrow window side by side: stacked on
    // phones, scrolled inside its own box a little wider (never the whole page).
    const table = h("table", { class: "free" }, h("thead", null, h("tr", null, ["Start", "End", "Size"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", null, rows));
    mount(container, ranges.length ? h("div", { class: "table-wrap" }, stackable(table)) : h("p", { class: "muted" }, "No free addresses."));
  } catch (failure) {
    mount(container, h("p", { class: "error" }, messageOf(failure)));
  }
}
