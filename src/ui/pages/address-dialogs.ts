/**
 * Address forms: assign a chosen IP, allocate the next free one, edit or release a taken one.
 * Labelled fields Hostname, Status, Owner, MAC, Description; the API's sentence on error.
 */
import { api, ApiFailure } from "../api";
import { confirmDialog, formDialog, valueOf } from "../dialog";
import { historyPanel } from "./activity";
import { field, h, select, toast } from "../dom";
import { ADDRESS_STATUSES, type Address, type AddressStatus, type Subnet } from "../types";

/**
 * What a new record's status means, for the toast that confirms it: "10.0.1.5 reserved",
 * not "assigned" whatever the status was.
 */
const RECORDED_AS: Record<AddressStatus, string> = {
  assigned: "assigned",
  reserved: "reserved",
  dhcp: "set aside for DHCP",
  gateway: "recorded as the gateway",
};

/** "10.0.1.5 reserved" (plus "hostname" when given). */
export function recordedMessage(address: Address): string {
  const what = RECORDED_AS[address.status] ?? `recorded as ${address.status}`;
  return `${address.ip} ${what}${address.hostname ? ` (${address.hostname})` : ""}`;
}

/** The status label/colour chip used in tables. */
export function statusBadge(status: string): HTMLElement {
  return h("span", { class: "badge status", "data-status": status }, status);
}

function addressFields(current?: Partial<Address>) {
  return [
    field("Hostname", h("input", { name: "hostname", autocomplete: "off", spellcheck: "false", value: current?.hostname ?? "" })),
    field(
      "Status",
      select(
        "status",
        ADDRESS_STATUSES.map((s): [string, string] => [s, s]),
        current?.status ?? "assigned",
      ),
    ),
    field("Owner", h("input", { name: "owner", autocomplete: "off", value: current?.owner ?? "" })),
    field("MAC", h("input", { name: "mac", autocomplete: "off", spellcheck: "false", placeholder: "aa:bb:cc:dd:ee:ff", value: current?.mac ?? "" })),
    field("Description", h("input", { name: "description", autocomplete: "off", value: current?.description ?? "" })),
  ];
}

/** The body fields of a create: hostname/status/owner always, MAC and description when given. */
function createBody(form: HTMLFormElement): Record<string, unknown> {
  const body: Record<string, unknown> = {
    hostname: valueOf(form, "hostname"),
    status: valueOf(form, "status") as AddressStatus,
    owner: valueOf(form, "owner"),
  };
  const mac = valueOf(form, "mac");
  const description = valueOf(form, "description");
  if (mac) body.mac = mac;
  if (description) body.description = description;
  return body;
}

/** Assign `ip` in `subnetId` (clicking an available grid cell). */
export function assignDialog(subnetId: string, ip: string, done: () => void): void {
  formDialog({
    title: `Assign ${ip}`,
    submitLabel: "Assign",
    fields: addressFields(),
    async onSubmit(form) {
      const address = await api<Address>("POST", `/api/v1/subnets/${subnetId}/addresses`, { ip, ...createBody(form) });
      toast(recordedMessage(address));
      done();
    },
  });
}

/**
 * Assign an address the user types: large IPv4 and all IPv6 subnets have no grid to click.
 * The same form as a grid cell's plus an "IP address" field, prefilled with `suggestion`
 * (a free range's start) when given; focus then starts on Hostname, the field left to fill.
 */
export function assignChosenDialog(subnet: Subnet, suggestion: string, done: () => void): void {
  const ipInput = h("input", {
    name: "ip",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: subnet.family === 4 ? "e.g. 10.0.0.25" : "e.g. 2001:db8::25",
    value: suggestion,
  });
  const fields = [field("IP address", ipInput, `An address inside ${subnet.cidr} with no record yet.`), ...addressFields()];
  if (suggestion) fields[1]?.querySelector("input")?.setAttribute("autofocus", "");
  formDialog({
    title: `Assign an address in ${subnet.cidr}`,
    submitLabel: "Assign",
    fields,
    async onSubmit(form) {
      const ip = valueOf(form, "ip");
      ipInput.removeAttribute("aria-invalid");
      try {
        // Never post without `ip`: the server would then pick the next free address itself.
        if (!ip) throw new Error("Enter the IP address to assign.");
        const address = await api<Address>("POST", `/api/v1/subnets/${subnet.id}/addresses`, { ip, ...createBody(form) });
        toast(recordedMessage(address));
      } catch (failure) {
        // Outside the subnet, unusable, inside a child, already in use: the IP is what to fix.
        if (!(failure instanceof ApiFailure) || failure.details?.field === "ip") {
          ipInput.setAttribute("aria-invalid", "true");
          ipInput.focus();
        }
        throw failure;
      }
      done();
    },
  });
}

/** "Next free": the server picks the lowest free address atomically (no `ip` in the body). */
export function allocateDialog(subnetId: string, suggestion: string, done: (address: Address) => void): void {
  formDialog({
    title: "Allocate the next free address",
    submitLabel: "Allocate",
    intro: h("p", null, "Next free: ", h("strong", { class: "next-free" }, suggestion), h("span", { class: "muted" }, " (the server takes the lowest free address when you confirm)")),
    fields: addressFields(),
    async onSubmit(form) {
      const address = await api<Address>("POST", `/api/v1/subnets/${subnetId}/addresses`, createBody(form));
      toast(`Next free: ${recordedMessage(address)}`);
      done(address);
    },
  });
}

/** Edit or release a taken address (clicking a taken cell or a table row). */
export function editAddressDialog(address: Address, done: () => void): void {
  formDialog({
    title: `Edit ${address.ip}`,
    readTitle: address.ip,
    submitLabel: "Save",
    fields: [addressFields(address), historyPanel(address.id)],
    async onSubmit(form) {
      const changes: Record<string, unknown> = {};
      for (const key of ["hostname", "status", "owner", "description"] as const) {
        const value = valueOf(form, key);
        if (value !== (address[key] ?? "")) changes[key] = value;
      }
      const mac = valueOf(form, "mac");
      if (mac !== (address.mac ?? "")) changes.mac = mac || null;
      if (Object.keys(changes).length) {
        const saved = await api<Address>("PATCH", `/api/v1/addresses/${address.id}`, changes);
        toast(saved.status !== address.status ? `${saved.ip} saved, now ${saved.status}` : `${saved.ip} saved`);
      }
      done();
    },
    extra: (dialog, error) =>
      h(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: async () => {
            dialog.close();
            if (!(await confirmDialog(`Release ${address.ip}?`, `Its record (${address.hostname || "no hostname"}) is deleted and the address becomes available.`, "Release"))) return;
            try {
              await api("DELETE", `/api/v1/addresses/${address.id}`);
              toast(`${address.ip} released`);
            } catch (failure) {
              error.show(String(failure));
              toast(`Could not release ${address.ip}: ${(failure as Error).message}`);
            }
            done();
          },
        },
        "Release",
      ),
  });
}
