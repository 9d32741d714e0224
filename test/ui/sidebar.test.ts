/**
 * Issue 15, "a sidebar that scales". Before: every page and every write listed every subnet
 * of the organization (5,000 subnets: seconds per page), the tree drew all of them unfolded,
 * "Unfiled" sat under every folder, and there was no way to find a subnet in it. Now: Unfiled
 * first, folders open, subnets folded, children fetched by `parent_id` when opened and kept,
 * a write refetches only what it touched, and a filter box asks the API.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};
const create = (path: string, body: unknown) => apiCreate(env, tenant.key, path, body);

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Sites" });
  const berlin = await create("/api/v1/sections", { name: "Branch Berlin" });
  const lab = await create("/api/v1/sections", { name: "Lab" });
  ids.berlin = berlin.id;
  ids.root = (await create("/api/v1/subnets", { cidr: "10.0.0.0/8", name: "Everything" })).id;
  ids.site = (await create("/api/v1/subnets", { cidr: "10.2.0.0/16", name: "Berlin", section_id: berlin.id })).id;
  for (let n = 0; n < 40; n++) {
    const s = await create("/api/v1/subnets", { cidr: `10.2.${n}.0/24`, name: `Berlin ${n}`, section_id: berlin.id });
    ids[`b${n}`] = s.id;
  }
  await create("/api/v1/subnets", { cidr: "10.3.0.0/16", name: "Lab core", section_id: lab.id });
  await create("/api/v1/subnets", { cidr: "192.168.0.0/24", name: "Home" });
}, 120_000);

afterAll(async () => {
  await env.stop();
});

/** Records the page's subnet list requests (their query strings). */
function watchLists(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/api/v1/subnets" && request.method() === "GET") seen.push(url.search);
  });
  return seen;
}

/** A list request that is not narrowed by a filter would be "every subnet" (page by page). */
const unfiltered = (searches: string[]) =>
  searches.filter((search) => {
    const q = new URLSearchParams(search);
    return !["parent_id", "section_id", "root", "contains", "q"].some((k) => q.has(k)) && q.get("limit") !== "1";
  });

const tree = (page: Page) => page.getByRole("complementary", { name: "Subnets" });

describe("the sidebar", () => {
  test("Unfiled first, folders open, subnets folded; opening one fetches its children once", async () => {
    const page = await signedInPage(env, tenant.email);
    const lists = watchLists(page);
    await tree(page).locator('a[data-cidr="10.2.0.0/16"]').waitFor();
    const folders = await tree(page).locator("li.folder-item > .node .name").allTextContents();
    expect(folders).toEqual(["Unfiled", "Branch Berlin", "Lab"]);
    expect(await tree(page).locator('li.folder-item:first-child a[data-cidr]').evaluateAll((els) => els.map((e) => e.getAttribute("data-cidr")))).toEqual(["10.0.0.0/8", "192.168.0.0/24"]);
    // Second level shown, third folded: no /24 is drawn until the /16 is opened.
    expect(await tree(page).locator('a[data-cidr="10.2.7.0/24"]').count()).toBe(0);
    const before = lists.length;
    const twisty = tree(page).getByRole("button", { name: "Expand 10.2.0.0/16 Berlin" });
    await twisty.focus();
    await page.keyboard.press("Enter");
    await tree(page).locator('a[data-cidr="10.2.39.0/24"]').waitFor();
    expect(lists.slice(before).filter((s) => s.includes(`parent_id=${ids.site}`)).length).toBe(1);
    // Folding and opening again uses what was fetched.
    await tree(page).getByRole("button", { name: "Collapse 10.2.0.0/16 Berlin" }).press("Enter");
    await tree(page).getByRole("button", { name: "Expand 10.2.0.0/16 Berlin" }).press("Enter");
    await tree(page).locator('a[data-cidr="10.2.39.0/24"]').waitFor();
    expect(lists.slice(before).filter((s) => s.includes(`parent_id=${ids.site}`)).length).toBe(1);
    expect(unfiltered(lists)).toEqual([]);
    await page.context().close();
  }, 60_000);

  test("no page and no write lists every subnet; an address write refreshes only the utilization chain", async () => {
    const page = await signedInPage(env, tenant.email);
    const lists = watchLists(page);
    for (const path of ["/", `/folders/${ids.berlin}`, `/subnets/${ids.site}`, `/subnets/${ids.b7}`, "/activity", "/search?q=10.2.7.9", "/import"]) {
      await page.goto(path, { waitUntil: "networkidle" });
    }
    await page.goto(`/subnets/${ids.b7}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    await page.waitForLoadState("networkidle");
    const before = lists.length;
    await page.locator('.cell[data-ip="10.2.7.9"]').click();
    const dialog = page.getByRole("dialog", { name: "Assign 10.2.7.9" });
    await dialog.getByLabel("Hostname").fill("printer");
    await dialog.getByRole("button", { name: "Assign" }).click();
    await page.locator('.cell[data-ip="10.2.7.9"][data-status="assigned"]').waitFor();
    await page.waitForLoadState("networkidle");
    const after = lists.slice(before);
    expect(after.some((s) => s.includes("contains=10.2.7.0"))).toBe(true);
    expect(after.filter((s) => s.includes("section_id="))).toEqual([]); // no folder was touched
    // The sidebar's bar for the /24 shows the new count (1 of 254).
    expect(await tree(page).locator(`li:has(> .node a[data-cidr="10.2.7.0/24"]) > .node .util`).getAttribute("aria-label")).toContain("1 of 254");
    expect(unfiltered(lists)).toEqual([]);
    expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
    await page.context().close();
  }, 90_000);

  test("a subnet page opens the tree down to its subnet", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.b30}`);
    const link = tree(page).locator('a[data-cidr="10.2.30.0/24"]');
    await link.waitFor();
    await page.waitForFunction(() => document.querySelector('aside a[data-cidr="10.2.30.0/24"]')?.getAttribute("aria-current") === "page");
    await page.context().close();
  }, 30_000);

  test("the filter box finds subnets and folders by name or CIDR through the API; Escape brings the tree back", async () => {
    const page = await signedInPage(env, tenant.email);
    const filter = tree(page).getByRole("searchbox", { name: "Filter subnets and folders" });
    await filter.fill("Berlin 3");
    await tree(page).locator('a[data-cidr="10.2.39.0/24"]').waitFor();
    const found = await tree(page).locator("a[data-cidr]").evaluateAll((els) => els.map((e) => e.getAttribute("data-cidr")));
    expect(found).toEqual(["10.2.3.0/24", ...Array.from({ length: 10 }, (_, i) => `10.2.${30 + i}.0/24`)]);
    await filter.fill("lab");
    await tree(page).locator("a[data-section-id]", { hasText: "Lab" }).waitFor();
    await filter.press("Escape");
    await tree(page).locator("li.folder-item", { hasText: "Unfiled" }).waitFor();
    expect(await filter.inputValue()).toBe("");
    await page.context().close();
  }, 30_000);
});
