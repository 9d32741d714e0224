/**
 * Settings → API Keys [doc]: "Generate Key" → Name and Scope → "Generate" → the full key,
 * shown once, with Copy and a warning. The list shows name, prefix, scope, created, last used
 * and a trash button (`Revoke <name>`) that asks for confirmation in a real dialog.
 */
import { keyScopesAllowed } from "../access";
import { api, messageOf } from "../api";
import { confirmDialog, openDialog, valueOf } from "../dialog";
import { errorLine, field, focusIfLost, h, mount, select, stackable, toast } from "../dom";
import { when } from "../format";
import { icon } from "../icons";
import type { ApiKey, List } from "../types";

export function apiKeysSection(): HTMLElement {
  const list = h("div", { class: "keys-list" }, h("p", { class: "muted" }, "Loading keys…"));
  const generate = h("button", { type: "button", class: "primary", onclick: () => generateDialog(reload) }, icon("key"), "Generate Key");
  // After a revoke the row (and the trash button that had focus) is gone: focus Generate Key.
  const reload = (afterRevoke = false): Promise<void> => loadKeys(list, reload).then(() => void (afterRevoke && focusIfLost(generate)));
  const section = h(
    "section",
    { class: "card", id: "api-keys", "aria-labelledby": "api-keys-title" },
    h(
      "div",
      { class: "section-head" },
      h("h2", { id: "api-keys-title" }, "API Keys"),
      generate,
    ),
    h(
      "p",
      { class: "muted" },
      "Keys let scripts and CI use the API with ",
      h("code", null, "Authorization: Bearer ipc_…"),
      ". A key can do what its scope allows, within your own role and your plan. The full key is shown once.",
    ),
    list,
  );
  void reload();
  return section;
}

async function loadKeys(container: HTMLElement, reload: (afterRevoke?: boolean) => Promise<void>): Promise<void> {
  try {
    const page = await api<List<ApiKey>>("GET", "/api/v1/api-keys?limit=1000");
    if (page.items.length === 0) {
      mount(container, h("p", { class: "muted" }, "No API keys yet."));
      return;
    }
    mount(
      container,
      h(
        "div",
        { class: "table-wrap" },
        stackable(h(
          "table",
          { class: "keys" },
          h("thead", null, h("tr", null, ["Name", "Prefix", "Scope", "Created", "Last used", ""].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            null,
            page.items.map((key) =>
              h(
                "tr",
                { "data-key-id": key.id },
                h("td", { class: "key-name" }, key.name),
                h("td", null, h("code", { class: "key-prefix" }, key.prefix)),
                h("td", null, h("span", { class: "badge" }, key.scope)),
                h("td", { class: "when", title: key.created_at }, when(key.created_at)),
                h("td", { class: "when", title: key.last_used_at ?? "" }, when(key.last_used_at)),
                h(
                  "td",
                  { class: "row-actions" },
                  h(
                    "button",
                    { type: "button", class: "icon-button danger", "aria-label": `Revoke ${key.name}`, title: `Revoke ${key.name}`, onclick: () => revoke(key, reload) },
                    icon("trash"),
                  ),
                ),
              ),
            ),
          ),
        )),
      ),
    );
  } catch (failure) {
    mount(container, h("p", { class: "error", role: "alert" }, messageOf(failure)));
  }
}

async function revoke(key: ApiKey, reload: (afterRevoke?: boolean) => Promise<void>): Promise<void> {
  const ok = await confirmDialog(`Revoke “${key.name}”?`, `Anything using ${key.prefix}… stops working immediately. This cannot be undone.`, "Revoke");
  if (!ok) return;
  try {
    await api("DELETE", `/api/v1/api-keys/${key.id}`);
    toast(`Key “${key.name}” revoked`);
  } catch (failure) {
    toast(messageOf(failure));
  }
  await reload(true);
}

function generateDialog(reload: () => Promise<void>): void {
  const allowed = keyScopesAllowed();
  const error = errorLine();
  const name = h("input", { name: "name", required: true, autocomplete: "off", placeholder: "CI/CD Pipeline" });
  const submit = h("button", { type: "submit", class: "primary" }, "Generate");
  const cancel = h("button", { type: "button" }, "Cancel");
  const form = h(
    "form",
    { novalidate: true },
    field("Name", name, "What will use it, e.g. “CI/CD Pipeline” or “Monitoring Script”."),
    // Only what the API would grant: a viewer's keys and a read-only plan's keys can only read.
    field("Scope", select("scope", [["read", "Read — look up subnets and addresses"], ...(allowed.write ? [["write", "Write — also create, assign and delete"] as [string, string]] : [])], "read")),
    allowed.write ? null : h("p", { class: "muted" }, allowed.why),
    error,
    h("div", { class: "actions" }, h("span", { class: "spacer" }), cancel, submit),
  );
  let created = false;
  const dialog = openDialog("Generate API key", form, { wide: true, onClose: () => created && void reload() });
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.show(null);
    if (!valueOf(form, "name")) {
      error.show("Give the key a name.");
      name.focus();
      return;
    }
    submit.disabled = true;
    try {
      const key = await api<ApiKey>("POST", "/api/v1/api-keys", { name: valueOf(form, "name"), scope: valueOf(form, "scope") });
      created = true;
      showKeyOnce(dialog.el, form, key, () => dialog.close());
    } catch (failure) {
      error.show(messageOf(failure));
      submit.disabled = false;
    }
  });
}

/** Replaces the form with the full key: Copy, the warning, Done. The key lives only in this dialog. */
function showKeyOnce(dialogEl: HTMLDialogElement, form: HTMLFormElement, key: ApiKey, close: () => void): void {
  const value = h("input", { class: "full-key", readonly: true, value: key.key ?? "", "aria-label": "Your new API key", spellcheck: "false" });
  const copied = h("span", { class: "muted", role: "status" });
  const copy = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: async () => {
        value.select();
        let ok = false;
        try {
          await navigator.clipboard.writeText(value.value);
          ok = true;
        } catch {
          // Plain http on a LAN address is not a secure context: no async clipboard there.
          ok = document.execCommand("copy");
        }
        copied.textContent = ok ? "Copied" : "Select the key and copy it by hand";
      },
    },
    icon("copy"),
    "Copy",
  );
  const done = h("button", { type: "button", onclick: close }, "Done");
  const heading = dialogEl.querySelector("h2");
  if (heading) heading.textContent = `Key “${key.name}” created`;
  form.replaceWith(
    h(
      "div",
      { class: "key-once" },
      h("p", { class: "warning", role: "alert" }, h("strong", null, "Copy this key now. "), "It will not be shown again: only its prefix is kept. If you lose it, generate a new one."),
      h("div", { class: "copy-row" }, value, copy),
      copied,
      h("p", { class: "muted" }, "Use it as ", h("code", null, "Authorization: Bearer <key>"), `. Scope: ${key.scope}.`),
      h("div", { class: "actions" }, h("span", { class: "spacer" }), done),
    ),
  );
  value.focus();
  value.select();
}
