/** `/settings` [doc]: API Keys, then Organization, then Users (admins). */
import { h, mount } from "../dom";
import type { Me } from "../types";
import { apiKeysSection } from "./api-keys";
import { organizationSection, usersSection } from "./org-users";

export function settingsPage(container: HTMLElement, me: Me): void {
  document.title = "Settings · IPCraft";
  mount(container, h("h1", { tabindex: "-1" }, "Settings"), apiKeysSection(), organizationSection(me), usersSection(me));
}
