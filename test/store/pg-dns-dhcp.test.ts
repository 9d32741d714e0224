/**
 * Issues 12 and 14: the DNS, DHCP and Ansible files on PostgreSQL. The same awkward
 * organization as test/dns-dhcp/files.test.ts, built through the app over a PostgreSQL store
 * (the server working as ipcraft_app under row-level security), and every file loaded by the
 * real program that reads it; the files equal SQLite's byte for byte (serials aside); keyset
 * paging past one page; nothing of another organization; and a zone serial that grows with
 * every change, allocation batches included, and by one per change within one second.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { EXPORT_PAGE } from "../../src/features/io/export";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore } from "../../src/store/pg/store";
import { ansibleList, checkDhcpd, checkDnsmasq, checkKea, checkZone } from "../dns-dhcp/checkers";
import { awkwardOrg, fillAwkward, MAC } from "../dns-dhcp/fixture";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn, type Tenant } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase;
let app: ReturnType<typeof createApp>;
let store: ReturnType<typeof createPgStore>;

beforeAll(async () => {
  db = await freshPgDatabase({ migrated: true });
  store = createPgStore(db.sql);
  app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
}, 120_000);
afterAll(() => db?.drop());

async function call(who: Tenant, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { ...who.bearer };
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await app.handle(new Request(`http://localhost/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  const text = await r.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, text, body: parsed, headers: r.headers };
}

async function file(who: Tenant, path: string) {
  const r = await call(who, "GET", path);
  expect(r.status).toBe(200);
  return r;
}

const serialOf = (text: string) => Number(/(\d+) ; serial/.exec(text)![1]);
/** A zone with its serial blanked, to compare two backends' files. */
const withoutSerial = (text: string) => text.replace(/\d+ ; serial/, "S ; serial").replace(/serial \d+/, "serial S");

describe("DNS and DHCP files on PostgreSQL", () => {
  let tenant: Tenant;
  let org: Awaited<ReturnType<typeof fillAwkward>>;
  beforeAll(async () => {
    tenant = await createTenantIn(store);
    org = await fillAwkward((path, body) => call(tenant, "POST", path, body));
  }, 120_000);

  test("every file passes its real checker", async () => {
    const forward = await file(tenant, "/export/dns/bind?zone=Lab.Example.");
    expect(checkZone("lab.example.", forward.text).code).toBe(0);
    expect(forward.text).toContain("web\tIN\tAAAA\t2001:db8:1::10");
    expect(Number(forward.headers.get("x-ipcraft-skipped"))).toBe(8);
    expect(Number(forward.headers.get("x-ipcraft-serial"))).toBe(serialOf(forward.text));

    const reverse4 = await file(tenant, `/export/dns/bind-reverse?subnet_id=${org.v4.id}&domain=lab.example`);
    expect(checkZone("1.0.10.in-addr.arpa.", reverse4.text).code).toBe(0);
    expect(reverse4.text).toContain("14\tIN\tPTR\tdb.lab.example.");
    const reverse6 = await file(tenant, `/export/dns/bind-reverse?subnet_id=${org.v6.id}&domain=lab.example.`);
    expect(checkZone("0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", reverse6.text).code).toBe(0);

    const dnsmasq = await file(tenant, "/export/dnsmasq?domain=lab.example");
    expect(checkDnsmasq(dnsmasq.text).code).toBe(0);
    expect(dnsmasq.text).toContain(`dhcp-host=${MAC(0x10)},[2001:db8:1::10],web\n`);

    const kea4 = await file(tenant, "/export/kea?family=4");
    expect(checkKea(4, kea4.text).code).toBe(0);
    expect(JSON.parse(kea4.text).Dhcp4.subnet4[0].reservations).toContainEqual({ "hw-address": MAC(0x10), "ip-address": "10.0.1.10", hostname: "web" });
    const kea6 = await file(tenant, `/export/kea?subnet_id=${org.v6.id}`);
    expect(checkKea(6, kea6.text).code).toBe(0);
    expect(JSON.parse(kea6.text).Dhcp6.subnet6[0].reservations).toHaveLength(3);

    expect(checkDhcpd(4, (await file(tenant, "/export/dhcpd")).text).code).toBe(0);
    expect(checkDhcpd(6, (await file(tenant, "/export/dhcpd?family=6")).text).code).toBe(0);

    const inventory = ansibleList((await file(tenant, "/export/ansible-inventory?domain=lab.example")).text);
    expect(inventory.code).toBe(0);
    expect(inventory.inventory._meta.hostvars["web.lab.example"].ips).toEqual(["10.0.1.10", "10.0.1.15", "2001:db8:1::10"]);
    expect(inventory.inventory._meta.hostvars["web.lab.example"].folder).toBe("Lab Net");
    expect(inventory.inventory.subnet_10_0_1_0_24_vrf_lab.hosts).toEqual(["other.lab.example"]);
  });

  test("the files are SQLite's, byte for byte (serials and Kea's subnet ids aside)", async () => {
    const sqlite = await awkwardOrg();
    const paths = [
      "/export/dns/bind?zone=lab.example",
      "/export/dns/bind-reverse?zone=10.in-addr.arpa&domain=lab.example",
      "/export/dns/bind-reverse?zone=1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa&domain=lab.example",
      "/export/hosts?domain=lab.example",
      "/export/dnsmasq",
      "/export/dhcpd?family=6",
      "/export/ansible-inventory",
    ];
    for (const path of paths) {
      const pg = await file(tenant, path);
      const lite = await sqlite.api.get(path);
      expect(lite.status).toBe(200);
      expect(withoutSerial(pg.text)).toBe(withoutSerial(lite.text));
      expect(pg.headers.get("x-ipcraft-skipped")).toBe(lite.headers.get("x-ipcraft-skipped"));
    }
  });

  test("another organization sees none of it: its subnet_id is 404, its files are empty", async () => {
    const other = await createTenantIn(store);
    for (const route of ["/export/hosts", "/export/dnsmasq", "/export/kea", "/export/dhcpd", "/export/ansible-inventory"]) {
      const r = await call(other, "GET", `${route}?subnet_id=${org.v4.id}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
      const all = await file(other, route);
      expect(all.text).not.toContain("10.0.1.");
      expect(all.text).not.toContain("2001:db8:1::");
      expect(all.headers.get("x-ipcraft-skipped")).toBe("0");
    }
    // Its serial is its own (no change yet: the floor of 1), not the first organization's.
    expect(Number((await file(other, "/export/hosts")).headers.get("x-ipcraft-serial"))).toBe(1);
  });
});

describe("keyset pages on PostgreSQL", () => {
  test("a subnet holding more than one page is read whole, in IP order, and only its own records", async () => {
    const tenant = await createTenantIn(store);
    const post = (path: string, body: unknown) => call(tenant, "POST", path, body);
    const big = (await post("/subnets", { cidr: "10.20.0.0/20" })).body;
    const n = EXPORT_PAGE + 234;
    expect((await post(`/subnets/${big.id}/addresses`, { count: n, owner: "bulk" })).status).toBe(201);
    const neighbour = (await post("/subnets", { cidr: "10.21.0.0/24" })).body;
    expect((await post(`/subnets/${neighbour.id}/addresses`, { ip: "10.21.0.5", hostname: "next-door" })).status).toBe(201);
    const inventory = ansibleList((await file(tenant, `/export/ansible-inventory?subnet_id=${big.id}`)).text);
    expect(inventory.code).toBe(0);
    const ips = Object.values(inventory.inventory._meta.hostvars).map((h: any) => h.ip as string);
    expect(ips).toHaveLength(n);
    expect(new Set(ips).size).toBe(n);
    expect(ips).not.toContain("10.21.0.5");
    const whole = await file(tenant, "/export/hosts");
    expect(whole.text).toContain("10.21.0.5\tnext-door");
  });
});

describe("the zone serial on PostgreSQL", () => {
  const zone = async (who: Tenant) => {
    const r = await file(who, "/export/dns/bind?zone=lab.example&ns=dns.example.net");
    const serial = serialOf(r.text);
    expect(Number(r.headers.get("x-ipcraft-serial"))).toBe(serial);
    return { serial, text: r.text };
  };

  test("grows with each change (create, allocate, rename, delete); unchanged data gives the same file", async () => {
    const tenant = await createTenantIn(store);
    const subnet = (await call(tenant, "POST", "/subnets", { cidr: "10.9.0.0/24" })).body;
    const s0 = await zone(tenant);
    const a = (await call(tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: "10.9.0.5", hostname: "alpha" })).body;
    const s1 = await zone(tenant);
    // first free: the per-subnet allocation batch (store/pg/ipam.ts) writes its own activity entries
    const b = await call(tenant, "POST", `/subnets/${subnet.id}/addresses`, { hostname: "bravo" });
    expect(b.status).toBe(201);
    const s2 = await zone(tenant);
    expect((await call(tenant, "PATCH", `/addresses/${a.id}`, { hostname: "gamma" })).status).toBe(200);
    const s3 = await zone(tenant);
    expect((await call(tenant, "DELETE", `/addresses/${a.id}`)).status).toBe(204);
    const s4 = await zone(tenant);
    const serials = [s0, s1, s2, s3, s4].map((s) => s.serial);
    for (let i = 1; i < serials.length; i++) expect(serials[i]!).toBeGreaterThan(serials[i - 1]!);
    expect(s2.text).toContain(`bravo\tIN\tA\t${b.body.ip}`);
    expect(s4.text).not.toContain("gamma");
    expect(Math.abs(s4.serial - Date.now() / 1000)).toBeLessThan(3600);
    expect((await zone(tenant)).text).toBe(s4.text);
    expect(checkZone("lab.example.", s4.text).code).toBe(0);
  });

  test("moves by exactly one per change stamped with the same second, and catches up with a later change's time", async () => {
    const tenant = await createTenantIn(store);
    const subnet = (await call(tenant, "POST", "/subnets", { cidr: "10.9.0.0/24" })).body;
    const T = "2030-01-01T00:00:00.000Z";
    // As the owner, behind the app: every change (feed entry) of the organization at one instant.
    const pin = (iso: string) => db.sql`UPDATE activity SET at = ${iso} WHERE org_id = ${tenant.orgId} AND at < '2030-01-01'`;
    await pin(T);
    const first = (await zone(tenant)).serial;
    expect(first).toBe(Date.parse(T) / 1000); // one change (the subnet): the time of that change
    const seen = [first];
    for (const ip of ["10.9.0.5", "10.9.0.6"]) {
      const a = (await call(tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip, hostname: "x" })).body;
      await pin(T);
      seen.push((await zone(tenant)).serial);
      expect((await call(tenant, "DELETE", `/addresses/${a.id}`)).status).toBe(204);
      await pin(T);
      seen.push((await zone(tenant)).serial);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBe(seen[i - 1]! + 1);
    await call(tenant, "POST", `/subnets/${subnet.id}/addresses`, { ip: "10.9.0.9" });
    await pin("2030-01-02T00:00:00.000Z"); // a day later: the time of the change again
    expect((await zone(tenant)).serial).toBe(Date.parse("2030-01-02T00:00:00Z") / 1000);
  });
});
