/**
 * The IP grid of an IPv4 subnet /22 or smaller [doc]: one button per usable address with
 * `data-ip` and `data-status` (available | assigned | gateway | reserved | dhcp, or `subnet`
 * when a child subnet covers it), its hostname on hover. Available → assign; taken → edit or
 * release. One cell is in the tab order; arrow keys move between cells (roving tabindex).
 */
import { listAll } from "../api";
import { h, mount } from "../dom";
import { intToIpv4, ipv4Range, usableIpv4 } from "../ipv4";
import { navigate } from "../router";
import type { Address, Subnet } from "../types";
import { assignDialog, editAddressDialog } from "./address-dialogs";

export const GRID_STATUSES = ["available", "assigned", "gateway", "reserved", "dhcp", "subnet"] as const;

export async function renderGrid(container: HTMLElement, subnet: Subnet, children: Subnet[], changed: () => void): Promise<void> {
  const addresses = await listAll<Address>(`/api/v1/subnets/${subnet.id}/addresses`);
  const byIp = new Map(addresses.map((a) => [a.ip, a]));
  const childRanges = children.map((c) => ({ child: c, range: ipv4Range(c.cidr) }));
  const counts = new Map<string, number>();
  const cells = usableIpv4(subnet.network, subnet.prefix_length).map((n, index) => {
    const ip = intToIpv4(n);
    const address = byIp.get(ip);
    const child = address ? undefined : childRanges.find(({ range }) => n >= range[0] && n <= range[1])?.child;
    const status = address?.status ?? (child ? "subnet" : "available");
    counts.set(status, (counts.get(status) ?? 0) + 1);
    const label = address
      ? `${ip} ${address.hostname ? `${address.hostname} ` : ""}(${status}${address.owner ? `, ${address.owner}` : ""})`
      : child
        ? `${ip} (in subnet ${child.cidr})`
        : `${ip} (available)`;
    return h(
      "button",
      {
        type: "button",
        class: "cell",
        "data-ip": ip,
        "data-status": status,
        title: label,
        "aria-label": label,
        tabindex: index === 0 ? "0" : "-1",
        onclick: () => {
          if (address) editAddressDialog(address, changed);
          else if (child) navigate(`/subnets/${child.id}`);
          else assignDialog(subnet.id, ip, changed);
        },
      },
      String(n & 255),
    );
  });
  const grid = h("div", { class: "ip-grid", role: "group", "aria-label": `Addresses of ${subnet.cidr}` }, cells);
  grid.addEventListener("keydown", (event) => moveFocus(grid, event));
  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    GRID_STATUSES.filter((s) => s !== "subnet" || counts.has("subnet")).map((s) =>
      h("li", null, h("span", { class: "swatch", "data-status": s }), `${s} `, h("span", { class: "muted" }, String(counts.get(s) ?? 0))),
    ),
  );
  mount(container, legend, grid);
}

function moveFocus(grid: HTMLElement, event: KeyboardEvent): void {
  const cells = [...grid.querySelectorAll<HTMLButtonElement>(".cell")];
  const index = cells.indexOf(document.activeElement as HTMLButtonElement);
  if (index < 0) return;
  const columns = getComputedStyle(grid).gridTemplateColumns.split(" ").filter(Boolean).length || 16;
  const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
  let next = index;
  if (event.key in step) next = index + step[event.key]!;
  else if (event.key === "Home") next = 0;
  else if (event.key === "End") next = cells.length - 1;
  else return;
  event.preventDefault();
  next = Math.max(0, Math.min(cells.length - 1, next));
  makeTabStop(cells[next]!);
  cells[next]!.focus();
}

/** Makes `cell` the grid's one cell in the tab order (roving tabindex). */
export function makeTabStop(cell: HTMLElement): void {
  for (const other of cell.parentElement?.querySelectorAll<HTMLElement>('.cell[tabindex="0"]') ?? []) other.tabIndex = -1;
  cell.tabIndex = 0;
}
