/** Network tools (public, no sign-in): the subnet calculator over `GET /api/v1/tools/subnet?cidr=`. */
import { api, messageOf, withQuery } from "../api";
import { errorLine, field, h, mount } from "../dom";
import { count } from "../format";

interface SubnetInfo {
  cidr: string;
  family: number;
  network: string;
  broadcast: string | null;
  netmask: string;
  wildcard: string;
  prefix_length: number;
  first_usable: string | null;
  last_usable: string | null;
  size: string;
  usable: string;
}

const ROWS: [keyof SubnetInfo, string][] = [
  ["cidr", "CIDR"],
  ["network", "Network"],
  ["broadcast", "Broadcast"],
  ["netmask", "Netmask"],
  ["wildcard", "Wildcard"],
  ["prefix_length", "Prefix length"],
  ["first_usable", "First usable"],
  ["last_usable", "Last usable"],
  ["size", "Addresses"],
  ["usable", "Usable"],
];

export function toolsPage(container: HTMLElement): void {
  document.title = "Network tools · IPCraft";
  const input = h("input", { name: "cidr", required: true, autocomplete: "off", spellcheck: "false", placeholder: "192.168.1.0/24", value: "192.168.1.0/24" });
  const error = errorLine();
  const result = h("div", { class: "calc-result", "aria-live": "polite" });
  const form = h(
    "form",
    {
      class: "inline-form",
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        error.show(null);
        result.replaceChildren();
        try {
          const info = await api<SubnetInfo>("GET", withQuery("/api/v1/tools/subnet", { cidr: input.value.trim() }));
          mount(
            result,
            h(
              "dl",
              { class: "facts" },
              ROWS.map(([key, label]) => [h("dt", null, label), h("dd", null, key === "size" || key === "usable" ? count(String(info[key])) : String(info[key] ?? "—"))]),
            ),
          );
        } catch (failure) {
          error.show(messageOf(failure));
        }
      },
    },
    field("CIDR", input),
    h("button", { type: "submit", class: "primary" }, "Calculate"),
  );
  mount(
    container,
    h("h1", { tabindex: "-1" }, "Network tools"),
    h("section", { class: "card" }, h("h2", null, "Subnet calculator"), h("p", { class: "muted" }, "IPv4 or IPv6, e.g. 10.0.0.0/22 or 2001:db8::/48."), form, error, result),
  );
}
