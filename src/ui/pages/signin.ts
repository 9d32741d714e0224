/**
 * Sign-in: an email gets a one-time link (API.md §2). The answer is the same whether or not
 * the email is known. A self-hoster without SMTP finds the link in the server log, or prints
 * one with `ipcraft login-link <email>` on the server.
 */
import { api, messageOf } from "../api";
import { errorLine, field, h, mount } from "../dom";
import { icon } from "../icons";

export function signinPage(container: HTMLElement): void {
  document.title = "Sign in · IPCraft";
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email", autofocus: true });
  const error = errorLine();
  const submit = h("button", { type: "submit", class: "primary wide" }, "Send sign-in link");
  const form = h(
    "form",
    {
      class: "card signin",
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        error.show(null);
        const address = email.value.trim();
        if (!address) {
          error.show("Enter your email address.");
          email.focus();
          return;
        }
        submit.disabled = true;
        try {
          const answer = await api<{ message: string }>("POST", "/api/v1/auth/send-link", { email: address });
          rememberDestination();
          sent(card, address, answer?.message ?? "magic link sent");
        } catch (failure) {
          error.show(messageOf(failure));
          submit.disabled = false;
        }
      },
    },
    h("h1", { tabindex: "-1" }, "Sign in to IPCraft"),
    h("p", { class: "muted" }, "No password: we send you a one-time sign-in link."),
    field("Email", email),
    error,
    submit,
  );
  const card = h("div", { class: "signin-wrap" }, form);
  mount(container, publicHeader(), h("main", { id: "main", class: "public-main" }, card));
}

const DESTINATION_KEY = "ipcraft.after-sign-in";
/** The link outlives this tab (it opens from a mail or the log), so the wanted page is kept in localStorage. */
const DESTINATION_TTL_MS = 15 * 60_000;

/** A same-site path only: never a full URL, never `//host` (an open redirect). */
function safePath(path: string | null): string | null {
  return path && path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/signin") ? path : null;
}

function rememberDestination(): void {
  const next = safePath(new URLSearchParams(location.search).get("next"));
  if (next) localStorage.setItem(DESTINATION_KEY, JSON.stringify({ path: next, at: Date.now() }));
  else localStorage.removeItem(DESTINATION_KEY);
}

/** Where to go after signing in by link, if the sign-in page was reached from a deep link; read once. */
export function takeDestination(): string | null {
  const raw = localStorage.getItem(DESTINATION_KEY);
  localStorage.removeItem(DESTINATION_KEY);
  try {
    const { path, at } = JSON.parse(raw ?? "null") ?? {};
    return typeof at === "number" && Date.now() - at < DESTINATION_TTL_MS ? safePath(typeof path === "string" ? path : null) : null;
  } catch {
    return null;
  }
}

function sent(card: HTMLElement, address: string, message: string): void {
  const heading = h("h1", { tabindex: "-1" }, "Check your email");
  mount(
    card,
    h(
      "div",
      { class: "card signin", role: "status" },
      heading,
      h("p", { class: "sent" }, `${message.charAt(0).toUpperCase()}${message.slice(1)}: if ${address} may sign in, a link is on its way. It works once, for 15 minutes.`),
      h(
        "div",
        { class: "note" },
        h("strong", null, "Running your own server without email (SMTP)? "),
        "The link is printed in the server log (stdout). You can also print a fresh one on the server with ",
        h("code", null, `ipcraft login-link ${address}`),
        ".",
      ),
      h("p", null, h("a", { href: "/signin", onclick: () => location.assign("/signin") }, "Use another email")),
    ),
  );
  heading.focus();
}

/** The small header of signed-out pages. */
export function publicHeader(): HTMLElement {
  return h(
    "header",
    { class: "topbar public" },
    h("a", { href: "/signin", class: "brand" }, icon("network"), "IPCraft"),
    h("nav", { class: "main-nav", "aria-label": "Main" }, h("a", { href: "/signin" }, "Sign in"), h("a", { href: "/tools" }, "Network tools"), h("a", { href: "/docs" }, "API docs")),
  );
}
