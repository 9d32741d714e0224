/** `/settings` [doc]: API Keys, then Organization, then Users (admins), then a link to Webhooks (admins). */
import { h, mount } from "../dom";
import type { Me } from "../types";
import { apiKeysSection } from "./api-keys";
import { organizationSection, usersSection } from "./org-users";

export function settingsPage(container: HTMLElement, me: Me): void {
  document.title = "Settings · IPCraft";
  const manager = me.user.role === "owner" || me.user.role === "admin";
  mount(
    container,
    h("h1", { tabindex: "-1" }, "Settings"),
    apiKeysSection(),
    organizationSection(me),
    usersSection(me),
    // Webhooks are for owners and admins (the API answers 403 to others).
    manager
      ? h("section", { class: "card", "aria-labelledby": "webhooks-title" }, h("h2", { id: "webhooks-title" }, "Webhooks"), h("p", null, "Tell your scripts and DNS sync about every change: ", h("a", { href: "/settings/webhooks" }, "Manage webhooks"), "."))
      : null,
  );
}
