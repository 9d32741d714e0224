/**
 * First start (`/setup#<token>`): the link the server logs while it has no users. The owner
 * types their email (and, if they like, the organization's name); the API spends the token,
 * creates them and sets the session cookie, and the app opens signed in. The token stays in
 * the fragment: it never reaches the server's access log.
 */
import { api, messageOf } from "../api";
import { errorLine, field, h, mount } from "../dom";
import { publicHeader } from "./signin";

export function setupPage(container: HTMLElement): void {
  document.title = "Set up · IPCraft";
  const token = location.hash.replace(/^#/, "");
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email", autofocus: true });
  const organization = h("input", { name: "organization", autocomplete: "organization", maxlength: 100, placeholder: "e.g. Home Lab" });
  const error = errorLine();
  const submit = h("button", { type: "submit", class: "primary wide" }, "Create owner and sign in");
  const form = h(
    "form",
    {
      class: "card signin",
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        error.show(null);
        submit.disabled = true;
        try {
          const name = organization.value.trim();
          await api("POST", "/api/v1/auth/setup", { token, email: email.value.trim(), ...(name ? { organization: name } : {}) });
          // A full load: the app starts over with the new session (and the token leaves the address bar).
          location.replace("/");
        } catch (failure) {
          error.show(messageOf(failure));
          submit.disabled = false;
        }
      },
    },
    h("h1", { tabindex: "-1" }, "Welcome to IPCraft"),
    h("p", { class: "muted" }, "This server has no users yet. You become its owner: you sign in with this email from now on (no password), and invite others from Settings."),
    field("Your email", email),
    field("Organization", organization, "optional"),
    error,
    submit,
  );
  const body = token
    ? form
    : h(
        "div",
        { class: "card signin", role: "alert" },
        h("h1", { tabindex: "-1" }, "Setup link incomplete"),
        h("p", null, "Open the whole link the server printed in its log (it ends with a long code after #)."),
      );
  mount(container, publicHeader(), h("main", { id: "main", class: "public-main" }, h("div", { class: "signin-wrap" }, body)));
}
