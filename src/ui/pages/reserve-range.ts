/**
 * "Reserve range": record every usable address from a first to a last one with one status
 * (e.g. .100–.199 as dhcp), IPv4 or IPv6, all or nothing, in one request: POST
 * /subnets/{id}/addresses with `start` and `end` (at most 10,000 addresses). The server checks
 * the range (inside the subnet, not reaching into a child, nothing taken) and its sentence is
 * shown as it is. An IPv4 last address may be typed as its last number ("199").
 */
import { api, ApiFailure } from "../api";
import { formDialog, valueOf } from "../dialog";
import { field, h, toast } from "../dom";
import { plural } from "../format";
import { intToIpv4, ipv4Range } from "../ipv4";
import type { Subnet } from "../types";
import { bulkFields, fieldsOf } from "./grid";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** "10.0.1.199", or "199" completed from an IPv4 `first`'s first three octets; anything else as typed. */
function completed(text: string, first: string): string {
  if (/^\d{1,3}$/.test(text) && IPV4.test(first)) return `${first.split(".").slice(0, 3).join(".")}.${Number(text)}`;
  return text;
}

/** Example first and last addresses for the subnet's placeholders (IPv6: only when its network ends in "::"). */
function examples(subnet: Subnet): [string, string] {
  if (subnet.family === 4) {
    const [low] = ipv4Range(subnet.cidr);
    return [intToIpv4(low + 100), intToIpv4(low + 199)];
  }
  const network = subnet.cidr.split("/")[0]!;
  return network.endsWith("::") ? [`${network}100`, `${network}1ff`] : ["", ""];
}

export function reserveRangeDialog(subnet: Subnet, done: () => void): void {
  const [firstExample, lastExample] = examples(subnet);
  formDialog({
    title: `Reserve a range in ${subnet.cidr}`,
    submitLabel: "Reserve range",
    intro: h("p", { class: "muted" }, "Every address from the first to the last (at most 10,000) gets a record with this status, or none does (if one already has a record, nothing changes)."),
    fields: [
      h(
        "div",
        { class: "row" },
        field("First address", h("input", { name: "first", autocomplete: "off", spellcheck: "false", placeholder: firstExample, autofocus: true })),
        field(
          "Last address",
          h("input", { name: "last", autocomplete: "off", spellcheck: "false", placeholder: lastExample }),
          subnet.family === 4 ? "In full, or its last number." : "In full.",
        ),
      ),
      ...bulkFields("dhcp"),
    ],
    async onSubmit(form) {
      const first = valueOf(form, "first").trim();
      const last = completed(valueOf(form, "last").trim(), first);
      const example = firstExample ? `, e.g. ${firstExample}` : "";
      if (!first) throw new ApiFailure(400, `Enter the first address of the range${example}.`, "bad_range");
      if (!last) throw new ApiFailure(400, `Enter the last address of the range${subnet.family === 4 ? ", in full or as its last number" : ""}.`, "bad_range");
      const fields = fieldsOf(form);
      let made: { items: unknown[] };
      try {
        made = await api<{ items: unknown[] }>("POST", `/api/v1/subnets/${subnet.id}/addresses`, { start: first, end: last, ...fields });
      } catch (failure) {
        // All or nothing: say so when an address of the range was taken (the server names the first).
        if (failure instanceof ApiFailure && failure.code === "address_in_use") {
          throw new ApiFailure(failure.status, `Nothing was recorded: ${failure.message}.`, failure.code, failure.details);
        }
        throw failure;
      }
      toast(`${plural(made.items.length, "address", "addresses")} recorded as ${fields.status} (${first} – ${last})`);
      done();
    },
  });
}
