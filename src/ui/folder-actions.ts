/** Edit and delete a folder (the API's section): shared by the overview and the folder page. */
import { api, messageOf } from "./api";
import { confirmDialog, formDialog, valueOf } from "./dialog";
import { field, h, toast } from "./dom";
import type { Section } from "./types";

export function editFolderDialog(section: Section, done: () => Promise<void> | void): void {
  formDialog({
    title: `Edit folder ${section.name}`,
    submitLabel: "Save",
    fields: [
      field("Name", h("input", { name: "name", value: section.name, autocomplete: "off" })),
      field("Description", h("input", { name: "description", value: section.description, autocomplete: "off" })),
    ],
    async onSubmit(form) {
      await api("PATCH", `/api/v1/sections/${section.id}`, { name: valueOf(form, "name"), description: valueOf(form, "description") });
      toast(`Folder ${valueOf(form, "name")} saved`);
      await done();
    },
  });
}

/** Asks, then deletes; resolves true when the folder is gone. Its subnets stay, unfiled. */
export async function deleteFolder(section: Section): Promise<boolean> {
  if (!(await confirmDialog(`Delete folder ${section.name}?`, "Its subnets are kept, unfiled.", "Delete"))) return false;
  try {
    await api("DELETE", `/api/v1/sections/${section.id}`);
    toast(`Folder ${section.name} deleted`);
    return true;
  } catch (failure) {
    toast(messageOf(failure));
    return false;
  }
}
