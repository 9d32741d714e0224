/**
 * The subnet views in a real browser, on data made through the API with an API key:
 * the tree's utilization colours, the /24 grid (254 cells with the right statuses),
 * assigning and releasing by click (checked through the API), the create dialog showing the
 * API's error sentence, large subnets as a table, the phone width, and no offsite requests.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, newContext, signInByLink, startUi, type UiEnv, signedInPage, apiCreate } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};

function create(path: string, body: unknown): Promise<any> {
  return apiCreate(env, tenant.key, path, body);
}

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Lab" });
  const section = await create("/api/v1/sections", { name: "Datacenter" });
  ids.dc = (await create("/api/v1/subnets", { cidr: "10.0.0.0/16", name: "DC", section_id: section.id })).id;
  // green: 6 of 254 used; gateway, reserved, dhcp and assigned records for the grid
  ids.servers = (await create("/api/v1/subnets", { cidr: "10.0.1.0/24", name: "Servers", gateway: "10.0.1.1" })).id;
  await create(`/api/v1/subnets/${ids.servers}/addresses`, { ip: "10.0.1.10", hostname: "spare", status: "reserved", owner: "" });
  for (const ip of ["10.0.1.100", "10.0.1.101"]) await create(`/api/v1/subnets/${ids.servers}/addresses`, { ip, hostname: "", status: "dhcp", owner: "" });
  await create(`/api/v1/subnets/${ids.servers}/addresses`, { ip: "10.0.1.50", hostname: "web-01", status: "assigned", owner: "ops", mac: "AA:BB:CC:00:00:50" });
  // yellow: 10 of 14 = 71.4 %
  ids.yellow = (await create("/api/v1/subnets", { cidr: "10.0.2.0/28", name: "Mgmt" })).id;
  await create(`/api/v1/subnets/${ids.yellow}/addresses`, { count: 10, hostname: "", status: "assigned", owner: "" });
  // red: 13 of 14 = 92.9 %
  ids.red = (await create("/api/v1/subnets", { cidr: "10.0.3.0/28", name: "Storage" })).id;
  await create(`/api/v1/subnets/${ids.red}/addresses`, { count: 13, hostname: "", status: "assigned", owner: "" });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

function signedIn(viewport?: { width: number; height: number }): Promise<Page> {
  return signedInPage(env, tenant.email, viewport);
}

describe("the sidebar tree", () => {
  test("nests subnets under their parent inside their folder, with utilization colours", async () => {
    const page = await signedIn();
    const tree = page.getByRole("complementary", { name: "Subnets" });
    const bar = (cidr: string) => tree.locator(`li:has(> .node a[data-cidr="${cidr}"]) > .node .util`);
    // Below the second level the tree starts folded: open the /16 from the keyboard.
    await bar("10.0.0.0/16").waitFor();
    await tree.getByRole("button", { name: "Expand 10.0.0.0/16 DC" }).focus();
    await page.keyboard.press("Enter");
    await bar("10.0.3.0/28").waitFor();
    expect(await bar("10.0.0.0/16").getAttribute("data-level")).toBe("green");
    expect(await bar("10.0.1.0/24").getAttribute("data-level")).toBe("green");
    expect(await bar("10.0.2.0/28").getAttribute("data-level")).toBe("yellow");
    expect(await bar("10.0.3.0/28").getAttribute("data-level")).toBe("red");
    // The /24s sit inside the /16's list, which sits inside the "Datacenter" folder.
    const folder = tree.locator("li.folder-item", { hasText: "Datacenter" });
    const dc = folder.locator('li:has(> .node a[data-cidr="10.0.0.0/16"])');
    expect(await dc.locator('a[data-cidr="10.0.2.0/28"]').count()).toBe(1);
    // Colours differ on screen, not only in attributes.
    const colour = (cidr: string) => bar(cidr).locator(".fill").evaluate((el) => getComputedStyle(el).backgroundColor);
    const [g, y, r] = [await colour("10.0.1.0/24"), await colour("10.0.2.0/28"), await colour("10.0.3.0/28")];
    expect(new Set([g, y, r]).size).toBe(3);
    // The fill's length is the utilization (10 of 14 usable = 71.4 %; 13 of 14 = 92.9 %).
    const filled = (cidr: string) =>
      bar(cidr).evaluate((el) => (el.querySelector(".fill") as HTMLElement).getBoundingClientRect().width / el.getBoundingClientRect().width);
    expect(await filled("10.0.2.0/28")).toBeCloseTo(10 / 14, 1);
    expect(await filled("10.0.3.0/28")).toBeCloseTo(13 / 14, 1);
    // Nothing on the page was refused by its Content-Security-Policy.
    expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
    await page.context().close();
  }, 30_000);
});

describe("the IP grid", () => {
  test("a /24 shows 254 cells with the statuses of the records", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.servers}`);
    const cells = page.locator(".ip-grid .cell");
    await cells.first().waitFor();
    expect(await cells.count()).toBe(254);
    const statuses = await cells.evaluateAll((els) => els.map((el) => [el.getAttribute("data-ip"), el.getAttribute("data-status")]));
    expect(statuses[0]).toEqual(["10.0.1.1", "gateway"]);
    expect(statuses[253]).toEqual(["10.0.1.254", "available"]);
    const byIp = Object.fromEntries(statuses);
    expect(byIp["10.0.1.10"]).toBe("reserved");
    expect(byIp["10.0.1.50"]).toBe("assigned");
    expect(byIp["10.0.1.100"]).toBe("dhcp");
    expect(byIp["10.0.1.101"]).toBe("dhcp");
    expect(statuses.filter(([, s]) => s === "available").length).toBe(254 - 5);
    expect(byIp["10.0.1.0"]).toBeUndefined(); // network and broadcast are not usable
    expect(byIp["10.0.1.255"]).toBeUndefined();
    // hostname on hover
    expect(await page.locator('.cell[data-ip="10.0.1.50"]').getAttribute("title")).toContain("web-01");
    // each status has its own colour
    const colours = await page.evaluate(() =>
      ["available", "assigned", "gateway", "reserved", "dhcp"].map((s) => getComputedStyle(document.querySelector(`.cell[data-status="${s}"]`)!).backgroundColor),
    );
    expect(new Set(colours).size).toBe(5);
    await page.context().close();
  }, 30_000);

  test("clicking an available cell assigns it; clicking it again edits and releases it", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.servers}`);
    await page.locator('.cell[data-ip="10.0.1.60"]').click();
    const dialog = page.getByRole("dialog", { name: "Assign 10.0.1.60" });
    await dialog.getByLabel("Hostname").fill("db-02");
    await dialog.getByLabel("Status").selectOption("assigned");
    await dialog.getByLabel("Owner").fill("dba-team");
    await dialog.getByLabel("MAC").fill("AA:BB:CC:00:11:22");
    await dialog.getByLabel("Description").fill("primary database");
    await dialog.getByRole("button", { name: "Assign" }).click();
    await page.locator('.cell[data-ip="10.0.1.60"][data-status="assigned"]').waitFor();
    const listed = await apiCall(env, tenant.key, "GET", `/api/v1/addresses?ip=10.0.1.60`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ ip: "10.0.1.60", hostname: "db-02", status: "assigned", owner: "dba-team", mac: "aa:bb:cc:00:11:22", description: "primary database", subnet_id: ids.servers });

    // taken → edit → release (after a confirmation)
    await page.locator('.cell[data-ip="10.0.1.60"]').click();
    const edit = page.getByRole("dialog", { name: "Edit 10.0.1.60" });
    expect(await edit.getByLabel("Hostname").inputValue()).toBe("db-02");
    await edit.getByRole("button", { name: "Release" }).click();
    await page.getByRole("dialog", { name: "Release 10.0.1.60?" }).getByRole("button", { name: "Release" }).click();
    await page.locator('.cell[data-ip="10.0.1.60"][data-status="available"]').waitFor();
    const after = await apiCall(env, tenant.key, "GET", `/api/v1/addresses?ip=10.0.1.60`);
    expect(after.body.items).toHaveLength(0);
    await page.context().close();
  }, 30_000);

  test("dialogs close on Escape and give focus back; the grid moves with arrow keys", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.servers}`);
    const cell = page.locator('.cell[data-ip="10.0.1.2"]');
    await cell.focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-ip"))).toBe("10.0.1.3");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Assign 10.0.1.3" });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest("dialog") !== null)).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-ip"))).toBe("10.0.1.3");
    await page.context().close();
  }, 30_000);

  test("Next free allocates the lowest free address", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.servers}`);
    await page.getByRole("button", { name: "Next free" }).click();
    const dialog = page.getByRole("dialog", { name: "Allocate the next free address" });
    expect(await dialog.locator(".next-free").textContent()).toBe("10.0.1.2");
    await dialog.getByLabel("Hostname").fill("auto-01");
    await dialog.getByRole("button", { name: "Allocate" }).click();
    await page.locator('.cell[data-ip="10.0.1.2"][data-status="assigned"]').waitFor();
    const listed = await apiCall(env, tenant.key, "GET", `/api/v1/addresses?ip=10.0.1.2`);
    expect(listed.body.items[0]).toMatchObject({ hostname: "auto-01", status: "assigned" });
    await page.context().close();
  }, 30_000);
});

describe("creating and large subnets", () => {
  test("the New subnet dialog shows the API's error sentence and creates nothing", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "New subnet" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New subnet" });
    await dialog.getByLabel("CIDR").fill("10.0.4.7/24");
    await dialog.getByRole("button", { name: "Create subnet" }).click();
    const error = dialog.getByRole("alert");
    await error.waitFor();
    expect(await error.textContent()).toContain("10.0.4.0/24");
    const listed = await apiCall(env, tenant.key, "GET", "/api/v1/subnets?q=10.0.4");
    expect(listed.body.items).toHaveLength(0);
    await dialog.getByLabel("CIDR").fill("10.0.4.0/24");
    await dialog.getByRole("button", { name: "Create subnet" }).click();
    await page.getByRole("heading", { level: 1, name: "10.0.4.0/24" }).waitFor();
    await page.locator('.sidebar a[data-cidr="10.0.4.0/24"]').waitFor();
    await page.context().close();
  }, 30_000);

  test("a /16 is a paginated table with free ranges, never a grid", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.dc}`);
    await page.getByRole("heading", { name: "Free ranges" }).waitFor();
    await page.locator(".free-ranges table tbody tr").first().waitFor();
    expect(await page.locator(".cell").count()).toBe(0);
    expect(await page.locator(".free-ranges").textContent()).toContain("10.0.0.1");
    await page.context().close();
  }, 30_000);

  test("search finds an address by hostname, IP, owner and MAC, and names its subnet", async () => {
    const page = await signedIn();
    await page.getByLabel("Search addresses").fill("web-01");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/search\?q=web-01/);
    const row = page.locator("table.results tbody tr", { hasText: "web-01" });
    await row.waitFor();
    expect(await row.textContent()).toContain("10.0.1.50");
    expect(await row.textContent()).toContain("10.0.1.0/24");
    for (const q of ["10.0.1.50", "ops", "aa:bb:cc:00:00:50"]) {
      await page.goto(`/search?q=${encodeURIComponent(q)}`);
      await page.getByRole("heading", { name: `Results for “${q}”` }).waitFor();
      await row.waitFor();
      expect(await page.locator("table.results tbody tr").count()).toBe(1);
    }
    await page.context().close();
  }, 30_000);

  test("the New folder dialog shows the API's sentence for a duplicate name", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "New folder" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New folder" });
    await dialog.getByLabel("Name").fill("datacenter"); // names are unique case-insensitively
    await dialog.getByRole("button", { name: "Create folder" }).click();
    const error = dialog.getByRole("alert");
    await error.waitFor();
    expect(await error.textContent()).toContain("already exists");
    const sections = await apiCall(env, tenant.key, "GET", "/api/v1/sections");
    expect(sections.body.items.map((s: any) => s.name)).toEqual(["Datacenter"]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.context().close();
  }, 30_000);

  test("an IPv6 subnet is a paged table of records with its free ranges", async () => {
    const v6 = await create("/api/v1/subnets", { cidr: "2001:db8:7::/64", name: "v6 lab" });
    await create(`/api/v1/subnets/${v6.id}/addresses`, { count: 130, hostname: "node", status: "assigned", owner: "" });
    const page = await signedIn();
    await page.goto(`/subnets/${v6.id}`);
    const rows = page.locator("table.addresses tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(100);
    expect(await page.locator(".pager").textContent()).toContain("page 1 of 2");
    await page.getByRole("button", { name: "Next page" }).click();
    await page.locator(".pager", { hasText: "page 2 of 2" }).waitFor();
    expect(await rows.count()).toBe(30);
    expect(await rows.first().locator("td").first().textContent()).toBe("2001:db8:7::65"); // the 101st: ::1 + 100
    expect(await page.locator(".free-ranges tbody tr").first().textContent()).toContain("2001:db8:7::83");
    expect(await page.locator(".cell").count()).toBe(0);
    await page.context().close();
  }, 30_000);
});

describe("assigning a chosen address without a grid", () => {
  test("on an IPv6 subnet, Assign address records the typed IP and shows the API's sentence when it cannot", async () => {
    const v6 = await create("/api/v1/subnets", { cidr: "2001:db8:9::/64", name: "v6 assign" });
    await create("/api/v1/subnets", { cidr: "2001:db8:9:0:1::/80", name: "v6 child" });
    await create(`/api/v1/subnets/${v6.id}/addresses`, { ip: "2001:db8:9::5", hostname: "taken-host", status: "assigned", owner: "" });
    const records = async () => (await apiCall(env, tenant.key, "GET", `/api/v1/subnets/${v6.id}/addresses`)).body.items.map((a: any) => a.ip);
    const page = await signedIn();
    await page.goto(`/subnets/${v6.id}`);
    await page.locator('table.addresses button[data-ip="2001:db8:9::5"]').waitFor();
    // Keyboard only: focus the toolbar button, Enter opens the form with focus on its IP field.
    const opener = page.getByRole("button", { name: "Assign address" });
    await opener.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Assign an address in 2001:db8:9::/64" });
    await dialog.waitFor();
    const ip = dialog.getByLabel("IP address");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("ip");
    for (const label of ["Hostname", "Status", "Owner", "MAC", "Description"]) expect(await dialog.getByLabel(label).count()).toBe(1);
    const error = dialog.getByRole("alert");
    const refused = async (typed: string, sentence: string) => {
      await ip.fill(typed);
      await dialog.getByRole("button", { name: "Assign" }).click();
      await error.filter({ hasText: sentence }).waitFor();
      expect(await ip.getAttribute("aria-invalid")).toBe("true");
    };
    // An empty IP must not fall through to "next free" (a POST without ip allocates one).
    await refused("", "Enter the IP address");
    await refused("2001:db8:a::1", "is not inside subnet 2001:db8:9::/64");
    await refused("2001:db8:9:0:1::7", "inside the child subnet 2001:db8:9:0:1::/80");
    await refused("2001:db8:9::5", "2001:db8:9::5 is already in use by taken-host");
    expect(await records()).toEqual(["2001:db8:9::5"]);

    await ip.fill("2001:DB8:9::ABC");
    await dialog.getByLabel("Hostname").fill("v6-host");
    await dialog.getByLabel("Owner").fill("lab");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await page.locator('table.addresses button[data-ip="2001:db8:9::abc"]').waitFor();
    const listed = await apiCall(env, tenant.key, "GET", `/api/v1/addresses?ip=2001:db8:9::abc`);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ hostname: "v6-host", owner: "lab", status: "assigned", subnet_id: v6.id });
    // The page re-rendered; focus is back on the (new) Assign address button once the page is
    // drawn whole (the records table, then the free ranges: the row above can come first).
    await page.waitForFunction(() => document.activeElement?.textContent === "Assign address", undefined, { timeout: 5_000 });
    expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
    await page.context().close();
  }, 30_000);

  test("a free range's start opens the form with that address filled in", async () => {
    const big = await create("/api/v1/subnets", { cidr: "172.16.0.0/20", name: "big v4" });
    await create(`/api/v1/subnets/${big.id}/addresses`, { ip: "172.16.0.1", hostname: "gw", status: "gateway", owner: "" });
    const page = await signedIn();
    await page.goto(`/subnets/${big.id}`);
    const start = page.locator(".free-ranges").getByRole("button", { name: "Assign 172.16.0.2" });
    await start.click();
    const dialog = page.getByRole("dialog", { name: "Assign an address in 172.16.0.0/20" });
    expect(await dialog.getByLabel("IP address").inputValue()).toBe("172.16.0.2");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("hostname");
    await page.keyboard.type("printer");
    await dialog.getByRole("button", { name: "Assign" }).click();
    await dialog.waitFor({ state: "detached" });
    // The first free range now starts one further, and keeps the focus for the next one.
    const next = page.locator(".free-ranges").getByRole("button", { name: "Assign 172.16.0.3" });
    await next.waitFor();
    expect(await next.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.locator(".pager").textContent()).toContain("2 records");
    const listed = await apiCall(env, tenant.key, "GET", `/api/v1/addresses?ip=172.16.0.2`);
    expect(listed.body.items[0]).toMatchObject({ hostname: "printer", subnet_id: big.id });
    await page.context().close();
  }, 30_000);
});

describe("counters", () => {
  test("read as English: 1 subnet in 1 folder, 1 record; 2 subnets, 2 records", async () => {
    // A tenant of its own, so the counts are exactly what this test made.
    const solo = createTenant(env.database, { orgName: "Solo" });
    const post = async (path: string, body: unknown) => (await apiCall(env, solo.key, "POST", path, body)).body;
    const folder = await post("/api/v1/sections", { name: "Only folder" });
    const big = await post("/api/v1/subnets", { cidr: "10.8.0.0/16", section_id: folder.id });
    await post(`/api/v1/subnets/${big.id}/addresses`, { ip: "10.8.0.1", hostname: "one", status: "assigned", owner: "" });
    const { context, page } = await newContext(env);
    await signInByLink(env, page, solo.email);
    const subtitle = page.locator(".page-head .subtitle");
    expect(await subtitle.textContent()).toBe("1 subnet in 1 folder");
    await page.goto(`/subnets/${big.id}`);
    await page.locator(".pager", { hasText: "1 record · page 1 of 1" }).waitFor();

    await post("/api/v1/subnets", { cidr: "10.9.0.0/24" });
    await post(`/api/v1/subnets/${big.id}/addresses`, { ip: "10.8.0.2", hostname: "two", status: "assigned", owner: "" });
    await page.reload();
    await page.locator(".pager", { hasText: "2 records · page 1 of 1" }).waitFor();
    await page.goto("/");
    await page.locator(".page-head .subtitle", { hasText: "2 subnets in 1 folder" }).waitFor();
    await context.close();
  }, 30_000);
});

describe("dark and light", () => {
  test("prefers-color-scheme: dark gives dark surfaces, and grid statuses keep distinct colours", async () => {
    const colours = async (scheme: "light" | "dark") => {
      const { context, page } = await newContext(env, undefined, scheme);
      await signInByLink(env, page, tenant.email);
      await page.goto(`/subnets/${ids.servers}`);
      await page.locator(".ip-grid .cell").first().waitFor();
      const result = await page.evaluate(() => {
        const lightness = (css: string) => {
          const [r, g, b] = css.match(/\d+/g)!.map(Number);
          return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
        };
        const cells = ["available", "assigned", "gateway", "reserved", "dhcp"].map((s) => getComputedStyle(document.querySelector(`.cell[data-status="${s}"]`)!).backgroundColor);
        return { body: lightness(getComputedStyle(document.body).backgroundColor), text: lightness(getComputedStyle(document.body).color), cells };
      });
      expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
      await context.close();
      return result;
    };
    const light = await colours("light");
    const dark = await colours("dark");
    expect(light.body).toBeGreaterThan(0.8);
    expect(light.text).toBeLessThan(0.3);
    expect(dark.body).toBeLessThan(0.2);
    expect(dark.text).toBeGreaterThan(0.7);
    expect(new Set(dark.cells).size).toBe(5);
  }, 30_000);
});

describe("phone width and offline", () => {
  test("at 390 px the grid fits the screen and the tree opens from the menu button", async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.goto(`/subnets/${ids.servers}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const tree = page.locator(".sidebar");
    expect(await tree.isVisible()).toBe(false);
    await page.getByRole("button", { name: "Show subnets" }).click();
    expect(await tree.isVisible()).toBe(true);
    await page.context().close();
  }, 30_000);

  test("at 390 px no page scrolls sideways and every main navigation link is in view", async () => {
    const v6 = await create("/api/v1/subnets", { cidr: "2001:db8:39::/48", name: "phone v6" });
    await create(`/api/v1/subnets/${v6.id}/addresses`, { ip: "2001:db8:39::5", hostname: "phone-host", status: "assigned", owner: "ops" });
    const page = await signedIn({ width: 390, height: 844 });
    // Before: the links sat in a sideways-scrolling strip with "API docs" cut off, and an
    // IPv6 subnet's free-range table (a 39-character end, a 31-digit size) widened the page.
    for (const path of ["/", `/subnets/${ids.servers}`, `/subnets/${ids.dc}`, `/subnets/${v6.id}`, "/search?q=10.0", "/activity", "/settings", "/tools"]) {
      await page.goto(path, { waitUntil: "networkidle" });
      await page.locator("main h1").first().waitFor();
      const layout = await page.evaluate(() => {
        const nav = document.querySelector<HTMLElement>(".main-nav")!;
        return {
          page: document.documentElement.scrollWidth,
          navOverflow: nav.scrollWidth - nav.clientWidth,
          links: [...nav.querySelectorAll("a")].map((a) => {
            const box = a.getBoundingClientRect();
            return { text: a.textContent, left: box.left, right: box.right };
          }),
        };
      });
      expect({ path, width: layout.page }).toEqual({ path, width: 390 });
      expect(layout.navOverflow).toBeLessThanOrEqual(0);
      expect(layout.links.map((l) => l.text)).toEqual(["Overview", "Activity", "Tools", "Settings", "API docs"]);
      for (const link of layout.links) {
        expect(link.left).toBeGreaterThanOrEqual(0);
        expect(link.right).toBeLessThanOrEqual(390);
      }
    }
    await page.context().close();
  }, 60_000);

  test("at 360 px the import page fits: its form wraps instead of widening the card", async () => {
    const page = await signedIn({ width: 360, height: 740 });
    await page.goto("/import", { waitUntil: "networkidle" });
    await page.locator("main h1").first().waitFor();
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      // The right edge of every form control and field of the import card.
      right: Math.max(...[...document.querySelectorAll<HTMLElement>(".import-steps .field, .import-steps input, .import-steps select")].map((el) => el.getBoundingClientRect().right)),
    }));
    expect(layout.page).toBe(360);
    expect(layout.right).toBeLessThanOrEqual(360);
    await page.context().close();
  }, 30_000);

  test("zero requests to non-loopback addresses on every signed-in page", async () => {
    const before = env.offsite.length;
    const page = await signedIn();
    for (const path of ["/", `/subnets/${ids.servers}`, `/subnets/${ids.dc}`, "/search?q=web", "/activity", "/settings", "/tools", "/docs"]) {
      await page.goto(path, { waitUntil: "networkidle" });
    }
    expect(env.offsite.slice(before)).toEqual([]);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});

describe("deleting a subnet", () => {
  test("a top-level subnet holding records: the dialogs say what happens in the app's words, not the API's ?force", async () => {
    const own = createTenant(env.database, { orgName: "Delete Lab" });
    const top = await apiCreate(env, own.key, "/api/v1/subnets", { cidr: "172.16.0.0/24", name: "Top" });
    await apiCreate(env, own.key, `/api/v1/subnets/${top.id}/addresses`, { ip: "172.16.0.9", hostname: "left-over" });
    const page = await signedInPage(env, own.email);
    await page.goto(`/subnets/${top.id}`);
    await page.getByRole("button", { name: "Delete" }).click();
    const first = page.getByRole("dialog", { name: "Delete 172.16.0.0/24?" });
    await first.waitFor();
    // No parent: nothing "moves up to its parent subnet".
    expect(await first.textContent()).toContain("Its child subnets become top-level subnets.");
    expect(await first.textContent()).not.toContain("parent");
    await first.getByRole("button", { name: "Delete" }).click();
    const second = page.getByRole("dialog", { name: "172.16.0.0/24 still holds addresses" });
    await second.waitFor();
    const text = (await second.textContent())!;
    expect(text).toContain("172.16.0.0/24 holds address records and has no parent subnet to move them to. Delete it together with its address records?");
    expect(text).not.toContain("force");
    await second.getByRole("button", { name: "Delete with addresses" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    expect((await apiCall(env, own.key, "GET", "/api/v1/subnets")).body.total).toBe(0);
    await page.context().close();
  }, 30_000);
});
