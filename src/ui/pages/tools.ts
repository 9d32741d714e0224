/**
 * Network tools (public, no sign-in), each a form over the API's own tool (API.md §10):
 * the subnet calculator, split, range → CIDRs and summarize. The page does no IP math of
 * its own; results and error sentences are the API's, shown as they come.
 */
import { api, messageOf, withQuery } from "../api";
import { errorLine, field, h, mount } from "../dom";
import { count, plural } from "../format";

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

interface CidrList {
  items: string[];
  total: number;
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

/** What the calculator shows for a missing broadcast: why there is none. */
function noBroadcast(info: SubnetInfo): string {
  return info.family === 6 ? "none (IPv6 has no broadcast)" : `none (/${info.prefix_length}: every address is a host, RFC 3021)`;
}

function factValue(info: SubnetInfo, key: keyof SubnetInfo): string {
  if (key === "size" || key === "usable") return count(String(info[key]));
  if (key === "broadcast" && info.broadcast === null) return noBroadcast(info);
  return String(info[key] ?? "—");
}

/**
 * One tool: a form whose submit asks the API and draws the answer (or the API's sentence)
 * below it. Enter in any field submits, so each tool works from the keyboard alone.
 */
function tool(
  title: string,
  hint: string,
  fields: HTMLElement[],
  submitLabel: string,
  run: () => Promise<Node>,
): HTMLElement {
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
          mount(result, await run());
        } catch (failure) {
          error.show(messageOf(failure));
        }
      },
    },
    fields,
    h("button", { type: "submit", class: "primary" }, submitLabel),
  );
  return h("section", { class: "card", "aria-label": title }, h("h2", null, title), h("p", { class: "muted" }, hint), form, error, result);
}

/** A list of CIDRs with its count, as the split, range and summarize tools answer. */
function cidrList(list: CidrList, noun: string): Node {
  return h(
    "div",
    null,
    h("p", { class: "muted" }, plural(list.total, noun)),
    h("ul", { class: "plain cidr-list" }, list.items.map((cidr) => h("li", null, h("code", null, cidr)))),
  );
}

function input(name: string, placeholder: string, value = ""): HTMLInputElement {
  return h("input", { name, required: true, autocomplete: "off", spellcheck: "false", placeholder, value });
}

export function toolsPage(container: HTMLElement): void {
  document.title = "Network tools · IPCraft";
  const cidr = input("cidr", "192.168.1.0/24", "192.168.1.0/24");
  const calculator = tool("Subnet calculator", "IPv4 or IPv6, e.g. 10.0.0.0/22 or 2001:db8::/48.", [field("CIDR", cidr)], "Calculate", async () => {
    const info = await api<SubnetInfo>("GET", withQuery("/api/v1/tools/subnet", { cidr: cidr.value.trim() }));
    return h("dl", { class: "facts" }, ROWS.map(([key, label]) => [h("dt", null, label), h("dd", null, factValue(info, key))]));
  });

  const splitCidr = input("split-cidr", "10.0.0.0/24");
  const splitLength = h("input", { name: "prefix_length", required: true, inputmode: "numeric", autocomplete: "off", placeholder: "26" });
  const split = tool(
    "Split",
    "Equal parts of a subnet at a longer prefix (at most 1,024 parts).",
    [field("Subnet to split", splitCidr), field("New prefix length", splitLength)],
    "Split",
    async () => {
      const length = splitLength.value.trim().replace(/^\//, "");
      const list = await api<CidrList>("GET", withQuery("/api/v1/tools/split", { cidr: splitCidr.value.trim(), prefix_length: length }));
      return cidrList(list, "subnet");
    },
  );

  const start = input("start", "10.0.0.3");
  const end = input("end", "10.0.0.9");
  const range = tool(
    "Range → CIDRs",
    "The fewest CIDRs that cover a range of addresses exactly.",
    [field("First address", start), field("Last address", end)],
    "Convert",
    async () => cidrList(await api<CidrList>("GET", withQuery("/api/v1/tools/range-to-cidrs", { start: start.value.trim(), end: end.value.trim() })), "CIDR"),
  );

  const cidrs = h("textarea", { name: "cidrs", required: true, rows: 3, spellcheck: "false", placeholder: "10.0.0.0/25, 10.0.0.128/25" });
  // Enter submits like the other tools' fields; Shift+Enter still starts a new line.
  cidrs.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      cidrs.form?.requestSubmit();
    }
  });
  const summarize = tool(
    "Summarize",
    "Aggregates CIDRs (separated by commas, spaces or lines) into the fewest that cover the same addresses.",
    [field("CIDRs", cidrs)],
    "Summarize",
    async () => {
      const list = cidrs.value.split(/[\s,]+/).filter(Boolean).join(",");
      return cidrList(await api<CidrList>("GET", withQuery("/api/v1/tools/summarize", { cidrs: list })), "CIDR");
    },
  );

  mount(container, h("h1", { tabindex: "-1" }, "Network tools"), calculator, split, range, summarize);
}
