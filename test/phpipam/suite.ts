/**
 * The phpIPAM-compatible subset (issue 14), through the real app, on one backend: first exactly
 * the request sequence of Proxmox VE's SDN phpIPAM plugin (PVE/Network/SDN/Ipams/PhpIpamPlugin.pm:
 * verify_api, add_subnet, add_ip for the gateway, add_next_freeip for a VM with a MAC, update_ip,
 * del_ip, with its JSON bodies, `Token` header and trailing slashes), then phpIPAM's error cases
 * and hostile inputs. sqlite.test.ts and pg.test.ts run it.
 */
import { expect, test } from "bun:test";
import { freshTenantApps, type Backend } from "../store/contract/backends";

type Reply = { status: number; body: any };

export function phpipamSuite(backend: Backend) {
  const fresh = freshTenantApps(backend);

  /** A client as Proxmox VE builds one: url `http://…/api/<app>`, JSON bodies, header `Token`. */
  async function proxmox(options: Parameters<typeof fresh>[0] = {}) {
    const t = await fresh(options);
    const url = "http://localhost/api/pve";
    const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, app = t.app): Promise<Reply> => {
      const init: RequestInit = { method, headers: { "content-type": "application/json; charset=UTF-8", token: t.tenant.key, ...headers } };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      const response = await app.handle(new Request(`${url}/${path}`, init));
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    // The section Proxmox is configured with (`section` is an integer in its config).
    const section = await t.api.post("/sections", { name: "Proxmox" });
    expect(section.status).toBe(201);
    return { ...t, request, sectionNumber: section.body.number as number, sectionId: section.body.id as string };
  }

  test("Proxmox VE's sequence: verify, add subnet, add gateway, next free IP for a VM with MAC, update, delete, verify", async () => {
    const c = await proxmox();
    expect(c.sectionNumber).toBe(1);
    // verify_api (on saving the IPAM in Proxmox): GET sections/{section}
    const verify = await c.request("GET", `sections/${c.sectionNumber}`);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ code: 200, success: true, data: { id: 1, name: "Proxmox" } });
    expect(typeof verify.body.time).toBe("number");

    // add_subnet: get_prefix_id fails (404 inside eval) → POST subnets/
    const missing = await c.request("GET", "subnets/cidr/10.0.7.0/24");
    expect(missing).toEqual({ status: 404, body: { code: 404, success: false, message: "No subnets found" } });
    const created = await c.request("POST", "subnets/", { subnet: "10.0.7.0", mask: 24, sectionId: c.sectionNumber });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 201, success: true, message: "Subnet created", data: "10.0.7.0/24" });
    const subnetNumber = created.body.id;
    expect(Number.isInteger(subnetNumber)).toBe(true);
    const prefix = await c.request("GET", "subnets/cidr/10.0.7.0/24");
    expect(prefix.status).toBe(200);
    expect(prefix.body.data[0]).toMatchObject({ id: subnetNumber, subnet: "10.0.7.0", mask: 24, sectionId: c.sectionNumber });

    // add_ip for the gateway: get_prefix_id, then POST addresses/ with is_gateway
    const gw = await c.request("POST", "addresses/", { ip: "10.0.7.1", subnetId: prefix.body.data[0].id, hostname: "gw", description: "gateway", is_gateway: 1 });
    expect(gw.status).toBe(201);
    expect(gw.body).toMatchObject({ code: 201, success: true, message: "Address created" });
    // add_ip again (Proxmox re-applies its config): 409, then is_ip_gateway reads data[0].is_gateway
    const again = await c.request("POST", "addresses/", { ip: "10.0.7.1", subnetId: subnetNumber, hostname: "gw", description: "gateway", is_gateway: 1 });
    expect(again).toEqual({ status: 409, body: { code: 409, success: false, message: "IP address already exists" } });
    const isGateway = await c.request("GET", "addresses/search/10.0.7.1");
    expect(isGateway.body.data[0]).toMatchObject({ id: gw.body.id, is_gateway: 1, subnetId: subnetNumber, ip: "10.0.7.1" });

    // add_next_freeip for VM 100: POST addresses/first_free/{id}/ → data is the new IP
    const vm = await c.request("POST", `addresses/first_free/${subnetNumber}/`, { hostname: "vm100", description: "100", mac: "BC:24:11:AA:BB:01" });
    expect(vm.status).toBe(201);
    expect(vm.body).toMatchObject({ code: 201, success: true, data: "10.0.7.2" });
    const ip = vm.body.data as string;

    // update_ip: get_ip_id via search, then PATCH addresses/{id}
    const found = await c.request("GET", `addresses/search/${ip}`);
    expect(found.body.data[0]).toMatchObject({ hostname: "vm100", mac: "bc:24:11:aa:bb:01", description: "100", is_gateway: 0 });
    const ipId = found.body.data[0].id;
    const patched = await c.request("PATCH", `addresses/${ipId}`, { hostname: "vm100-renamed", description: "100", mac: "BC:24:11:AA:BB:02" });
    expect(patched).toMatchObject({ status: 200, body: { code: 200, success: true, message: "Address updated" } });
    const bymac = await c.request("GET", "addresses/search_mac/bc-24-11-aa-bb-02");
    expect(bymac.body.data.map((a: { ip: string; hostname: string }) => [a.ip, a.hostname])).toEqual([[ip, "vm100-renamed"]]);
    // The native API shows the same record, with the same integer id.
    const native = await c.api.get(`/addresses?ip=${ip}`);
    expect(native.body.items[0]).toMatchObject({ hostname: "vm100-renamed", mac: "bc:24:11:aa:bb:02", number: ipId });

    // GET subnets/{id}/addresses and first_free, as phpIPAM answers them
    const listed = await c.request("GET", `subnets/${subnetNumber}/addresses/`);
    expect(listed.body.data.map((a: { ip: string }) => a.ip)).toEqual(["10.0.7.1", ip]);
    expect((await c.request("GET", `subnets/${subnetNumber}/first_free/`)).body).toMatchObject({ code: 200, data: "10.0.7.3" });

    // del_ip: search, DELETE addresses/{id}; verify it is gone and free again
    const deleted = await c.request("DELETE", `addresses/${ipId}`);
    expect(deleted).toMatchObject({ status: 200, body: { success: true, message: "Address deleted" } });
    expect(await c.request("GET", `addresses/search/${ip}`)).toEqual({ status: 404, body: { code: 404, success: false, message: "Address not found" } });
    expect((await c.request("GET", `subnets/${subnetNumber}/first_free/`)).body.data).toBe(ip);

    // del_subnet's call (DELETE subnets/{id}) deletes it with its addresses.
    expect((await c.request("DELETE", `subnets/${subnetNumber}`)).body).toMatchObject({ success: true, message: "Subnet deleted" });
    expect((await c.request("GET", "subnets/cidr/10.0.7.0/24")).status).toBe(404);
    expect((await c.request("GET", "addresses/search/10.0.7.1")).status).toBe(404);
  });

  test("IPv6, form-encoded bodies, GET lists, a full subnet", async () => {
    const c = await proxmox();
    const v6 = await c.request("POST", "subnets", { subnet: "2001:db8:7::", mask: "64", sectionId: String(c.sectionNumber) });
    expect(v6.status).toBe(201);
    expect(v6.body.data).toBe("2001:db8:7::/64");
    expect((await c.request("GET", "subnets/cidr/2001:db8:7::/64")).body.data[0].id).toBe(v6.body.id);
    const form = await c.request("POST", "addresses", "ip=2001%3Adb8%3A7%3A%3A53&subnetId=" + v6.body.id + "&hostname=ns1", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(201);
    expect((await c.request("GET", "addresses/search/2001:DB8:7:0:0:0:0:53")).body.data[0]).toMatchObject({ hostname: "ns1", ip: "2001:db8:7::53" });
    const sections = await c.request("GET", "sections/");
    expect(sections.body.data.map((s: { id: number; name: string }) => [s.id, s.name])).toEqual([[1, "Proxmox"]]);
    // A /30 has two usable addresses: the third first_free is phpIPAM's 404.
    const tiny = await c.request("POST", "subnets/", { subnet: "10.9.0.0", mask: 30, sectionId: c.sectionNumber });
    for (const expected of ["10.9.0.1", "10.9.0.2"]) expect((await c.request("POST", `addresses/first_free/${tiny.body.id}/`, {})).body.data).toBe(expected);
    expect(await c.request("POST", `addresses/first_free/${tiny.body.id}/`, {})).toEqual({ status: 404, body: { code: 404, success: false, message: "No free addresses found" } });
    expect((await c.request("GET", `subnets/${tiny.body.id}`)).body.data).toMatchObject({ isFull: 1, subnet: "10.9.0.0", mask: 30 });
  });

  test("phpIPAM's error answers: unknown section, subnet, address; bad parameters; immutable fields", async () => {
    const c = await proxmox();
    const err = (status: number, message: string) => ({ status, body: { code: status, success: false, message } });
    expect(await c.request("GET", "sections/99")).toEqual(err(404, "Section does not exist"));
    expect(await c.request("GET", "subnets/99")).toEqual(err(404, "Invalid subnet Id (99)"));
    expect(await c.request("GET", "subnets/abc")).toEqual(err(400, "Subnet Id must be numeric (abc)"));
    expect(await c.request("GET", "addresses/99")).toEqual(err(404, "Address does not exist"));
    expect(await c.request("DELETE", "addresses/99")).toEqual(err(404, "Address does not exist"));
    expect(await c.request("POST", "addresses/first_free/99/", {})).toEqual(err(404, "Invalid subnet Id (99)"));
    expect(await c.request("POST", "subnets/", { subnet: "10.0.8.0", mask: 24, sectionId: 42 })).toEqual(err(400, "Section id (42) does not exist"));
    expect(await c.request("POST", "subnets/", { subnet: "10.0.8.1", mask: 24, sectionId: 1 })).toEqual(err(400, "Address is not subnet"));
    expect((await c.request("POST", "subnets/", { subnet: "10.0.8.0", mask: 33, sectionId: 1 })).status).toBe(400);
    expect((await c.request("POST", "subnets/", { mask: 24, sectionId: 1 })).status).toBe(400);
    const s = await c.request("POST", "subnets/", { subnet: "10.0.8.0", mask: 24, sectionId: 1 });
    expect((await c.request("POST", "subnets/", { subnet: "10.0.8.0", mask: 24, sectionId: 1 })).status).toBe(409);
    expect(await c.request("POST", "addresses/", { ip: "10.0.8.5", subnetId: 77 })).toEqual(err(404, "Invalid subnet Id (77)"));
    expect((await c.request("POST", "addresses/", { ip: "10.0.9.5", subnetId: s.body.id })).status).toBe(400);
    expect(await c.request("POST", "addresses/", { ip: "10.0.8.5", subnetId: s.body.id, mac: "nope" })).toEqual(err(400, "Invalid MAC address"));
    const a = await c.request("POST", "addresses/", { ip: "10.0.8.5", subnetId: s.body.id, hostname: "db" });
    expect(await c.request("PATCH", `addresses/${a.body.id}`, { ip: "10.0.8.6" })).toEqual(err(400, "IP address cannot be changed"));
    expect(await c.request("PATCH", `addresses/${a.body.id}`, { subnetId: 1 })).toEqual(err(400, "Subnet cannot be changed"));
    expect(await c.request("PATCH", `addresses/${a.body.id}`, {})).toEqual(err(400, "No data provided"));
    expect(await c.request("GET", "addresses/search/not-an-ip")).toEqual(err(400, "Invalid address"));
    // is_gateway=0 turns a gateway back into an ordinary address, tag 3 reserves.
    await c.request("PATCH", `addresses/${a.body.id}`, { is_gateway: 1 });
    expect((await c.request("GET", `addresses/${a.body.id}`)).body.data).toMatchObject({ is_gateway: 1, hostname: "db" });
    await c.request("PATCH", `addresses/${a.body.id}`, { is_gateway: 0, tag: 3 });
    expect((await c.request("GET", `addresses/${a.body.id}`)).body.data).toMatchObject({ is_gateway: 0, tag: 3 });
    expect(await c.request("PATCH", `addresses/${a.body.id}`, { tag: 9 })).toEqual(err(400, "Invalid state"));
  });

  test("an Idempotency-Key makes the creating POSTs safe to retry: the first envelope again, one record; another request with the key is 422", async () => {
    const c = await proxmox();
    const keyed = (key: string) => ({ "idempotency-key": key });
    const subnet = await c.request("POST", "subnets/", { subnet: "10.0.9.0", mask: 24, sectionId: c.sectionNumber }, keyed("subnet-1"));
    const subnetAgain = await c.request("POST", "subnets/", { subnet: "10.0.9.0", mask: 24, sectionId: c.sectionNumber }, keyed("subnet-1"));
    expect(subnet.status).toBe(201);
    expect({ status: subnetAgain.status, body: { ...subnetAgain.body, time: 0 } }).toEqual({ status: 201, body: { ...subnet.body, time: 0 } });
    const subnetNumber = subnet.body.id as number;

    const vm = await c.request("POST", `addresses/first_free/${subnetNumber}/`, { hostname: "vm7", mac: "BC:24:11:AA:BB:07" }, keyed("vm-7"));
    const retries = await Promise.all(Array.from({ length: 8 }, () => c.request("POST", `addresses/first_free/${subnetNumber}/`, { hostname: "vm7", mac: "BC:24:11:AA:BB:07" }, keyed("vm-7"))));
    expect(vm).toMatchObject({ status: 201, body: { code: 201, success: true, message: "Address created", data: "10.0.9.1" } });
    for (const r of retries) expect({ status: r.status, id: r.body.id, data: r.body.data }).toEqual({ status: 201, id: vm.body.id, data: "10.0.9.1" });
    const gw = await c.request("POST", "addresses/", { ip: "10.0.9.254", subnetId: subnetNumber, hostname: "gw", is_gateway: 1 }, keyed("gw"));
    const gwAgain = await c.request("POST", "addresses/", { ip: "10.0.9.254", subnetId: subnetNumber, hostname: "gw", is_gateway: 1 }, keyed("gw"));
    expect(gwAgain).toMatchObject({ status: 201, body: { message: "Address created", id: gw.body.id, data: "10.0.9.254" } });
    // One record each, nothing created twice.
    const listed = await c.request("GET", `subnets/${subnetNumber}/addresses`);
    expect(listed.body.data.map((a: { ip: string }) => a.ip)).toEqual(["10.0.9.1", "10.0.9.254"]);
    expect((await c.api.get("/subnets?q=10.0.9.0")).body.items.length).toBe(1);

    // The key with another request (another body, or parameters in the query string): refused in the envelope.
    const otherBody = await c.request("POST", `addresses/first_free/${subnetNumber}/`, { hostname: "vm8" }, keyed("vm-7"));
    expect(otherBody).toMatchObject({ status: 422, body: { code: 422, success: false } });
    expect(otherBody.body.message).toContain("Idempotency-Key");
    const otherQuery = await c.request("POST", `addresses/first_free/${subnetNumber}/?hostname=vm9`, { hostname: "vm7", mac: "BC:24:11:AA:BB:07" }, keyed("vm-7"));
    expect(otherQuery.status).toBe(422);
    expect((await c.request("GET", `subnets/${subnetNumber}/addresses`)).body.data.length).toBe(2);
  });

  test("hostile: no, bad, revoked or read-only tokens; foreign ids are 404; malformed bodies are 4xx envelopes, never 500", async () => {
    const c = await proxmox();
    const err = (status: number, message: string) => ({ status, body: { code: status, success: false, message } });
    expect(await c.request("GET", "sections/1", undefined, { token: "" })).toEqual(err(401, "Please provide token"));
    expect(await c.request("GET", "sections/1", undefined, { token: "ipc_" + "x".repeat(40) })).toEqual(err(401, "Invalid token"));
    expect(await c.request("GET", "sections/1", undefined, { token: "'; DROP TABLE sections; --" })).toEqual(err(401, "Invalid token"));
    // Another organization's ids: numbers are per organization, so its subnet 1 is not ours.
    const other = await c.newTenant();
    const mine = await c.request("POST", "subnets/", { subnet: "10.1.0.0", mask: 24, sectionId: 1 });
    const theirs = (h: Record<string, string> = {}) => ({ token: other.key, ...h });
    expect((await c.request("GET", `subnets/${mine.body.id}`, undefined, theirs())).status).toBe(404);
    expect((await c.request("GET", "sections/1", undefined, theirs())).status).toBe(404);
    expect((await c.request("DELETE", `subnets/${mine.body.id}`, undefined, theirs())).status).toBe(404);
    expect((await c.request("POST", `addresses/first_free/${mine.body.id}/`, {}, theirs())).status).toBe(404);
    expect((await c.request("GET", "subnets/cidr/10.1.0.0/24", undefined, theirs())).status).toBe(404);
    expect((await c.request("GET", `subnets/${mine.body.id}`)).status).toBe(200);
    // A read-only key reads but cannot write.
    const reader = await c.newTenant({ scope: "read" });
    const denied = await c.request("POST", "subnets/", { subnet: "10.2.0.0", mask: 24, sectionId: 1 }, { token: reader.key });
    expect(denied.status).toBe(403);
    expect(denied.body.success).toBe(false);
    // Malformed bodies and ids.
    const bodies: [string, Record<string, string>][] = [
      ["{not json", {}],
      ["[1,2,3]", {}],
      ['"a string"', {}],
      ['{"subnet": {"a": 1}, "mask": 24, "sectionId": 1}', {}],
      ['{"subnet": "10.3.0.0", "mask": 24, "sectionId": [1]}', {}],
      ['{"subnet": "10.3.0.0", "mask": 24, "sectionId": 1e99}', {}],
      ["<xml/>", { "content-type": "text/xml" }],
    ];
    for (const [raw, headers] of bodies) {
      const r = await c.request("POST", "subnets/", raw, headers);
      expect({ raw, status: r.status >= 400 && r.status < 500, success: r.body?.success, message: typeof r.body?.message }).toEqual({ raw, status: true, success: false, message: "string" });
    }
    // Form bodies: a percent-escape that is not UTF-8 is refused (it was stored as U+FFFD), and
    // no more fields than a JSON body may have.
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const target = `subnetId=${mine.body.id}`;
    const notUtf8 = await c.request("POST", "addresses/", `${target}&ip=10.1.0.216&description=%ff`, form);
    expect({ status: notUtf8.status, success: notUtf8.body?.success }).toEqual({ status: 400, success: false });
    const manyFields = await c.request("POST", "addresses/", `${target}&ip=10.1.0.217&` + Array.from({ length: 5000 }, (_, i) => `f${i}=1`).join("&"), form);
    expect({ status: manyFields.status, success: manyFields.body?.success }).toEqual({ status: 400, success: false });
    const fine = await c.request("POST", "addresses/", `${target}&ip=10.1.0.218&description=caf%C3%A9+bar`, form);
    expect(fine.status).toBe(201);
    // A "%" that starts no escape stays as written, as PHP's urldecode reads it; a form's
    // charset label does not matter (Java's encoders say ISO-8859-1 over percent-encoded ASCII).
    const percent = await c.request("POST", "addresses/", `${target}&ip=10.1.0.219&description=100% full&`, {
      "content-type": "application/x-www-form-urlencoded; charset=ISO-8859-1",
    });
    expect(percent.status).toBe(201);
    const listed = await c.request("GET", `subnets/${mine.body.id}/addresses/`);
    expect(listed.body.data.map((a: { ip: string; description: string }) => [a.ip, a.description])).toEqual([
      ["10.1.0.218", "café bar"],
      ["10.1.0.219", "100% full"],
    ]);
    // An oversized form body, streamed with no length: refused by the same cap as JSON, in the envelope.
    const huge = await c.request("POST", "addresses/", "hostname=" + "x".repeat(2_000_000), { "content-type": "application/x-www-form-urlencoded" });
    expect({ status: huge.status, success: huge.body?.success }).toEqual({ status: 413, success: false });
    for (const path of ["subnets/-1", "subnets/1.5", "subnets/99999999999999999999", "addresses/%00", "addresses/search/%ff", "subnets/cidr/10.0.0.0/99", "addresses/search_mac/zz"]) {
      const r = await c.request("GET", path);
      expect({ path, ok: r.status >= 400 && r.status < 500, success: r.body?.success }).toEqual({ path, ok: true, success: false });
    }
    // ipcraft's own /api/v1 answers as before: not a phpIPAM app id.
    const v1 = await c.app.handle(new Request("http://localhost/api/v1/nothing-here", { headers: { token: c.tenant.key } }));
    expect(v1.status).toBe(404);
    expect((await v1.json()).code).toBe("route_not_found");
    // …also where a path has the shape of a phpIPAM route: `v1` is never taken as an app id.
    const shaped = await c.app.handle(new Request("http://localhost/api/v1/addresses/search_mac/aa:bb:cc:dd:ee:ff", { headers: { token: c.tenant.key } }));
    expect(shaped.status).toBe(404);
    expect((await shaped.json()).code).toBe("route_not_found");
  });

  test("integer ids survive a restart: a new app over the same database answers the same numbers", async () => {
    const c = await proxmox();
    const s = await c.request("POST", "subnets/", { subnet: "10.4.0.0", mask: 24, sectionId: c.sectionNumber });
    const vm = await c.request("POST", `addresses/first_free/${s.body.id}/`, { hostname: "vm101", mac: "bc:24:11:00:00:01" });
    const before = await c.request("GET", `addresses/search/${vm.body.data}`);
    const second = await c.secondStore();
    try {
      const { createApp } = await import("../../src/app");
      const { defaultServerConfig } = await import("../../src/config");
      const { createMemoryLogger } = await import("../../src/logger");
      const restarted = createApp({ store: second.store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
      const after = await c.request("GET", `addresses/search/${vm.body.data}`, undefined, {}, restarted as never);
      expect(after.body.data).toEqual(before.body.data);
      expect((await c.request("GET", "subnets/cidr/10.4.0.0/24", undefined, {}, restarted as never)).body.data[0].id).toBe(s.body.id);
      expect((await c.request("GET", `sections/${c.sectionNumber}`, undefined, {}, restarted as never)).body.data.name).toBe("Proxmox");
      // Numbers keep counting after the restart: the next address is the next number.
      const next = await c.request("POST", `addresses/first_free/${s.body.id}/`, { hostname: "vm102" }, {}, restarted as never);
      expect(next.body.id).toBe(vm.body.id + 1);
    } finally {
      await second.close();
    }
  });
}
