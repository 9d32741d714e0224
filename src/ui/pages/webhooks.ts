/**
 * `/settings/webhooks` (owners and admins) over the webhook API (issue 14): the list, New
 * webhook (URL, events, optional secret; a generated secret is shown once), Test (a signed
 * ping, answered with the receiver's status), Pause/Resume, Delete, and each webhook's
 * delivery log. Every button is a real button: the whole page works from the keyboard.
 */
import { api, isMissingRoute, messageOf, withQuery } from "../api";
import { confirmDialog, formDialog, openDialog, valueOf } from "../dialog";
import { field, focusIfLost, h, mount, stackable, toast } from "../dom";
import { pagedRows } from "../paged-rows";
import { when } from "../format";
import { icon } from "../icons";
import type { List, Me } from "../types";

interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  description: string;
  created_at: string;
  updated_at: string;
  secret?: string;
}

interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

/** The event families offered as checkboxes (the API's target types; sections are folders here). */
const FAMILIES: [string, string][] = [
  ["address.*", "Addresses"],
  ["subnet.*", "Subnets"],
  ["section.*", "Folders"],
  ["vrf.*", "VRFs"],
  ["user.*", "Users"],
  ["api_key.*", "API keys"],
  ["organization.*", "Organization"],
  ["webhook.*", "Webhooks"],
];

export function webhooksPage(container: HTMLElement, me: Me): void {
  document.title = "Webhooks · IPCraft";
  // The API answers 403 to members and viewers: say so instead of offering New webhook.
  if (me.user.role !== "owner" && me.user.role !== "admin") {
    mount(
      container,
      h("h1", { tabindex: "-1" }, "Webhooks"),
      h("p", null, "Webhooks are managed by your organization's owners and admins. ", h("a", { href: "/settings" }, "Back to Settings"), "."),
    );
    return;
  }
  const list = h("div", null, h("p", { class: "muted" }, "Loading webhooks…"));
  const create = h("button", { type: "button", class: "primary", "data-focus": "new-webhook", onclick: () => createDialog(reload) }, icon("plus"), "New webhook");
  const reload = (afterRemove = false): Promise<void> => loadWebhooks(list, reload).then(() => void (afterRemove && focusIfLost(create)));
  mount(
    container,
    h("div", { class: "page-head" }, h("div", null, h("h1", { tabindex: "-1" }, "Webhooks"), h("p", { class: "subtitle" }, h("a", { href: "/settings" }, "Settings"), " · signed event POSTs to your receivers")), h("div", { class: "toolbar" }, create)),
    h(
      "p",
      { class: "muted" },
      "Each change is POSTed as JSON with ",
      h("code", null, "X-IPCraft-Signature: t=…,v1=…"),
      " (HMAC-SHA256 of “t.body” with the webhook's secret), retried with backoff for 24 hours. Receivers on your LAN are fine. ",
      h("a", { href: "/docs#/Webhooks" }, "API docs"),
      ".",
    ),
    list,
  );
  void reload();
}

async function loadWebhooks(container: HTMLElement, reload: (afterRemove?: boolean) => Promise<void>): Promise<void> {
  let page: List<Webhook>;
  try {
    page = await api<List<Webhook>>("GET", "/api/v1/webhooks?limit=200");
  } catch (failure) {
    mount(container, h("p", { class: isMissingRoute(failure) ? "muted" : "error" }, isMissingRoute(failure) ? "Webhooks are not available on this server." : messageOf(failure)));
    return;
  }
  if (page.items.length === 0) {
    mount(container, h("p", { class: "muted" }, "No webhooks yet."));
    return;
  }
  const deliveries = h("div", { class: "deliveries" });
  mount(
    container,
    h(
      "div",
      { class: "table-wrap" },
      stackable(
        h(
          "table",
          { class: "webhooks" },
          h("thead", null, h("tr", null, ["URL", "Events", "State", "Created", ""].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", null, page.items.map((hook) => row(hook, reload, deliveries))),
        ),
      ),
    ),
    deliveries,
  );
}

function row(hook: Webhook, reload: (afterRemove?: boolean) => Promise<void>, deliveries: HTMLElement): HTMLElement {
  const label = hook.description || hook.url;
  return h(
    "tr",
    { "data-id": hook.id },
    h("td", null, h("code", { class: "url" }, hook.url), hook.description ? h("div", { class: "muted" }, hook.description) : null),
    h("td", null, hook.events.map((e, i) => [i ? " " : "", h("code", null, e.replace(/^section\./, "folder."))])),
    h("td", null, hook.active ? h("span", { class: "badge ok" }, "active") : h("span", { class: "badge" }, "paused")),
    h("td", { title: hook.created_at }, when(hook.created_at)),
    h(
      "td",
      { class: "row-actions" },
      h("button", { type: "button", "aria-label": `Test ${label}`, onclick: () => ping(hook, deliveries) }, "Test"),
      h("button", { type: "button", "aria-label": `Deliveries of ${label}`, onclick: () => showDeliveries(hook, deliveries) }, "Deliveries"),
      h(
        "button",
        {
          type: "button",
          "aria-label": `${hook.active ? "Pause" : "Resume"} ${label}`,
          "data-action": "toggle",
          onclick: async () => {
            try {
              await api("PATCH", `/api/v1/webhooks/${hook.id}`, { active: !hook.active });
              toast(`${hook.url} ${hook.active ? "paused: nothing is sent until you resume it" : "resumed"}`);
            } catch (failure) {
              toast(messageOf(failure));
            }
            await reload();
            // The row was drawn anew: focus goes to its new Resume (or Pause) button.
            focusIfLost(document.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(hook.id)}"] [data-action="toggle"]`));
          },
        },
        hook.active ? "Pause" : "Resume",
      ),
      h(
        "button",
        {
          type: "button",
          class: "icon-button danger",
          "aria-label": `Delete ${label}`,
          title: "Delete",
          onclick: async () => {
            if (!(await confirmDialog(`Delete the webhook to ${hook.url}?`, "Nothing more is sent to it, and its delivery log goes too.", "Delete"))) return;
            try {
              await api("DELETE", `/api/v1/webhooks/${hook.id}`);
              toast(`Webhook to ${hook.url} deleted`);
              mount(deliveries);
            } catch (failure) {
              toast(messageOf(failure));
            }
            await reload(true);
          },
        },
        icon("trash"),
      ),
    ),
  );
}

/** Test: a signed ping now; the toast says what the receiver answered. */
async function ping(hook: Webhook, deliveries: HTMLElement): Promise<void> {
  try {
    const attempt = await api<Delivery>("POST", `/api/v1/webhooks/${hook.id}/ping`);
    toast(
      attempt.status === "succeeded"
        ? `Ping delivered: ${hook.url} answered ${attempt.last_status}`
        : `Ping failed: ${attempt.last_error ?? (attempt.last_status ? `${hook.url} answered ${attempt.last_status}` : "no answer")}`,
    );
    if (deliveries.dataset.webhook === hook.id) await showDeliveries(hook, deliveries);
  } catch (failure) {
    toast(messageOf(failure));
  }
}

/** The webhook's delivery log, newest first, under the table (50 at a time). */
async function showDeliveries(hook: Webhook, container: HTMLElement): Promise<void> {
  container.dataset.webhook = hook.id;
  const heading = h("h2", { tabindex: "-1" }, `Deliveries to ${hook.url}`);
  const body = h("tbody");
  const status = h("p", { class: "muted", "aria-live": "polite" }, "Loading…");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  const table = h(
    "table",
    { class: "deliveries" },
    h("thead", null, h("tr", null, ["When", "Event", "Status", "Attempts", "Last answer", "Next attempt"].map((t) => h("th", { scope: "col" }, t)))),
    body,
  );
  mount(container, h("section", { class: "card", "aria-label": `Deliveries to ${hook.url}` }, heading, h("div", { class: "table-wrap" }, table), status, more));
  await pagedRows({
    table,
    status,
    more,
    empty: "Nothing sent yet. Test sends a ping; changes are sent as they happen.",
    fetchPage: (cursor) => api<List<Delivery>>("GET", withQuery(`/api/v1/webhooks/${hook.id}/deliveries`, { limit: 50, cursor })),
    // Rows take focus from script only (tabindex -1): where "Load more" sends it on the last page.
    rows: (items) =>
      items.map((d) =>
        h(
          "tr",
          { tabindex: "-1" },
          h("td", { title: d.created_at }, when(d.created_at)),
          h("td", null, h("code", null, d.event_type.replace(/^section\./, "folder."))),
          h("td", null, h("span", { class: `badge delivery-${d.status}` }, d.status)),
          h("td", null, String(d.attempts)),
          h("td", null, d.last_status !== null ? `HTTP ${d.last_status}` : "", d.last_error ? `${d.last_status !== null ? " · " : ""}${d.last_error}` : ""),
          h("td", null, d.next_attempt_at ? when(d.next_attempt_at) : "—"),
        ),
      ),
  });
  heading.focus();
}

function createDialog(reload: () => Promise<void>): void {
  const boxes = FAMILIES.map(([pattern, label]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "family", value: pattern, checked: pattern === "address.*" || pattern === "subnet.*" }), ` ${label} `, h("code", null, pattern.replace(/^section\./, "folder."))),
  );
  const dialog = formDialog({
    title: "New webhook",
    submitLabel: "Create webhook",
    fields: [
      field("URL", h("input", { name: "url", type: "url", required: true, autocomplete: "off", spellcheck: "false", placeholder: "http://dns-sync.lan:9000/ipcraft" })),
      h("fieldset", { class: "events" }, h("legend", null, "Events"), boxes, h("label", { class: "check" }, h("input", { type: "checkbox", name: "all" }), " Every event ", h("code", null, "*"))),
      field("More events", h("input", { name: "patterns", autocomplete: "off", spellcheck: "false", placeholder: "e.g. subnet.delete, user.invite" }), "optional; comma-separated"),
      field("Description", h("input", { name: "description", autocomplete: "off", maxlength: 1000 }), "optional"),
      field("Secret", h("input", { name: "secret", autocomplete: "off", spellcheck: "false" }), "optional, 16+ characters; empty: the server makes one and shows it once"),
    ],
    async onSubmit(form) {
      const events = form.querySelector<HTMLInputElement>('input[name="all"]')!.checked
        ? ["*"]
        : [
            ...[...form.querySelectorAll<HTMLInputElement>('input[name="family"]:checked')].map((b) => b.value),
            ...valueOf(form, "patterns")
              .split(/[\s,]+/)
              .filter(Boolean)
              .map((p) => p.replace(/^folder\./, "section.")),
          ];
      const description = valueOf(form, "description");
      const secret = valueOf(form, "secret");
      const created = await api<Webhook>("POST", "/api/v1/webhooks", { url: valueOf(form, "url"), events, ...(description ? { description } : {}), ...(secret ? { secret } : {}) });
      toast(`Webhook to ${created.url} created`);
      await reload();
      if (!secret && created.secret) showSecretOnce(created);
    },
  });
  void dialog;
}

/** A generated secret, shown once: receivers need it to verify signatures. */
function showSecretOnce(hook: Webhook): void {
  const value = h("input", { class: "full-key", readonly: true, value: hook.secret ?? "", "aria-label": "The webhook's secret", spellcheck: "false" });
  const done = h("button", { type: "button", class: "primary" }, "Done");
  const dialog = openDialog(
    "Signing secret",
    h(
      "div",
      { class: "key-once" },
      h("p", { class: "warning", role: "alert" }, h("strong", null, "Copy this secret now. "), "It is not shown again; your receiver needs it to check the X-IPCraft-Signature header."),
      value,
      h("div", { class: "actions" }, h("span", { class: "spacer" }), done),
    ),
    // It was opened from the New webhook dialog, which is gone: focus goes back to the page's
    // New webhook (Done or Escape alike) instead of falling to <body>.
    { wide: true, onClose: () => focusIfLost(document.querySelector<HTMLElement>('[data-focus="new-webhook"]')) },
  );
  done.addEventListener("click", () => dialog.close());
  value.focus();
  value.select();
}
