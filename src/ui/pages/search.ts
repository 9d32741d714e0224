/** Search across the organization: addresses by IP, hostname, owner, MAC (and subnets by CIDR/name). */
import { api, messageOf, withQuery } from "../api";
import { h, mount, stackable } from "../dom";
import { treeData, treeReady } from "../tree";
import type { Address, List, Subnet } from "../types";
import { utilBar } from "../util-bar";
import { statusBadge } from "./address-dialogs";

export async function searchPage(container: HTMLElement): Promise<void> {
  const q = new URLSearchParams(location.search).get("q")?.trim() ?? "";
  document.title = `Search ${q} · IPCraft`;
  const heading = h("h1", { tabindex: "-1" }, q ? `Results for “${q}”` : "Search");
  if (!q) {
    mount(container, heading, h("p", { class: "muted" }, "Type an IP, hostname, owner or MAC address in the search box."));
    return;
  }
  mount(container, heading, h("p", { class: "muted" }, "Searching…"));
  try {
    const [addresses, subnets] = await Promise.all([
      api<List<Address>>("GET", withQuery("/api/v1/addresses", { q, limit: 200 })),
      api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { q, limit: 50 })).catch(() => null),
      treeReady(),
    ]);
    // Which subnet each hit lives in, from the sidebar's data (already loaded).
    const cidrs = new Map(treeData().subnets.map((s) => [s.id, s.cidr]));
    mount(
      container,
      heading,
      subnets && subnets.items.length
        ? h(
            "section",
            null,
            h("h2", null, "Subnets"),
            h("ul", { class: "plain" }, subnets.items.map((s) => h("li", null, h("a", { href: `/subnets/${s.id}` }, s.cidr), s.name ? ` ${s.name} ` : " ", utilBar(s.utilization)))),
          )
        : null,
      h("h2", null, `Addresses (${addresses.total})`),
      addresses.items.length
        ? h(
            "div",
            { class: "table-wrap" },
            stackable(h(
              "table",
              { class: "results" },
              h("thead", null, h("tr", null, ["IP", "Subnet", "Hostname", "Status", "Owner", "MAC", "Description"].map((t) => h("th", { scope: "col" }, t)))),
              h(
                "tbody",
                null,
                addresses.items.map((a) =>
                  h(
                    "tr",
                    null,
                    h("td", null, h("a", { href: `/subnets/${a.subnet_id}` }, a.ip)),
                    h("td", null, cidrs.get(a.subnet_id) ?? ""),
                    h("td", null, a.hostname),
                    h("td", null, statusBadge(a.status)),
                    h("td", null, a.owner),
                    h("td", null, a.mac ?? ""),
                    h("td", null, a.description),
                  ),
                ),
              ),
            )),
          )
        : h("p", { class: "muted" }, "No address matches."),
    );
  } catch (failure) {
    mount(container, heading, h("p", { class: "error", role: "alert" }, messageOf(failure)));
  }
}
