/**
 * Search in a real browser. `2001:DB8:100:10:0:0:0:53` found nothing while
 * `2001:db8:100:10::53` did; an exact IP match could sit below looser matches; and an IP
 * with no record showed only "No address matches", not the subnets that contain it, whether
 * it is free, or a way to assign it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, startUi, type UiEnv, signedInPage, apiCreate } from "./harness";

let env: UiEnv;
let tenant: Tenant;

function create(path: string, body: unknown): Promise<any> {
  return apiCreate(env, tenant.key, path, body);
}
const record = (subnet: string, ip: string, hostname: string, description = "") =>
  create(`/api/v1/subnets/${subnet}/addresses`, { ip, hostname, status: "assigned", owner: "", description });

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Search Lab" });
  const site = await create("/api/v1/subnets", { cidr: "10.0.0.0/16", name: "Site" });
  const lan = await create("/api/v1/subnets", { cidr: "10.0.1.0/24", name: "LAN" });
  const v6 = await create("/api/v1/subnets", { cidr: "2001:db8:100:10::/64", name: "v6 servers" });
  // 10.0.0.9 mentions 10.0.1.5 and sorts before it: a looser match that used to come first.
  await record(site.id, "10.0.0.9", "old-dns", "was 10.0.1.5");
  await record(lan.id, "10.0.1.5", "dns");
  await record(lan.id, "10.0.1.50", "app");
  await record(v6.id, "2001:db8:100:10::53", "dns6");
}, 60_000);
afterAll(async () => {
  await env.stop();
});

function signedIn(): Promise<Page> {
  return signedInPage(env, tenant.email);
}

/** Types into the top bar's search box and submits with Enter. */
async function search(page: Page, q: string): Promise<void> {
  const box = page.getByRole("searchbox", { name: "Search addresses" });
  await box.fill(q);
  await box.press("Enter");
  await page.getByRole("heading", { level: 1, name: `Results for “${q}”` }).waitFor();
}

const resultIps = (page: Page) => page.locator("table.results tbody tr td:first-child a").allTextContents();

describe("search", () => {
  test("a MAC with colons is searched as text, never asked of the address parser (no 400 in the console)", async () => {
    const lan = (await apiCall(env, tenant.key, "GET", "/api/v1/subnets?q=10.0.1.0/24")).body.items[0];
    await create(`/api/v1/subnets/${lan.id}/addresses`, { ip: "10.0.1.60", hostname: "printer", mac: "aa:bb:cc:dd:ee:01" });
    const page = await signedIn();
    const failed: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await search(page, "aa:bb:cc:dd:ee:01");
    await page.locator("table.results tbody tr", { hasText: "printer" }).waitFor();
    expect(await resultIps(page)).toEqual(["10.0.1.60"]);
    expect(failed).toEqual([]);
    await page.context().close();
  }, 30_000);

  test("an IPv6 address in any spelling finds its record", async () => {
    const page = await signedIn();
    await search(page, "2001:DB8:100:10:0:0:0:53");
    await page.locator("table.results").waitFor();
    expect(await resultIps(page)).toEqual(["2001:db8:100:10::53"]);
    await page.context().close();
  }, 30_000);

  test("the exact IP match comes first, marked, before looser matches", async () => {
    const page = await signedIn();
    await search(page, "10.0.1.5");
    await page.locator("table.results").waitFor();
    const ips = await resultIps(page);
    expect(ips[0]).toBe("10.0.1.5");
    expect(ips.slice(1).sort()).toEqual(["10.0.0.9", "10.0.1.50"]);
    expect(await page.locator("table.results tr.exact").count()).toBe(1);
    expect(await page.locator("table.results tr.exact").textContent()).toContain("exact match");
    await page.context().close();
  }, 30_000);

  test("an IP with no record shows its subnets, that it is free, and Assign works by keyboard", async () => {
    const page = await signedIn();
    await search(page, "10.0.1.77");
    const card = page.getByRole("region", { name: "10.0.1.77 has no record" });
    await card.waitFor();
    expect(await card.locator("li[data-cidr]").evaluateAll((els) => els.map((e) => e.getAttribute("data-cidr")))).toEqual(["10.0.0.0/16", "10.0.1.0/24"]);
    const lan = card.locator('li[data-cidr="10.0.1.0/24"]');
    expect(await lan.textContent()).toContain("free");
    // Keyboard only: Tab to the button, Enter, type the hostname, Enter.
    await page.getByRole("searchbox", { name: "Search addresses" }).focus();
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.textContent === "Assign 10.0.1.77")) break;
    }
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Assign 10.0.1.77");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByLabel("IP address").inputValue()).toBe("10.0.1.77");
    await page.keyboard.type("printer");
    await page.keyboard.press("Enter");
    await page.locator("table.results tr.exact", { hasText: "printer" }).waitFor();
    // The Assign button went with the redraw: a keyboard user is on the new record, not <body>.
    await page.waitForFunction(() => document.activeElement?.closest("tr.exact") !== null);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("10.0.1.77");
    const found = await apiCall(env, tenant.key, "GET", "/api/v1/addresses?ip=10.0.1.77");
    expect(found.body.items).toMatchObject([{ ip: "10.0.1.77", hostname: "printer" }]);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    await page.context().close();
  }, 40_000);

  test("a broadcast address is not free, and an address outside every subnet says so", async () => {
    const page = await signedIn();
    await search(page, "10.0.1.255");
    const card = page.getByRole("region", { name: "10.0.1.255 has no record" });
    await card.waitFor();
    expect(await card.locator('li[data-cidr="10.0.1.0/24"]').textContent()).toContain("not usable");
    expect(await card.getByRole("button").count()).toBe(0);
    await search(page, "192.0.2.1");
    await page.getByText("No subnet contains this address").waitFor();
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 30_000);
});
