/**
 * Issue 15, "a grid you can read" and "bulk actions", in a real browser. Before: a /24 showed
 * hostnames only on hover, a /22 was 1,022 cells numbered 0–255 four times over with nothing
 * saying which third octet a row was in, every change was one address at a time, and the
 * gateway appeared nowhere on the subnet page. Each test checks the result through the API.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};

const create = (path: string, body: unknown) => apiCreate(env, tenant.key, path, body);

/** The subnet's records as ip → status. */
async function statuses(subnetId: string): Promise<Record<string, string>> {
  const r = await apiCall(env, tenant.key, "GET", `/api/v1/subnets/${subnetId}/addresses?limit=1000`);
  return Object.fromEntries(r.body.items.map((a: any) => [a.ip, a.status]));
}

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Grid lab" });
  ids.lan = (await create("/api/v1/subnets", { cidr: "10.1.1.0/24", name: "LAN", gateway: "10.1.1.1" })).id;
  await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.1.1.10", hostname: "web-01", status: "assigned", owner: "ops", mac: "AA:BB:CC:00:00:10" });
  await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.1.1.11", hostname: "db-01", status: "reserved", owner: "" });
  ids.wide = (await create("/api/v1/subnets", { cidr: "10.1.4.0/22", name: "Wide" })).id;
  await create(`/api/v1/subnets/${ids.wide}/addresses`, { ip: "10.1.6.17", hostname: "in-six", status: "assigned", owner: "" });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

const signedIn = (): Promise<Page> => signedInPage(env, tenant.email);
const csp = (page: Page) => page.evaluate(() => (window as any).__cspViolations ?? 0);

describe("a grid you can read", () => {
  test("a /24 lists its records (IP, hostname, status, MAC) in a table under the grid", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.lan}`);
    const table = page.getByRole("table", { name: "Address records" });
    await table.waitFor();
    const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 5).map((td) => td.textContent)));
    expect(rows).toEqual([
      ["10.1.1.1", "", "gateway", "", ""],
      ["10.1.1.10", "web-01", "assigned", "ops", "aa:bb:cc:00:00:10"],
      ["10.1.1.11", "db-01", "reserved", "", ""],
    ]);
    // The hostname is on the page, not only in a tooltip.
    expect(await page.locator("main").innerText()).toContain("web-01");
    expect(await csp(page)).toBe(0);
    await page.context().close();
  }, 30_000);

  test("a /22 is drawn in rows labelled by their first three octets", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.wide}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    expect(await page.locator(".ip-grid .cell").count()).toBe(1022);
    const labels = await page.locator(".ip-grid .row-label").allTextContents();
    expect(labels.length).toBe(64); // 1,024 addresses in rows of 16
    expect(new Set(labels)).toEqual(new Set(["10.1.4.", "10.1.5.", "10.1.6.", "10.1.7."]));
    // The row holding 10.1.6.17 says 10.1.6., and the cell sits in its address's column.
    const where = await page.locator('.cell[data-ip="10.1.6.17"]').evaluate((cell) => {
      let label: Element | null = cell;
      let column = 0;
      while (label && !label.classList.contains("row-label")) (label = label.previousElementSibling), column++;
      return { label: label?.textContent, column };
    });
    expect(where).toEqual({ label: "10.1.6.", column: 17 % 16 + 1 });
    expect(await csp(page)).toBe(0);
    await page.context().close();
  }, 30_000);
});

describe("bulk actions on a grid selection", () => {
  test("shift-click selects a range; Reserve records its free addresses in one step, as the chosen status", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.lan}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    expect(await page.getByRole("region", { name: "Selection" }).isVisible()).toBe(false); // nothing selected yet
    await page.locator('.cell[data-ip="10.1.1.5"]').click({ modifiers: ["Shift"] });
    await page.locator('.cell[data-ip="10.1.1.14"]').click({ modifiers: ["Shift"] });
    const bar = page.getByRole("region", { name: "Selection" });
    expect(await bar.textContent()).toContain("10 addresses selected (10.1.1.5 – 10.1.1.14): 8 available, 2 with a record");
    expect(await page.locator(".cell[data-selected]").count()).toBe(10);
    expect(await page.getByRole("dialog").count()).toBe(0); // shift-click opens nothing
    await bar.getByRole("button", { name: "Reserve 8 available…" }).click();
    const dialog = page.getByRole("dialog", { name: "Record 8 addresses" });
    await dialog.getByLabel("Status").selectOption("dhcp");
    await dialog.getByRole("button", { name: "Record all" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator('.cell[data-ip="10.1.1.14"][data-status="dhcp"]').waitFor();
    // The selection bar went with the redraw: focus is on the range's first cell, not <body>.
    await page.waitForFunction((ip) => document.activeElement?.getAttribute("data-ip") === ip, "10.1.1.5");
    const now = await statuses(ids.lan!);
    for (const n of [5, 6, 7, 8, 9, 12, 13, 14]) expect(now[`10.1.1.${n}`]).toBe("dhcp");
    expect(now["10.1.1.10"]).toBe("assigned"); // taken ones untouched
    expect(now["10.1.1.15"]).toBeUndefined();
    await page.context().close();
  }, 30_000);

  test("keyboard only: Shift+arrows select, then Set status and Release act on every record of the range", async () => {
    await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.1.1.40", hostname: "a", status: "assigned", owner: "" });
    await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.1.1.42", hostname: "b", status: "dhcp", owner: "" });
    const page = await signedIn();
    await page.goto(`/subnets/${ids.lan}`);
    const start = page.locator('.cell[data-ip="10.1.1.40"]');
    await start.waitFor();
    await start.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowRight");
    const bar = page.getByRole("region", { name: "Selection" });
    expect(await bar.textContent()).toContain("4 addresses selected (10.1.1.40 – 10.1.1.43): 2 available, 2 with a record");
    // Tab reaches the bar's buttons (the grid keeps one tab stop).
    const setStatus = bar.getByRole("button", { name: "Set status of 2…" });
    await setStatus.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Set the status of 2 addresses" });
    await dialog.getByLabel("Status").selectOption("reserved");
    await page.keyboard.press("Tab"); // Cancel
    await page.keyboard.press("Tab"); // Set status
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await page.locator('.cell[data-ip="10.1.1.42"][data-status="reserved"]').waitFor();
    // The selection bar went with the redraw: focus is on the range's first cell, not <body>.
    await page.waitForFunction((ip) => document.activeElement?.getAttribute("data-ip") === ip, "10.1.1.40");
    let now = await statuses(ids.lan!);
    expect([now["10.1.1.40"], now["10.1.1.42"]]).toEqual(["reserved", "reserved"]);

    await page.locator('.cell[data-ip="10.1.1.40"]').focus();
    await page.keyboard.press("Shift+ArrowRight");
    await page.keyboard.press("Shift+ArrowRight");
    await bar.getByRole("button", { name: "Release 2…" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Release 2 addresses?" }).getByRole("button", { name: "Release all" }).click();
    await page.locator('.cell[data-ip="10.1.1.42"][data-status="available"]').waitFor();
    // The selection bar went with the redraw: focus is on the range's first cell, not <body>.
    await page.waitForFunction((ip) => document.activeElement?.getAttribute("data-ip") === ip, "10.1.1.40");
    now = await statuses(ids.lan!);
    expect(now["10.1.1.40"]).toBeUndefined();
    expect(now["10.1.1.42"]).toBeUndefined();
    // Escape clears a selection.
    await page.locator('.cell[data-ip="10.1.1.50"]').focus();
    await page.keyboard.press("Shift+ArrowDown");
    expect(await bar.isVisible()).toBe(true);
    await page.keyboard.press("Escape");
    expect(await bar.isVisible()).toBe(false);
    expect(await csp(page)).toBe(0);
    await page.context().close();
  }, 30_000);

  test("Reserve range records .100–.199 as dhcp from a small form, and refuses (changing nothing) a range with a taken address", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.lan}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    await page.getByRole("button", { name: "Reserve range" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Reserve a range in 10.1.1.0/24" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("first");
    await page.keyboard.type("10.1.1.100");
    await page.keyboard.press("Tab");
    await page.keyboard.type("199"); // the last octet is enough
    expect(await dialog.getByLabel("Status").inputValue()).toBe("dhcp");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await page.locator('.cell[data-ip="10.1.1.199"][data-status="dhcp"]').waitFor();
    let now = await statuses(ids.lan!);
    const range = Array.from({ length: 100 }, (_, i) => `10.1.1.${100 + i}`);
    expect(range.every((ip) => now[ip] === "dhcp")).toBe(true);
    expect(now["10.1.1.200"]).toBeUndefined();

    // .195–.205 overlaps the range just made: all or nothing, the sentence names the taken ones.
    const before = Object.keys(now).length;
    await page.getByRole("button", { name: "Reserve range" }).click();
    const again = page.getByRole("dialog", { name: "Reserve a range in 10.1.1.0/24" });
    await again.getByLabel("First address").fill("10.1.1.195");
    await again.getByLabel("Last address").fill("10.1.1.205");
    await again.getByRole("button", { name: "Reserve range" }).click();
    const error = again.getByRole("alert");
    await error.waitFor();
    expect(await error.textContent()).toContain("Nothing was recorded");
    expect(await error.textContent()).toContain("10.1.1.195");
    now = await statuses(ids.lan!);
    expect(Object.keys(now).length).toBe(before);
    expect(now["10.1.1.205"]).toBeUndefined();
    await page.context().close();
  }, 30_000);

  test("Reserve range works on an IPv6 subnet too (one request, all or nothing); a range reaching into a child is refused with the server's sentence", async () => {
    const v6 = (await create("/api/v1/subnets", { cidr: "2001:db8:15::/64", name: "V6 LAN" })).id;
    await create("/api/v1/subnets", { cidr: "2001:db8:15::200/120", name: "V6 child" });
    const page = await signedIn();
    await page.goto(`/subnets/${v6}`);
    await page.getByRole("button", { name: "Reserve range" }).click();
    const dialog = page.getByRole("dialog", { name: "Reserve a range in 2001:db8:15::/64" });
    expect(await dialog.getByLabel("First address").getAttribute("placeholder")).toBe("2001:db8:15::100");
    await dialog.getByLabel("First address").fill("2001:db8:15::100");
    await dialog.getByLabel("Last address").fill("2001:db8:15::10f");
    await dialog.getByRole("button", { name: "Reserve range" }).click();
    await dialog.waitFor({ state: "detached" });
    let now = await statuses(v6);
    expect(Object.keys(now).length).toBe(16);
    expect(Object.values(now).every((status) => status === "dhcp")).toBe(true);
    expect(now["2001:db8:15::10f"]).toBe("dhcp");

    // .1f0–.20f reaches into the child 2001:db8:15::200/120: refused, nothing recorded.
    await page.getByRole("button", { name: "Reserve range" }).click();
    const again = page.getByRole("dialog", { name: "Reserve a range in 2001:db8:15::/64" });
    await again.getByLabel("First address").fill("2001:db8:15::1f0");
    await again.getByLabel("Last address").fill("2001:db8:15::20f");
    await again.getByRole("button", { name: "Reserve range" }).click();
    const error = again.getByRole("alert");
    await error.waitFor();
    expect(await error.textContent()).toContain("2001:db8:15::200/120");
    now = await statuses(v6);
    expect(Object.keys(now).length).toBe(16);
    expect(await csp(page)).toBe(0);
    await page.context().close();
  }, 30_000);
});

describe("the gateway", () => {
  test("is shown on the subnet page and changed from Edit (the new address becomes the gateway, the old one is released)", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${ids.lan}`);
    const fact = page.locator("dl.facts .gateway");
    await fact.waitFor();
    expect(await fact.textContent()).toBe("10.1.1.1");
    await page.getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit 10.1.1.0/24" });
    expect(await dialog.getByLabel("Gateway").inputValue()).toBe("10.1.1.1");
    await dialog.getByLabel("Gateway").fill("10.1.1.254");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator("dl.facts .gateway", { hasText: "10.1.1.254" }).waitFor();
    const now = await statuses(ids.lan!);
    expect(now["10.1.1.254"]).toBe("gateway");
    expect(now["10.1.1.1"]).toBeUndefined();
    // An address outside the subnet: the API's sentence, and the gateway stays.
    await page.getByRole("button", { name: "Edit" }).click();
    await dialog.getByLabel("Gateway").fill("10.9.9.9");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByRole("alert").waitFor();
    expect(await dialog.getByRole("alert").textContent()).toContain("10.1.1.0/24");
    const after = await statuses(ids.lan!);
    expect(after["10.1.1.254"]).toBe("gateway");
    await page.context().close();
  }, 30_000);
});
