/**
 * Settings → Organization (name, plan, limits and usage) and Users (invite, role, remove) for
 * admins. Each shows the API's error sentence, and a plain note if this server lacks the routes.
 */
import { api, isMissingRoute, messageOf } from "../api";
import { confirmDialog, formDialog, valueOf } from "../dialog";
import { errorLine, field, focusIfLost, h, mount, select, stackable, toast } from "../dom";
import { count, plural, when } from "../format";
import type { List, Me, Organization, Role, User } from "../types";

const ROLES: [Role, string][] = [
  ["owner", "Owner"],
  ["admin", "Admin — users, keys, settings"],
  ["member", "Member — read and write data"],
  ["viewer", "Viewer — read only"],
];

export function organizationSection(me: Me): HTMLElement {
  const body = h("div", null, h("p", { class: "muted" }, "Loading…"));
  const section = h("section", { class: "card", "aria-labelledby": "org-title" }, h("h2", { id: "org-title" }, "Organization"), body);
  void (async () => {
    try {
      const org = await api<Organization>("GET", "/api/v1/organization");
      const canEdit = me.user.role === "owner" || me.user.role === "admin";
      const name = h("input", { name: "name", autocomplete: "organization", value: org.name, readonly: !canEdit });
      const error = errorLine();
      const form = h(
        "form",
        {
          class: "inline-form",
          onsubmit: async (event: SubmitEvent) => {
            event.preventDefault();
            error.show(null);
            try {
              await api("PATCH", "/api/v1/organization", { name: name.value.trim() });
              toast("Organization renamed");
            } catch (failure) {
              error.show(messageOf(failure));
            }
          },
        },
        field("Name", name),
        canEdit ? h("button", { type: "submit" }, "Rename") : null,
      );
      const limits = org.limits ?? {};
      const usage = org.usage ?? {};
      const keys = [...new Set([...Object.keys(usage), ...Object.keys(limits)])];
      mount(
        body,
        form,
        error,
        h("dl", { class: "facts" }, h("dt", null, "Plan"), h("dd", null, h("span", { class: "badge plan" }, org.plan ?? me.organization.plan))),
        keys.length
          ? h(
              "table",
              { class: "usage" },
              h("thead", null, h("tr", null, h("th", { scope: "col" }, "Resource"), h("th", { scope: "col" }, "Used"), h("th", { scope: "col" }, "Limit"))),
              h("tbody", null, keys.map((k) => h("tr", null, h("th", { scope: "row" }, RESOURCE_LABELS[k] ?? k.replace(/_/g, " ")), h("td", null, show(usage[k])), h("td", null, show(limits[k], k === "activity_days" ? "kept forever" : "no limit"))))),
            )
          : null,
      );
    } catch (failure) {
      mount(body, h("p", { class: isMissingRoute(failure) ? "muted" : "error" }, isMissingRoute(failure) ? "Organization settings are not available on this server." : messageOf(failure)));
    }
  })();
  return section;
}

/** The UI's words for the API's limit names: sections are folders here. */
const RESOURCE_LABELS: Record<string, string> = { sections: "folders", api_keys: "API keys", activity_days: "activity kept (days)", rate_limit: "rate limit (req/s)", api: "API access" };

function show(value: unknown, none = "—"): string {
  if (value === null || value === undefined) return none;
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) return count(String(value));
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Settings → Users (owners and admins): the members with their role, invite (the API sends
 * the sign-in link), change a role in place, remove after a confirmation. Owners are only
 * changed by owners, and nobody changes or removes themselves here (the API also refuses
 * to leave an organization without an owner).
 */
export function usersSection(me: Me): HTMLElement | null {
  if (me.user.role !== "owner" && me.user.role !== "admin") return null;
  const body = h("div", null, h("p", { class: "muted" }, "Loading…"));
  const invite = h("button", { type: "button", onclick: () => inviteDialog(me, reload) }, "Invite user");
  // After a removal the row (and its focused Remove button) is gone: focus Invite user.
  const reload = (afterRemove = false): Promise<void> => loadUsers(body, me, reload).then(() => void (afterRemove && focusIfLost(invite)));
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "users-title" },
    h("div", { class: "section-head" }, h("h2", { id: "users-title" }, "Users"), invite),
    body,
  );
  void reload();
  return section;
}

/** The roles `me` may hand out: only owners make owners. */
function grantable(me: Me): [Role, string][] {
  return me.user.role === "owner" ? ROLES : ROLES.filter(([r]) => r !== "owner");
}

function userRow(user: User, me: Me, reload: (afterRemove?: boolean) => Promise<void>): HTMLElement {
  const isMe = user.id === me.user.id;
  // Admins see an owner's role but cannot change or remove an owner.
  const locked = isMe || (user.role === "owner" && me.user.role !== "owner");
  const options = locked ? ROLES.filter(([r]) => r === user.role) : grantable(me);
  const role = select("role", options.map(([r]) => [r, r]), user.role);
  role.setAttribute("aria-label", `Role of ${user.email}`);
  role.disabled = locked;
  role.addEventListener("change", async () => {
    // Disabled while saving, which blurs it: the keyboard user gets it back afterwards.
    const hadFocus = document.activeElement === role;
    role.disabled = true;
    try {
      const updated = await api<User>("PATCH", `/api/v1/users/${user.id}`, { role: role.value });
      user.role = updated.role;
      toast(`${user.email} is now ${updated.role}`);
    } catch (failure) {
      toast(messageOf(failure));
      role.value = user.role;
    }
    role.disabled = false;
    if (hadFocus) focusIfLost(role);
  });
  const remove = h(
    "button",
    {
      type: "button",
      class: "danger",
      "aria-label": `Remove ${user.email}`,
      onclick: async () => {
        const question = user.invited ? "Their invitation is withdrawn and their sign-in link stops working." : "Their API keys and sessions stop working at once. What they created stays.";
        if (!(await confirmDialog(`Remove ${user.email}?`, question, "Remove"))) return;
        try {
          await api("DELETE", `/api/v1/users/${user.id}`);
          toast(`${user.email} removed`);
        } catch (failure) {
          toast(messageOf(failure));
        }
        await reload(true);
      },
    },
    "Remove",
  );
  return h(
    "tr",
    { "data-user": user.email },
    h("td", null, user.email, user.invited ? [" ", h("span", { class: "badge", title: "has not signed in yet" }, "invited")] : null),
    h("td", null, user.name),
    h("td", null, role),
    h("td", { class: "when" }, when(user.last_login_at ?? null)),
    h("td", { class: "row-actions" }, isMe ? h("span", { class: "muted" }, "you") : locked ? null : remove),
  );
}

async function loadUsers(body: HTMLElement, me: Me, reload: (afterRemove?: boolean) => Promise<void>): Promise<void> {
  try {
    const page = await api<List<User>>("GET", "/api/v1/users?limit=1000");
    mount(
      body,
      h(
        "div",
        { class: "table-wrap" },
        stackable(
          h(
            "table",
            { class: "users" },
            h("thead", null, h("tr", null, ["Email", "Name", "Role", "Last sign-in", ""].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", null, page.items.map((user) => userRow(user, me, reload))),
          ),
        ),
      ),
      page.next_cursor ? h("p", { class: "muted" }, `Showing the first ${page.items.length} of ${plural(page.total, "user")}.`) : null,
    );
  } catch (failure) {
    mount(body, h("p", { class: isMissingRoute(failure) ? "muted" : "error" }, isMissingRoute(failure) ? "User management is not available on this server yet." : messageOf(failure)));
  }
}

function inviteDialog(me: Me, reload: (afterRemove?: boolean) => Promise<void>): void {
  formDialog({
    title: "Invite a user",
    submitLabel: "Send invitation",
    intro: h(
      "p",
      { class: "muted" },
      "They get a sign-in link (by mail, or in the server log when no SMTP is configured). It works once, for 7 days; if it is lost or runs out, invite them again.",
    ),
    fields: [
      field("Email", h("input", { type: "email", name: "email", required: true, autocomplete: "off" })),
      field("Name", h("input", { name: "name", autocomplete: "off", maxlength: 100 }), "optional"),
      field("Role", select("role", grantable(me), "member")),
    ],
    async onSubmit(form) {
      const name = valueOf(form, "name");
      const email = valueOf(form, "email");
      const invited = await api<User & { delivery?: "email" | "log" }>("POST", "/api/v1/users/invite", { email, role: valueOf(form, "role"), ...(name ? { name } : {}) });
      // The answer says how the link left: by mail, or (no SMTP configured) only into the server log.
      toast(
        invited.delivery === "email"
          ? `${email} invited: their sign-in link was sent by email`
          : `${email} invited: no mail server is configured, so their sign-in link is only in the server log; pass it on yourself`,
      );
      await reload();
    },
  });
}
