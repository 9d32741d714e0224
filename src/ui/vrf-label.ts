/**
 * The VRF beside a CIDR (issue 15): the same CIDR may exist once per VRF, so a subnet outside
 * `default` always carries its VRF's name wherever subnets are listed (sidebar, home, search,
 * child lists, the subnet's own heading); `default` ones stay plain, which tells the two apart.
 */
import { h } from "./dom";

export function vrfTag(subnet: { vrf: string }): HTMLElement | null {
  if (subnet.vrf === "default") return null;
  return h("span", { class: "badge vrf", title: `VRF ${subnet.vrf}`, "data-vrf": subnet.vrf }, ` VRF ${subnet.vrf}`); // the space keeps "10.0.0.0/16 VRF blue" apart in text and for screen readers
}
