/**
 * Search by IP in any spelling. `2001:DB8:100:10:0:0:0:53` found nothing while
 * `2001:db8:100:10::53` found the record: the text was matched as typed against the stored
 * canonical form. A query that is a whole IP is now searched in canonical form.
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("address search normalises an IP query", () => {
  test("uncompressed, upper-case IPv6 finds the record; fragments and hostnames search as typed", async () => {
    const { call, database } = testApp();
    const t = createTenant(database);
    const post = (path: string, body: unknown) => call("POST", path, { headers: t.bearer, body });
    const v6 = (await post("/api/v1/subnets", { cidr: "2001:db8:100:10::/64" })).body;
    expect((await post(`/api/v1/subnets/${v6.id}/addresses`, { ip: "2001:db8:100:10::53", hostname: "dns", status: "assigned", owner: "" })).status).toBe(201);
    const v4 = (await post("/api/v1/subnets", { cidr: "10.0.1.0/24" })).body;
    expect((await post(`/api/v1/subnets/${v4.id}/addresses`, { ip: "10.0.1.5", hostname: "web", status: "assigned", owner: "" })).status).toBe(201);
    const search = async (q: string, subnet?: string) =>
      (await call("GET", `${subnet ? `/api/v1/subnets/${subnet}/addresses` : "/api/v1/addresses"}?q=${encodeURIComponent(q)}`, { headers: t.bearer })).body.items.map(
        (a: { ip: string }) => a.ip,
      );
    for (const q of ["2001:DB8:100:10:0:0:0:53", "2001:0db8:0100:0010::0053", " 2001:db8:100:10::53 ", "2001:db8:100:10::53"]) {
      expect(await search(q)).toEqual(["2001:db8:100:10::53"]);
      expect(await search(q, v6.id)).toEqual(["2001:db8:100:10::53"]);
    }
    expect(await search("2001:DB8:100")).toEqual(["2001:db8:100:10::53"]); // a fragment, case-insensitive
    expect(await search("10.0.1")).toEqual(["10.0.1.5"]);
    expect(await search("web")).toEqual(["10.0.1.5"]);
  });
});
