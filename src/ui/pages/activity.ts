/**
 * The activity log: every write, newest first, paged with the API's cursor, filtered by who,
 * action and kind of object (the filters live in the address, so a filtered view is a link).
 * Targets link to what they name (subnet, folder, address); ids in the changes are shown by
 * name, looked up in the folders and subnets the sidebar has already loaded (no request per
 * row). `historyPanel` is the same table for one object (a subnet's page, an address's dialog).
 */
import { api, messageOf, withQuery } from "../api";
import { field, h, mount, select } from "../dom";
import { when } from "../format";
import { navigate } from "../router";
import { pagedRows } from "../paged-rows";
import { loadSections, subnetsByIds } from "../subnet-cache";
import type { ActivityEntry, List } from "../types";

/** The API's filters (`section` is a folder here; the API keeps its name). */
interface Filter {
  actor?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
}

const OBJECTS: [string, string][] = [
  ["", "Any object"],
  ["subnet", "Subnet"],
  ["section", "Folder"],
  ["address", "Address"],
  ["vrf", "VRF"],
  ["user", "User"],
  ["api_key", "API key"],
  ["webhook", "Webhook"],
  ["organization", "Organization"],
];

const VERBS = ["create", "update", "delete", "import", "split", "invite", "join", "remove", "revoke"];

export async function activityPage(container: HTMLElement): Promise<void> {
  document.title = "Activity · IPCraft";
  const params = new URLSearchParams(location.search);
  const filter: Filter = {};
  for (const key of ["actor", "action", "target_type", "target_id"] as const) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  const actor = h("input", { name: "actor", autocomplete: "off", value: filter.actor ?? "", placeholder: "email, key name or id" });
  const action = h("input", { name: "action", autocomplete: "off", value: uiWords(filter.action ?? ""), placeholder: "e.g. subnet.create", list: "activity-actions" });
  const actions = h(
    "datalist",
    { id: "activity-actions" },
    OBJECTS.slice(1).flatMap(([type]) => VERBS.map((verb) => h("option", { value: `${uiWords(type)}.${verb}` }))),
  );
  const object = select("target_type", OBJECTS, filter.target_type ?? "");
  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter activity",
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        const typed = action.value.trim();
        navigate(
          withQuery("/activity", {
            actor: actor.value.trim(),
            action: typed ? apiWords(typed) : "",
            target_type: object.value,
            target_id: filter.target_id,
          }),
        );
      },
    },
    field("Who", actor),
    field("Action", action),
    actions,
    field("Object", object),
    h("button", { type: "submit" }, "Filter"),
    Object.keys(filter).length ? h("a", { href: "/activity", class: "clear" }, "Clear filters") : null,
  );
  mount(container, h("h1", { tabindex: "-1" }, "Activity"), form, activityTable(filter, { empty: Object.keys(filter).length ? "Nothing matches these filters." : "Nothing has happened yet." }));
}

/**
 * One object's history (a subnet, an address): a disclosure that loads its entries when
 * first opened, so pages that never open it cost no request.
 */
export function historyPanel(targetId: string, label = "History"): HTMLElement {
  const body = h("div", { class: "history-body" });
  const panel = h("details", { class: "history" }, h("summary", null, label), body);
  let loaded = false;
  panel.addEventListener("toggle", () => {
    if (!panel.open || loaded) return;
    loaded = true;
    mount(body, activityTable({ target_id: targetId }, { empty: "No changes recorded.", limit: 10 }), h("p", null, h("a", { href: withQuery("/activity", { target_id: targetId }) }, "All of its activity")));
  });
  return panel;
}

/** The entries matching `filter`, newest first, with "Load more". */
function activityTable(filter: Filter, options: { empty: string; limit?: number }): HTMLElement {
  const body = h("tbody");
  const status = h("p", { class: "muted", "aria-live": "polite" }, "Loading…");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  const table = h("table", { class: "activity" }, h("thead", null, h("tr", null, ["When", "Who", "Action", "Target", "Changes"].map((t) => h("th", { scope: "col" }, t)))), body);
  void pagedRows({
    table,
    status,
    more,
    empty: options.empty,
    fetchPage: (cursor) => api<List<ActivityEntry>>("GET", withQuery("/api/v1/activity", { ...filter, limit: options.limit ?? 50, cursor })),
    async rows(items) {
      const names = await nameLookup(items);
      return items.map((entry) => row(entry, names));
    },
    focusIn: (added) => added.querySelector<HTMLElement>("a"),
  });
  return h("div", { class: "activity-list" }, h("div", { class: "table-wrap" }, table), status, more);
}

/** What an id in a change stands for: its label and where it lives in the app. */
type Named = { label: string; href: string };
type Names = (field: string, id: string) => Named | null;

/** Folder and subnet ids in these entries' changes → names and links (the subnets fetched by id, cached). */
async function nameLookup(entries: ActivityEntry[]): Promise<Names> {
  const subnetIds = entries.flatMap((e) =>
    Object.entries(e.changes ?? {}).flatMap(([key, pair]) => (key === "parent_id" || key === "subnet_id" ? pair.filter((v): v is string => typeof v === "string" && v !== "") : [])),
  );
  const [sections, subnets] = await Promise.all([loadSections(), subnetsByIds(subnetIds)]);
  const folders = new Map(sections.map((s) => [s.id, { label: s.name, href: `/folders/${s.id}` }]));
  const nets = new Map([...subnets.values()].map((s) => [s.id, { label: s.name ? `${s.cidr} ${s.name}` : s.cidr, href: `/subnets/${s.id}` }]));
  return (field, id) => (field === "section_id" ? folders.get(id) : field === "parent_id" || field === "subnet_id" ? nets.get(id) : undefined) ?? null;
}

/** The UI's words for the API's: sections are folders here. */
const FIELD_LABELS: Record<string, string> = { section_id: "folder", parent_id: "parent", subnet_id: "subnet" };
const uiWords = (text: string) => text.replace(/^section\./, "folder.").replace(/^section$/, "folder");
const apiWords = (text: string) => text.toLowerCase().replace(/^folder\./, "section.").replace(/^folder$/, "section").replace(/^api key\./, "api_key.");

function row(entry: ActivityEntry, names: Names): HTMLElement {
  const changes = Object.entries(entry.changes ?? {}).map(([key, [from, to]]) =>
    h("span", { class: "change" }, `${FIELD_LABELS[key] ?? key}: `, show(key, from, names), " → ", show(key, to, names)),
  );
  return h(
    "tr",
    null,
    h("td", { class: "when", title: entry.at }, when(entry.at)),
    // The space keeps "name (ipc_…)" and the badge apart.
    h(
      "td",
      null,
      // Who → everything they did.
      h("a", { href: withQuery("/activity", { actor: entry.actor.id ?? entry.actor.label }), title: `Everything by ${entry.actor.label}` }, entry.actor.label),
      entry.actor.type === "api_key" ? [" ", h("span", { class: "badge" }, "key")] : null,
    ),
    h("td", null, h("code", null, uiWords(entry.action))),
    h("td", null, target(entry)),
    h("td", { class: "changes" }, changes.flatMap((c, i) => (i ? ["; ", c] : [c]))),
  );
}

/** The target as a link to its page, unless it was deleted (or has no page). */
function target(entry: ActivityEntry): Node | string {
  const { type, id, label } = entry.target;
  const text = label || uiWords(type);
  if (!id || entry.action.endsWith(".delete") || entry.action.endsWith(".remove") || entry.action.endsWith(".revoke")) return text;
  const href =
    type === "subnet" ? `/subnets/${id}`
    : type === "section" ? `/folders/${id}`
    // An address has no page of its own: search finds its record (exact match first).
    : type === "address" ? `/search?q=${encodeURIComponent(label)}`
    : type === "api_key" || type === "user" || type === "organization" ? "/settings"
    : null;
  return href ? h("a", { href }, text) : text;
}

function show(field: string, value: unknown, names: Names): Node | string {
  if (value === null || value === undefined || value === "") return "∅";
  if (typeof value === "string" && field.endsWith("_id")) {
    const named = names(field, value);
    // Not among today's folders and subnets (deleted since): a short id, the full one on hover.
    return named ? h("a", { href: named.href }, named.label) : h("span", { title: `${value} (no longer exists)` }, `${value.slice(0, 8)}…`);
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}
