/**
 * "Reserve range": record every address from a first to a last one with one status (e.g.
 * .100–.199 as dhcp), all or nothing (through the import endpoint, see bulk.ts). The last
 * address may be typed in full or as its last octet ("199"). Ranges that reach into a
 * child subnet are refused here: those addresses belong to the child.
 */
import { ApiFailure } from "../api";
import { formDialog, valueOf } from "../dialog";
import { field, h, toast } from "../dom";
import { plural } from "../format";
import { intToIpv4, ipv4Range, ipv4ToInt } from "../ipv4";
import type { Subnet } from "../types";
import { createRecords } from "./bulk";
import { bulkFields, fieldsOf } from "./grid";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The largest range recorded in one step (the import's rows stay small). */
const MAX_RANGE = 4096;

/** "10.0.1.199", or "199" completed from `first`'s first three octets; null when not an address. */
function completed(text: string, first: string): string | null {
  if (/^\d{1,3}$/.test(text) && IPV4.test(first)) return `${first.split(".").slice(0, 3).join(".")}.${Number(text)}`;
  return IPV4.test(text) ? text : null;
}

export function reserveRangeDialog(subnet: Subnet, children: Subnet[], done: () => void): void {
  const [low, high] = ipv4Range(subnet.cidr);
  formDialog({
    title: `Reserve a range in ${subnet.cidr}`,
    submitLabel: "Reserve range",
    intro: h("p", { class: "muted" }, "Every address from the first to the last gets a record with this status, or none does (if one already has a record, nothing changes)."),
    fields: [
      h(
        "div",
        { class: "row" },
        field("First address", h("input", { name: "first", autocomplete: "off", spellcheck: "false", placeholder: intToIpv4(low + 100), autofocus: true })),
        field("Last address", h("input", { name: "last", autocomplete: "off", spellcheck: "false", placeholder: intToIpv4(low + 199) }), "In full, or its last number."),
      ),
      ...bulkFields("dhcp"),
    ],
    async onSubmit(form) {
      const first = valueOf(form, "first");
      const last = completed(valueOf(form, "last"), first);
      if (!IPV4.test(first)) throw new ApiFailure(400, "Enter the first address of the range, e.g. 10.0.1.100.", "bad_range");
      if (!last) throw new ApiFailure(400, "Enter the last address of the range, in full or as its last number.", "bad_range");
      const [a, b] = [ipv4ToInt(first), ipv4ToInt(last)];
      if (a > b) throw new ApiFailure(400, `${first} comes after ${last}: enter the lower address first.`, "bad_range");
      if (a < low || b > high) throw new ApiFailure(400, `${first} – ${last} is not inside ${subnet.cidr}.`, "bad_range");
      if (b - a + 1 > MAX_RANGE) throw new ApiFailure(400, `That is ${plural(b - a + 1, "address", "addresses")}; reserve at most ${MAX_RANGE.toLocaleString("en-US")} at a time.`, "bad_range");
      const child = children.find((c) => {
        const [cl, ch] = ipv4Range(c.cidr);
        return cl <= b && ch >= a;
      });
      if (child) throw new ApiFailure(400, `${first} – ${last} reaches into the child subnet ${child.cidr}; reserve there instead.`, "bad_range");
      const ips = Array.from({ length: b - a + 1 }, (_, i) => intToIpv4(a + i));
      const fields = fieldsOf(form);
      const made = await createRecords(ips, subnet.vrf, fields);
      toast(`${plural(made, "address", "addresses")} recorded as ${fields.status} (${first} – ${last})`);
      done();
    },
  });
}
