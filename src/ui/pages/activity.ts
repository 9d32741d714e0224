/**
 * The activity log: every write, newest first, paged with the API's cursor. Targets link to
 * what they name (subnet, folder, address); ids in the changes are shown by name, looked up
 * in the folders and subnets the sidebar has already loaded (no request per row).
 */
import { api, messageOf, withQuery } from "../api";
import { h, mount, stackable } from "../dom";
import { when } from "../format";
import { loadSections, subnetsByIds } from "../subnet-cache";
import type { ActivityEntry, List } from "../types";

export async function activityPage(container: HTMLElement): Promise<void> {
  document.title = "Activity · IPCraft";
  const body = h("tbody");
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "Load more");
  const table = h("table", { class: "activity" }, h("thead", null, h("tr", null, ["When", "Who", "Action", "Target", "Changes"].map((t) => h("th", { scope: "col" }, t)))), body);
  let cursor: string | null = null;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api<List<ActivityEntry>>("GET", withQuery("/api/v1/activity", { limit: 50, cursor }));
      const names = await nameLookup(page.items);
      for (const entry of page.items) body.append(row(entry, names));
      stackable(table);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = body.children.length ? "" : "Nothing has happened yet.";
    } catch (failure) {
      status.textContent = messageOf(failure);
      status.className = "error";
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", load);
  mount(container, h("h1", { tabindex: "-1" }, "Activity"), h("div", { class: "table-wrap" }, table), status, more);
  await load();
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

function row(entry: ActivityEntry, names: Names): HTMLElement {
  const changes = Object.entries(entry.changes ?? {}).map(([key, [from, to]]) =>
    h("span", { class: "change" }, `${FIELD_LABELS[key] ?? key}: `, show(key, from, names), " → ", show(key, to, names)),
  );
  return h(
    "tr",
    null,
    h("td", { class: "when", title: entry.at }, when(entry.at)),
    // The space keeps "name (ipc_…)" and the badge apart.
    h("td", null, entry.actor.label, entry.actor.type === "api_key" ? [" ", h("span", { class: "badge" }, "key")] : null),
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
