/**
 * Search across the organization: addresses by IP, hostname, owner, MAC (and subnets by
 * CIDR/name). When the query is an IP address, its exact record comes first; an IP with no
 * record shows the subnets that contain it, whether it is free there, and "Assign".
 */
import { canWrite, forWriters } from "../access";
import { api, ApiFailure, messageOf, withQuery } from "../api";
import { focusIfLost, h, mount, stackable } from "../dom";
import { refreshUtilization, subnetsByIds } from "../subnet-cache";
import type { Address, FreeRange, List, Subnet } from "../types";
import { utilBar } from "../util-bar";
import { assignChosenDialog, statusBadge } from "./address-dialogs";
import { vrfTag } from "../vrf-label";

/** `focusAfter`: a selector to focus once drawn, if focus was lost meanwhile (the redraw after Assign). */
export async function searchPage(container: HTMLElement, focusAfter?: string): Promise<void> {
  const q = new URLSearchParams(location.search).get("q")?.trim() ?? "";
  document.title = `Search ${q} · IPCraft`;
  const heading = h("h1", { tabindex: "-1" }, q ? `Results for “${q}”` : "Search");
  if (!q) {
    mount(container, heading, h("p", { class: "muted" }, "Type an IP, hostname, owner or MAC address in the search box."));
    return;
  }
  mount(container, heading, h("p", { class: "muted" }, "Searching…"));
  try {
    const ip = await canonicalIp(q);
    const [addresses, subnets, exact] = await Promise.all([
      api<List<Address>>("GET", withQuery("/api/v1/addresses", { q, limit: 200 })),
      api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { q, limit: 50 })).catch(() => null),
      ip ? api<List<Address>>("GET", withQuery("/api/v1/addresses", { ip, limit: 100 })) : null,
    ]);
    // Exact IP matches first, then the rest in the API's (IP) order.
    const exactIds = new Set(exact?.items.map((a) => a.id) ?? []);
    const rows = [...(exact?.items ?? []), ...addresses.items.filter((a) => !exactIds.has(a.id))];
    const cidrs = await subnetsByIds(rows.map((a) => a.subnet_id));
    const rerender = () => {
      for (const s of cidrs.values()) void refreshUtilization(s);
      // The Assign button is gone with the redraw: the new record's row takes focus.
      if (container.isConnected) void searchPage(container, "tr.exact a");
    };
    mount(
      container,
      heading,
      ip && exact && exact.items.length === 0 ? await noRecord(ip, rerender) : null,
      subnets && subnets.items.length
        ? h(
            "section",
            null,
            h("h2", null, "Subnets"),
            h("ul", { class: "plain" }, subnets.items.map((s) => h("li", null, h("a", { href: `/subnets/${s.id}` }, s.cidr), vrfTag(s), s.name ? ` ${s.name} ` : " ", utilBar(s.utilization)))),
          )
        : null,
      h("h2", null, `Addresses (${Math.max(addresses.total, rows.length)})`),
      rows.length ? addressTable(rows, exactIds, cidrs) : h("p", { class: "muted" }, "No address matches."),
    );
    if (focusAfter) focusIfLost(container.querySelector<HTMLElement>(focusAfter));
  } catch (failure) {
    mount(container, heading, h("p", { class: "error", role: "alert" }, messageOf(failure)));
  }
}

/**
 * The canonical text of `q` when it is one IP address, else null — from the API's own
 * calculator (a single-address block's network is the address), so the page parses nothing.
 */
async function canonicalIp(q: string): Promise<string | null> {
  if (!/^[0-9a-fA-F:.]+$/.test(q) || (!q.includes(":") && q.split(".").length !== 4)) return null;
  // IPv6 without "::" has 8 groups (7 and a dotted quad at the end): a MAC's 6 are not an
  // address, and asking the API would only log a 400 in the console.
  const groups = q.split(":").length;
  if (q.includes(":") && !q.includes("::") && groups !== 8 && !(groups === 7 && q.includes("."))) return null;
  try {
    const info = await api<{ network: string }>("GET", withQuery("/api/v1/tools/subnet", { cidr: `${q}/${q.includes(":") ? 128 : 32}` }));
    return info.network;
  } catch (failure) {
    if (failure instanceof ApiFailure && failure.status === 400) return null;
    throw failure;
  }
}

function addressTable(rows: Address[], exactIds: Set<string>, subnets: Map<string, Subnet>): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    stackable(
      h(
        "table",
        { class: "results" },
        h("thead", null, h("tr", null, ["IP", "Subnet", "Hostname", "Status", "Owner", "MAC", "Description"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          null,
          rows.map((a) =>
            h(
              "tr",
              { class: exactIds.has(a.id) ? "exact" : null, "data-ip": a.ip },
              h("td", null, h("a", { href: `/subnets/${a.subnet_id}` }, a.ip), exactIds.has(a.id) ? [" ", h("span", { class: "badge" }, "exact match")] : null),
              h("td", null, subnets.get(a.subnet_id)?.cidr ?? ""),
              h("td", null, a.hostname),
              h("td", null, statusBadge(a.status)),
              h("td", null, a.owner),
              h("td", null, a.mac ?? ""),
              h("td", null, a.description),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * `ip` has no record: the subnets that contain it (outermost first, per VRF), and for the
 * innermost one of each VRF whether the address is free — asked of the server (its free
 * ranges from `ip`), which knows the usable rule — with a button to assign it.
 */
async function noRecord(ip: string, done: () => void): Promise<HTMLElement> {
  const containing = await api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { contains: ip, limit: 100 }));
  const card = h("section", { class: "card no-record", "aria-label": `${ip} has no record` }, h("h2", null, `${ip} has no record`));
  if (containing.items.length === 0) {
    card.append(h("p", null, canWrite() ? "No subnet contains this address. Create one to start tracking it." : "No subnet contains this address."));
    return card;
  }
  // The innermost of each VRF: a subnet with no other result inside it in the same VRF.
  const innermost = new Map<string, Subnet>();
  for (const s of containing.items) {
    const best = innermost.get(s.vrf);
    if (!best || s.prefix_length > best.prefix_length) innermost.set(s.vrf, s);
  }
  const verdicts = new Map<string, Node>();
  await Promise.all(
    [...innermost.values()].map(async (subnet) => {
      const free = await api<{ ranges: FreeRange[] }>("GET", withQuery(`/api/v1/subnets/${subnet.id}/free`, { from: ip, limit: 1 }));
      verdicts.set(
        subnet.id,
        free.ranges[0]?.start === ip
          ? h(
              "span",
              { class: "verdict" },
              h("span", { class: "badge", "data-status": "available" }, "free"),
              forWriters([" ", h("button", { type: "button", class: "primary", "data-focus": `assign-${subnet.id}`, onclick: () => assignChosenDialog(subnet, ip, done) }, `Assign ${ip}`)]),
            )
          : h("span", { class: "verdict muted" }, `not usable in ${subnet.cidr} (its network or broadcast address)`),
      );
    }),
  );
  const vrfs = new Set(containing.items.map((s) => s.vrf));
  card.append(
    h("p", { class: "muted" }, vrfs.size > 1 ? "Subnets containing it, in each VRF:" : "Subnets containing it:"),
    h(
      "ul",
      { class: "plain containing" },
      containing.items.map((s) =>
        h(
          "li",
          { "data-cidr": s.cidr },
          h("a", { href: `/subnets/${s.id}` }, s.cidr),
          vrfs.size > 1 || s.vrf !== "default" ? h("span", { class: "badge" }, `VRF ${s.vrf}`) : null,
          s.name ? h("span", null, s.name) : null,
          verdicts.get(s.id) ?? null,
        ),
      ),
    ),
  );
  return card;
}
