/**
 * A subnet names an existing VRF (API.md §6, issue 15). "Default" or "defualt" used to create
 * a second VRF silently, beside `default`, with a duplicate-looking subnet in it. Now an
 * unknown name is 400 `unknown_vrf` with "did you mean …?" — on POST /subnets and as a row
 * error in the subnet and address imports — and nothing is written.
 */
import { describe, expect, test } from "bun:test";
import { closestName, editDistance } from "../../src/features/vrfs/suggest";
import { ipamFixture } from "../ipam/fixture";
import { importCsv } from "../io/helpers";

describe("a subnet's VRF must exist", () => {
  test('"Default" and "defualt" are 400 naming default; nothing is created', async () => {
    const f = ipamFixture();
    for (const typo of ["Default", "defualt", "DEFAULT", "defaul"]) {
      const r = await f.api.post("/subnets", { cidr: "10.0.0.0/24", vrf: typo });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        error: `field "vrf": VRF "${typo}" does not exist; did you mean "default"?`,
        code: "unknown_vrf",
        details: { field: "vrf", vrf: typo, suggestion: "default" },
      });
    }
    expect((await f.api.get("/subnets")).body.total).toBe(0);
    expect((await f.api.get("/vrfs")).body.items.map((v: any) => v.name)).toEqual(["default"]);
    expect(f.activity("subnet.create")).toHaveLength(0);
  });

  test("a far-off name says how to create it; once created it works, and a typo of it is suggested", async () => {
    const f = ipamFixture();
    const far = await f.api.post("/subnets", { cidr: "10.0.0.0/24", vrf: "customer-a" });
    expect(far.status).toBe(400);
    expect(far.body.error).toBe('field "vrf": VRF "customer-a" does not exist; create it first (POST /api/v1/vrfs)');
    expect(far.body.details.suggestion).toBeNull();
    expect((await f.api.post("/vrfs", { name: "customer-a" })).status).toBe(201);
    const ok = await f.api.post("/subnets", { cidr: "10.0.0.0/24", vrf: "customer-a" });
    expect(ok.status).toBe(201);
    expect(ok.body.vrf).toBe("customer-a");
    const near = await f.api.post("/subnets", { cidr: "10.0.1.0/24", vrf: "customer-b" });
    expect(near.body.error).toContain('did you mean "customer-a"?');
    // The VRF now counts its subnet, and cannot go while it has one.
    const vrf = (await f.api.get("/vrfs")).body.items.find((v: any) => v.name === "customer-a");
    expect(vrf.subnet_count).toBe(1);
    expect((await f.api.del(`/vrfs/${vrf.id}`)).status).toBe(409);
    // Another organization's VRF of that name does not count.
    const other = f.as(f.createTenant());
    expect((await other.post("/subnets", { cidr: "10.0.0.0/24", vrf: "customer-a" })).status).toBe(400);
  });

  test("subnet import: a row naming an unknown VRF is a row error with the suggestion; the file writes nothing", async () => {
    const f = ipamFixture();
    const csv = "cidr,vrf,name\n10.0.0.0/16,default,core\n10.1.0.0/16,Default,typo\n10.2.0.0/16,,empty means default\n10.3.0.0/16,guest,unknown\n";
    const r = await importCsv(f, f.tenant, "subnets", csv);
    expect(r.status).toBe(400);
    expect(r.body.details.rows).toEqual([
      { row: 3, error: 'field "vrf": VRF "Default" does not exist; did you mean "default"?' },
      { row: 5, error: 'field "vrf": VRF "guest" does not exist; create it first (POST /api/v1/vrfs)' },
    ]);
    expect((await f.api.get("/subnets")).body.total).toBe(0);
    // A dry run reports the same; with the VRF created and the typo fixed the file goes in.
    expect((await importCsv(f, f.tenant, "subnets", csv, "?dry_run=true")).body.details.rows).toHaveLength(2);
    expect((await f.api.post("/vrfs", { name: "guest" })).status).toBe(201);
    expect((await importCsv(f, f.tenant, "subnets", csv.replace(",Default,", ",default,"))).status).toBe(200);
    expect((await f.api.get("/subnets")).body.total).toBe(4);
  });

  test("address import: an unknown VRF is named as such, with the suggestion", async () => {
    const f = ipamFixture();
    await f.subnet("10.0.0.0/24");
    const r = await importCsv(f, f.tenant, "addresses", "ip,vrf\n10.0.0.5,defualt\n");
    expect(r.status).toBe(400);
    expect(r.body.details.rows).toEqual([{ row: 2, error: 'field "vrf": VRF "defualt" does not exist; did you mean "default"?' }]);
  });

  test("the suggestion rule: same name but for case first, else the nearest within two edits (a swap is one)", () => {
    expect(closestName("Default", ["blue", "default"])).toBe("default");
    expect(closestName("defualt", ["default", "defaults"])).toBe("default");
    expect(closestName("lab2", ["lab", "lab-2"])).toBe("lab");
    expect(closestName("guest", ["default", "lab"])).toBeNull();
    expect(editDistance("defualt", "default")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("abc", "abcdef", 2)).toBe(2);
  });
});
