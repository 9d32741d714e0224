/**
 * A subnet's gateway: the address recorded with status `gateway` (API.md §6, `gateway` on
 * create). Shown on the subnet page and changed from its Edit dialog. The API has no
 * "gateway" field to PATCH, so a change is: record the new address as the gateway (or turn
 * its existing record into the gateway), then release the old one. The new one goes first,
 * so a refused address leaves the old gateway in place.
 */
import { api, ApiFailure } from "../api";
import { field, h } from "../dom";
import type { Address, Subnet } from "../types";

export function gatewayField(subnet: Subnet, gateway: Address | undefined): HTMLElement {
  return field(
    "Gateway",
    h("input", { name: "gateway", autocomplete: "off", spellcheck: "false", placeholder: subnet.family === 4 ? "e.g. 10.0.1.1" : "e.g. 2001:db8::1", value: gateway?.ip ?? "" }),
    "The address recorded with status gateway. Empty: no gateway.",
  );
}

/** Applies the typed gateway; resolves a note for the toast ("" when unchanged). */
export async function editGateway(subnet: Subnet, old: Address | undefined, typed: string): Promise<string> {
  if (typed === (old?.ip ?? "")) return "";
  let now: Address | null = null;
  if (typed) {
    try {
      now = await api<Address>("POST", `/api/v1/subnets/${subnet.id}/addresses`, { ip: typed, status: "gateway", hostname: old?.hostname ?? "", owner: old?.owner ?? "" });
    } catch (failure) {
      const taken = failure instanceof ApiFailure && failure.code === "address_in_use" ? (failure.details?.address as Address | undefined) : undefined;
      if (!taken) throw failure;
      // The same address typed differently (10.0.1.001): nothing changes.
      if (taken.id === old?.id) return "";
      now = await api<Address>("PATCH", `/api/v1/addresses/${taken.id}`, { status: "gateway" });
    }
  }
  if (old) await api("DELETE", `/api/v1/addresses/${old.id}`);
  return now ? `; gateway now ${now.ip}` : "; gateway removed";
}
