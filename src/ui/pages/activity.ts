/** The activity log: every write, newest first, paged with the API's cursor. */
import { api, messageOf, withQuery } from "../api";
import { h, mount, stackable } from "../dom";
import { when } from "../format";
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
      for (const entry of page.items) body.append(row(entry));
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
  mount(
    container,
    h("h1", { tabindex: "-1" }, "Activity"),
    h(
      "div",
      { class: "table-wrap" },
      table,
    ),
    status,
    more,
  );
  await load();
}

function row(entry: ActivityEntry): HTMLElement {
  const changes = Object.entries(entry.changes ?? {}).map(([key, [from, to]]) => `${key}: ${show(from)} → ${show(to)}`);
  const target =
    entry.target.type === "subnet" && entry.target.id && !entry.action.endsWith(".delete")
      ? h("a", { href: `/subnets/${entry.target.id}` }, entry.target.label || entry.target.id)
      : entry.target.label || entry.target.type;
  return h(
    "tr",
    null,
    h("td", { class: "when", title: entry.at }, when(entry.at)),
    h("td", null, entry.actor.label, entry.actor.type === "api_key" ? h("span", { class: "badge" }, "key") : null),
    h("td", null, h("code", null, entry.action)),
    h("td", null, target),
    h("td", { class: "changes" }, changes.join("; ")),
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "∅";
  return typeof value === "string" ? value : JSON.stringify(value);
}
