/**
 * "Add child subnet → next free /N" (issue 13 + 15): the subnet page's dialog that carves the
 * lowest (or highest) free aligned block of a chosen length out of this subnet through
 * POST /subnets/{id}/subnets, so the server picks the block atomically — two people adding a
 * /24 at once get two different ones. While the length or direction changes, a live line
 * shows which block that would be (GET first-free-subnet; only a preview, the POST decides).
 * Keyboard: the button opens a native modal dialog whose controls are plain form fields.
 */
import { api, messageOf } from "../api";
import { sectionOptions } from "../create-dialogs";
import { formDialog, valueOf } from "../dialog";
import { field, h, select, toast } from "../dom";
import { navigate } from "../router";
import { forget } from "../subnet-cache";
import type { Subnet } from "../types";

/** The server creates at most this many children in one request (next-free-model.ts). */
const MAX_COUNT = 1024;

/** The length people usually carve: a /24 out of IPv4, a /64 out of IPv6; else one bit longer. */
function defaultLength(subnet: Subnet): number {
  const usual = subnet.family === 4 ? 24 : 64;
  return subnet.prefix_length < usual ? usual : subnet.prefix_length + 1;
}

export function nextFreeSubnetDialog(subnet: Subnet): void {
  const max = subnet.family === 4 ? 32 : 128;
  const lengths: [string, string][] = [];
  for (let len = subnet.prefix_length + 1; len <= max; len++) lengths.push([String(len), `/${len}`]);
  const lengthSelect = select("prefix_length", lengths, String(defaultLength(subnet)));
  const fromSelect = select("from", [["start", "Lowest free block"], ["end", "Highest free block"]], "start");
  const preview = h("output", { class: "next-free-preview", "aria-live": "polite" }, "");
  let asked = 0;
  const showPreview = async () => {
    const mine = ++asked;
    const length = lengthSelect.value;
    preview.textContent = "Looking for a free block…";
    try {
      const { cidr } = await api<{ cidr: string | null }>(
        "GET",
        `/api/v1/subnets/${subnet.id}/first-free-subnet?prefix_length=${length}&from=${fromSelect.value}`,
      );
      if (mine !== asked) return; // a later choice is being looked up
      preview.textContent = cidr ? `Next free /${length}: ${cidr}` : `No free /${length} left in ${subnet.cidr}.`;
    } catch (failure) {
      if (mine === asked) preview.textContent = messageOf(failure);
    }
  };
  lengthSelect.addEventListener("change", () => void showPreview());
  fromSelect.addEventListener("change", () => void showPreview());

  formDialog({
    title: `Add child subnet to ${subnet.cidr}`,
    submitLabel: "Create",
    intro: h("p", { class: "muted" }, "Takes the next free aligned block that overlaps no child subnet and holds no address."),
    fields: [
      h("div", { class: "row" }, field("Size", lengthSelect), field("Where", fromSelect)),
      h("p", null, preview),
      field("Name", h("input", { name: "name", autocomplete: "off" })),
      h(
        "div",
        { class: "row" },
        field("VLAN", h("input", { name: "vlan", inputmode: "numeric", autocomplete: "off" })),
        field("How many", h("input", { name: "count", inputmode: "numeric", autocomplete: "off", value: "1" }), `1–${MAX_COUNT.toLocaleString("en-US")}, all or none`),
      ),
      field("Folder", select("section_id", sectionOptions(), subnet.section_id ?? "")),
    ],
    async onSubmit(form) {
      const body: Record<string, unknown> = { prefix_length: Number(valueOf(form, "prefix_length")) };
      if (valueOf(form, "from") === "end") body.from = "end";
      const name = valueOf(form, "name");
      if (name) body.name = name;
      const vlan = valueOf(form, "vlan");
      // Anything typed goes to the server, whose sentence names what is wrong with it.
      if (vlan !== "") body.vlan = /^\d+$/.test(vlan) ? Number(vlan) : vlan;
      body.section_id = valueOf(form, "section_id") || null;
      const count = valueOf(form, "count");
      if (count !== "" && count !== "1") body.count = /^\d+$/.test(count) ? Number(count) : count;
      const made = await api<Subnet | { items: Subnet[] }>("POST", `/api/v1/subnets/${subnet.id}/subnets`, body);
      const items = "items" in made ? made.items : [made];
      toast(
        items.length === 1
          ? `Created ${items[0]!.cidr} in ${subnet.cidr}`
          : `Created ${items.length} subnets in ${subnet.cidr}: ${items[0]!.cidr} … ${items.at(-1)!.cidr}`,
      );
      forget({ parents: [subnet.id], sections: [subnet.section_id, body.section_id as string | null], subnets: [subnet.id] });
      navigate(`/subnets/${subnet.id}`, true);
    },
  });
  void showPreview();
}
