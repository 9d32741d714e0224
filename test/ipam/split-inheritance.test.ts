/**
 * Split left its children without name or VLAN (issue 15): "Office LAN" split into four
 * gave four unnamed subnets outside any VLAN. Children now inherit the parent's folder, VRF
 * and VLAN, and are named after it: "Office LAN 1/4" … "Office LAN 4/4".
 */
import { describe, expect, test } from "bun:test";
import { childName } from "../../src/features/subnets/split";
import { ipamFixture } from "./fixture";

describe("split children inherit from their parent", () => {
  test("folder, VRF and VLAN are the parent's; names are derived from the parent's name", async () => {
    const f = ipamFixture();
    const folder = (await f.api.post("/sections", { name: "Branch Berlin" })).body;
    expect((await f.api.post("/vrfs", { name: "blue" })).status).toBe(201);
    const parent = await f.subnet("10.50.0.0/24", { name: "Office LAN", section_id: folder.id, vrf: "blue", vlan: 120, description: "2nd floor" });
    const r = await f.api.post(`/subnets/${parent.id}/split`, { parts: 4 });
    expect(r.status).toBe(201);
    const expected = ["Office LAN 1/4", "Office LAN 2/4", "Office LAN 3/4", "Office LAN 4/4"];
    for (const [i, child] of r.body.items.entries()) {
      expect(child).toMatchObject({ name: expected[i], section_id: folder.id, vrf: "blue", vlan: 120, parent_id: parent.id, description: "" });
    }
    // What was stored is what the answer said.
    const listed = (await f.api.get(`/subnets?parent_id=${parent.id}`)).body.items;
    expect(listed.map((c: any) => [c.name, c.vlan, c.section_id, c.vrf])).toEqual(expected.map((n) => [n, 120, folder.id, "blue"]));
  });

  test("an unnamed parent outside folders and VLANs gives plain children", async () => {
    const f = ipamFixture();
    const parent = await f.subnet("10.51.0.0/24");
    const items = (await f.api.post(`/subnets/${parent.id}/split`, { prefix_length: 25 })).body.items;
    expect(items.map((c: any) => [c.name, c.vlan, c.section_id, c.vrf])).toEqual([["", null, null, "default"], ["", null, null, "default"]]);
  });

  test("the name rule: n/N suffix, cut to fit the 200-character limit", () => {
    expect(childName("Office LAN", 0, 4)).toBe("Office LAN 1/4");
    expect(childName("", 3, 4)).toBe("");
    const long = childName("x".repeat(200), 65_535, 65_536);
    expect(long).toHaveLength(200);
    expect(long.endsWith(" 65536/65536")).toBe(true);
  });
});
