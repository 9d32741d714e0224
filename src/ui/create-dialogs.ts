/**
 * "New folder" and "New subnet" dialogs; on bad input they show the API's own error sentence.
 * The subnet's VRF is picked from the organization's VRFs (GET /api/v1/vrfs), `default` first
 * selected: a typed name could be a typo, which the API refuses (issue 15).
 */
import { api } from "./api";
import { formDialog, valueOf } from "./dialog";
import { field, h, select, toast } from "./dom";
import { navigate } from "./router";
import { refreshTree, treeData } from "./tree";
import type { Section, Subnet } from "./types";

export function newSectionDialog(): void {
  formDialog({
    title: "New folder",
    submitLabel: "Create folder",
    fields: [
      field("Name", h("input", { name: "name", required: true, autocomplete: "off", maxlength: 200 })),
      field("Description", h("input", { name: "description", autocomplete: "off" })),
    ],
    async onSubmit(form) {
      const description = valueOf(form, "description");
      const section = await api<Section>("POST", "/api/v1/sections", { name: valueOf(form, "name"), ...(description ? { description } : {}) });
      toast(`Folder “${section.name}” created`);
      await refreshTree();
    },
  });
}

/** A VRF `<select>`: `default` at once, the organization's other VRFs as soon as they are read. */
function vrfPicker(): HTMLSelectElement {
  const picker = select("vrf", [["default", "default"]], "default");
  api<{ items: { name: string }[] }>("GET", "/api/v1/vrfs?limit=1000")
    .then((page) => {
      const chosen = picker.value;
      picker.replaceChildren(...page.items.map((v) => h("option", { value: v.name, selected: v.name === chosen }, v.name)));
      picker.dataset.loaded = "true";
    })
    .catch(() => {
      picker.dataset.loaded = "failed"; // `default` stays offered; the API still checks the name
    });
  return picker;
}

/** Section options for a `<select>`, with "no folder" first. */
export function sectionOptions(): [string, string][] {
  return [["", "(no folder)"], ...treeData().sections.map((s): [string, string] => [s.id, s.name])];
}

export function newSubnetDialog(defaults: { sectionId?: string | null } = {}): void {
  formDialog({
    title: "New subnet",
    submitLabel: "Create subnet",
    intro: h("p", { class: "muted" }, "It nests itself under the smallest subnet that contains it."),
    fields: [
      field("CIDR", h("input", { name: "cidr", required: true, autocomplete: "off", spellcheck: "false", placeholder: "10.0.1.0/24" })),
      field("Name", h("input", { name: "name", autocomplete: "off" })),
      field("Description", h("input", { name: "description", autocomplete: "off" })),
      field("Folder", select("section_id", sectionOptions(), defaults.sectionId ?? "")),
      h(
        "div",
        { class: "row" },
        field("VRF", vrfPicker()),
        field("VLAN", h("input", { name: "vlan", inputmode: "numeric", autocomplete: "off" })),
        field("Gateway", h("input", { name: "gateway", autocomplete: "off", spellcheck: "false", placeholder: "optional" })),
      ),
    ],
    async onSubmit(form) {
      const body: Record<string, unknown> = { cidr: valueOf(form, "cidr") };
      for (const key of ["name", "description", "section_id", "vrf", "gateway"]) {
        const value = valueOf(form, key);
        if (value) body[key] = value;
      }
      const vlan = valueOf(form, "vlan");
      // Send what was typed: the API names the field when it is not a number in range.
      if (vlan) body.vlan = /^\d+$/.test(vlan) ? Number(vlan) : vlan;
      const subnet = await api<Subnet>("POST", "/api/v1/subnets", body);
      toast(`Subnet ${subnet.cidr} created`);
      await refreshTree();
      navigate(`/subnets/${subnet.id}`);
    },
  });
}
