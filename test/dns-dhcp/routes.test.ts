/**
 * Issue 14: the file routes answer like the other export routes — a read key is enough,
 * nothing of another organization is reachable, bad parameters are a 400 naming the field
 * (never a 500, never a broken file) — and /docs/json documents them.
 */
import { describe, expect, test } from "bun:test";
import { ipamFixture } from "../ipam/fixture";
import { tool } from "./checkers";

const ROUTES = [
  "/api/v1/export/dns/bind",
  "/api/v1/export/dns/bind-reverse",
  "/api/v1/export/hosts",
  "/api/v1/export/dnsmasq",
  "/api/v1/export/kea",
  "/api/v1/export/dhcpd",
  "/api/v1/export/ansible-inventory",
];

describe("DNS/DHCP file routes", () => {
  test("need credentials; a read-scope key is enough", async () => {
    const f = ipamFixture();
    const reader = f.createTenant({ scope: "read" });
    for (const route of ROUTES) {
      const query = route.endsWith("/bind") ? "?zone=lab.example&ns=ns.example.net" : route.endsWith("-reverse") ? "?zone=10.in-addr.arpa&domain=lab.example" : "";
      expect((await f.call("GET", route + query)).status).toBe(401);
      const r = await f.as(reader).get(route.replace("/api/v1", "") + query);
      expect(r.status).toBe(200);
      expect(r.headers.get("x-ipcraft-skipped")).toBe("0");
    }
  });

  test("another organization's subnet is not found, and its records never appear", async () => {
    const f = ipamFixture();
    const theirs = f.createTenant();
    const subnet = (await f.as(theirs).post("/subnets", { cidr: "10.5.0.0/24" })).body;
    await f.as(theirs).post(`/subnets/${subnet.id}/addresses`, { ip: "10.5.0.9", hostname: "secret", mac: "52:54:00:00:00:09" });
    for (const route of ["/export/hosts", "/export/dnsmasq", "/export/kea", "/export/dhcpd", "/export/ansible-inventory"]) {
      const r = await f.api.get(`${route}?subnet_id=${subnet.id}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
      const all = await f.api.get(route);
      expect(all.status).toBe(200);
      expect(all.text).not.toContain("secret");
      expect(all.text).not.toContain("10.5.0.9");
    }
  });

  test("bad parameters are a 400 that names the field", async () => {
    const f = ipamFixture();
    const subnet = await f.subnet("10.1.0.0/16");
    const cases: [string, string][] = [
      ["/export/dns/bind", "zone"], // missing
      ["/export/dns/bind?zone=lab_example", "zone"],
      ["/export/dns/bind?zone=lab.example&ns=bad_name.example", "ns"],
      ["/export/dns/bind?zone=lab.example&ns=dns.example.net&rname=a b@x", "rname"],
      ["/export/dns/bind?zone=lab.example&ns=dns.example.net&ttl=-1", "ttl"],
      ["/export/dns/bind?zone=lab.example&ns=dns.example.net&ns_address=10.0.0.300", "ns_address"],
      ["/export/dns/bind?zone=lab.example&ns=dns.example.net&color=red", "color"],
      ["/export/dns/bind-reverse?domain=lab.example", "zone"], // neither subnet nor zone
      ["/export/dns/bind-reverse?zone=10.in-addr.arpa", "domain"],
      ["/export/dns/bind-reverse?zone=300.10.in-addr.arpa&domain=lab.example", "zone"],
      ["/export/dns/bind-reverse?zone=example.com&domain=lab.example", "zone"],
      [`/export/dns/bind-reverse?subnet_id=${subnet.id}&zone=9.10.in-addr.arpa&domain=lab.example`, "zone"],
      ["/export/kea?family=5", "family"],
      ["/export/hosts?domain=caf%C3%A9.example", "domain"],
    ];
    for (const [path, field] of cases) {
      const r = await f.api.get(path);
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(JSON.stringify(r.body)).toContain(field);
    }
  });

  test("an in-zone name server without an address is refused with a way out; ns_address supplies it", async () => {
    const f = ipamFixture();
    const refused = await f.api.get("/export/dns/bind?zone=lab.example");
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain("ns1.lab.example.");
    expect(refused.body.details.field).toBe("ns");
    const ok = await f.api.get("/export/dns/bind?zone=lab.example&ns_address=192.0.2.53,2001:DB8::53");
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("ns1\tIN\tA\t192.0.2.53");
    expect(ok.text).toContain("ns1\tIN\tAAAA\t2001:db8::53");
  });

  test("a subnet's default reverse zone is its octet-aligned zone; a /22 can be cut into /24 zones by name", async () => {
    const f = ipamFixture();
    const wide = await f.subnet("10.2.4.0/22");
    await f.address(wide.id, { ip: "10.2.5.7", hostname: "h" });
    const whole = await f.api.get(`/export/dns/bind-reverse?subnet_id=${wide.id}&domain=lab.example`);
    expect(whole.text).toContain("$ORIGIN 2.10.in-addr.arpa.");
    expect(whole.text).toContain("7.5\tIN\tPTR\th.lab.example.");
    const part = await f.api.get(`/export/dns/bind-reverse?subnet_id=${wide.id}&zone=5.2.10.in-addr.arpa.&domain=lab.example`);
    expect(part.text).toContain("7\tIN\tPTR\th.lab.example.");
    const empty = await f.api.get(`/export/dns/bind-reverse?subnet_id=${wide.id}&zone=4.2.10.in-addr.arpa&domain=lab.example`);
    expect(empty.text).not.toContain("PTR");
  });

  test("subnet_id covers the subnet and its child subnets, in its own VRF only", async () => {
    const f = ipamFixture();
    const parent = await f.subnet("10.3.0.0/16");
    const child = await f.subnet("10.3.1.0/24");
    const elsewhere = await f.subnet("10.3.0.0/16", { vrf: "lab" });
    await f.address(parent.id, { ip: "10.3.0.5", hostname: "in-parent" });
    await f.address(child.id, { ip: "10.3.1.5", hostname: "in-child" });
    await f.address(elsewhere.id, { ip: "10.3.0.6", hostname: "in-lab-vrf" });
    const parentHosts = (await f.api.get(`/export/hosts?subnet_id=${parent.id}`)).text;
    expect(parentHosts).toContain("in-parent");
    expect(parentHosts).toContain("in-child");
    expect(parentHosts).not.toContain("in-lab-vrf");
    const childHosts = (await f.api.get(`/export/hosts?subnet_id=${child.id}`)).text;
    expect(childHosts).toContain("in-child");
    expect(childHosts).not.toContain("in-parent");
  });

  test("/docs/json documents every file route with a description and an example", async () => {
    const f = ipamFixture();
    const spec = (await f.call("GET", "/docs/json")).body;
    for (const route of ROUTES) {
      const op = spec.paths[route]?.get;
      expect({ route, documented: Boolean(op?.description) }).toEqual({ route, documented: true });
      const content = op.responses["200"].content;
      expect(Object.values(content).some((c: any) => typeof c.example === "string" && c.example.length > 0)).toBe(true);
      expect(op.responses["400"]).toBeDefined();
    }
    const params = spec.paths["/api/v1/export/dns/bind"].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(["zone", "subnet_id", "ns", "ns_address", "rname", "ttl", "refresh", "retry", "expire", "minimum"]));
  });

  test("a missing checker fails the tests that need it (it is never skipped)", () => {
    expect(() => tool("ipcraft-no-such-checker")).toThrow(/scripts\/ensure-tools --test/);
  });
});
