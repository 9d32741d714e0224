/**
 * Folders and the activity log in a real browser, on the plan from the issue: 10.0.0.0/8
 * unfiled, 10.2.0.0/16 and three /24s filed in "Branch Berlin".
 * Folders looked empty: the sidebar drew 10.2.0.0/16 under its unfiled parent, so "Branch
 * Berlin" had no children while the folders table counted 4, and a folder could not be
 * opened. The activity log ran the actor's key prefix into its badge ("(ipc_…)key"), showed
 * raw UUIDs in changes, and its targets were not links.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, startUi, type UiEnv, signedInPage, apiCreate } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};

function create(path: string, body: unknown): Promise<any> {
  return apiCreate(env, tenant.key, path, body);
}

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Homelab" });
  ids.berlin = (await create("/api/v1/sections", { name: "Branch Berlin" })).id;
  ids.corp = (await create("/api/v1/subnets", { cidr: "10.0.0.0/8", name: "Corp" })).id;
  ids.site = (await create("/api/v1/subnets", { cidr: "10.2.0.0/16", name: "Berlin", section_id: ids.berlin })).id;
  for (const n of [1, 2, 3]) ids[`lan${n}`] = (await create("/api/v1/subnets", { cidr: `10.2.${n}.0/24`, section_id: ids.berlin })).id;
  // Unfiled, but under Berlin's /16: it shows where its parent is.
  ids.lab = (await create("/api/v1/subnets", { cidr: "10.2.9.0/24", name: "lab" })).id;
  await create(`/api/v1/subnets/${ids.lan1}/addresses`, { ip: "10.2.1.10", hostname: "nas", status: "assigned", owner: "" });
}, 60_000);
afterAll(async () => {
  await env.stop();
});

function signedIn(): Promise<Page> {
  return signedInPage(env, tenant.email);
}

const cidrsIn = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute("data-cidr")));

describe("folders", () => {
  test("the sidebar shows a folder's subnets though their parent is unfiled, each subnet once", async () => {
    const page = await signedIn();
    const tree = page.getByRole("complementary", { name: "Subnets" });
    const berlin = tree.locator("li.folder-item", { has: page.locator('[data-section-id]', { hasText: "Branch Berlin" }) });
    await berlin.locator('a[data-cidr="10.2.0.0/16"]').waitFor();
    // The /16 is a top row of the folder, folded (below the second level everything starts
    // closed); opened, its /24s (filed or not) nest under it.
    const site = berlin.locator('li:has(> .node a[data-cidr="10.2.0.0/16"])');
    expect(await site.locator("> ul").count()).toBe(0);
    await site.getByRole("button", { name: "Expand 10.2.0.0/16" }).click();
    await site.locator('> ul a[data-cidr="10.2.9.0/24"]').waitFor();
    expect((await cidrsIn(page, 'li.folder-item li:has(> .node a[data-cidr="10.2.0.0/16"]) > ul a[data-cidr]')).sort()).toEqual(
      ["10.2.1.0/24", "10.2.2.0/24", "10.2.3.0/24", "10.2.9.0/24"],
    );
    expect(await site.count()).toBe(1);
    // The /8 is in Unfiled; nothing is drawn twice.
    const unfiled = tree.locator("li.folder-item", { hasText: "Unfiled" });
    // "Unfiled" comes first, not buried under the folders.
    expect(await cidrsIn(page, "aside li.folder-item:first-child a[data-cidr]")).toEqual(["10.0.0.0/8"]);
    expect(await unfiled.locator('a[data-cidr="10.2.0.0/16"]').count()).toBe(0);
    const all = await cidrsIn(page, "aside a[data-cidr]");
    expect(all.length).toBe(new Set(all).size);
    await page.context().close();
  }, 30_000);

  test("a folder opens (from the sidebar, by keyboard) to a page listing its subnets", async () => {
    const page = await signedIn();
    const link = page.getByRole("complementary", { name: "Subnets" }).getByRole("link", { name: "Branch Berlin" });
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${env.url}/folders/${ids.berlin}`);
    await page.getByRole("heading", { level: 1, name: "Branch Berlin" }).waitFor();
    expect(await link.getAttribute("aria-current")).toBe("page");
    const table = page.locator("table.folder-subnets");
    expect(await cidrsIn(page, "table.folder-subnets td.cidr-cell a")).toEqual(["10.2.0.0/16", "10.2.1.0/24", "10.2.2.0/24", "10.2.3.0/24"]);
    // Its parent outside the folder is named (filled in once fetched, after the page is drawn), and the /24s are indented under the /16.
    await table.locator("tr", { hasText: "10.2.0.0/16" }).getByRole("link", { name: "10.0.0.0/8" }).waitFor();
    const indent = (cidr: string) => table.locator("td.cidr-cell", { hasText: cidr }).evaluate((el) => parseFloat(getComputedStyle(el).paddingLeft));
    expect(await indent("10.2.1.0/24")).toBeGreaterThan(await indent("10.2.0.0/16"));
    // The overview's folders table opens it too, and says "4".
    await page.goto("/");
    const row = page.locator("tr", { hasText: "Branch Berlin" });
    expect(await row.locator("td").nth(2).textContent()).toBe("4");
    await row.getByRole("link", { name: "Branch Berlin" }).click();
    await page.waitForURL(`${env.url}/folders/${ids.berlin}`);
    // "New subnet" here files the subnet in this folder.
    await page.getByRole("main").getByRole("button", { name: "New subnet" }).click();
    const dialog = page.getByRole("dialog", { name: "New subnet" });
    expect(await dialog.getByLabel("Folder").locator("option:checked").textContent()).toBe("Branch Berlin");
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    await page.context().close();
  }, 40_000);
});

describe("wording", () => {
  test("the UI says folder, never section (the API keeps sections)", async () => {
    const page = await signedIn();
    for (const path of ["/", `/folders/${ids.berlin}`, `/subnets/${ids.site}`, "/activity", "/settings", "/import"]) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      const text = await page.evaluate(() => document.body.innerText);
      if (path === "/settings") expect(text).toMatch(/\bfolders\b/); // the plan's usage table
      expect(`${path}: ${text.match(/.{0,40}\bsections?\b.{0,40}/i)?.[0] ?? "none"}`).toBe(`${path}: none`);
    }
    await page.context().close();
  }, 60_000);
});

describe("activity", () => {
  test("a space before the key badge, names instead of ids, and targets that link", async () => {
    const page = await signedIn();
    await page.getByRole("link", { name: "Activity" }).click();
    const table = page.locator("table.activity");
    await table.locator("tbody tr").first().waitFor();
    // "Test key (ipc_xxxxxxxx…) key", not "…)key".
    const who = await table.locator("tbody tr td:nth-child(2)").first().textContent();
    expect(who).toMatch(/^Test key \(ipc_\w+…\) key$/);
    // No raw UUID anywhere in the changes column.
    const changes = (await table.locator("td.changes").allTextContents()).join("\n");
    expect(changes).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/);
    const siteRow = table
      .locator("tr", { has: page.locator("code", { hasText: "subnet.create" }) })
      .filter({ has: page.locator("td:nth-child(4)", { hasText: /^10\.2\.0\.0\/16$/ }) });
    expect(await siteRow.locator("td.changes").textContent()).toContain("folder: ∅ → Branch Berlin");
    expect(await siteRow.locator("td.changes").textContent()).toContain("parent: ∅ → 10.0.0.0/8 Corp");
    const addressRow = table.locator("tr", { has: page.locator("code", { hasText: "address.create" }) }).first();
    expect(await addressRow.locator("td.changes").textContent()).toContain("subnet: ∅ → 10.2.1.0/24");
    // Folders are folders in the UI.
    expect(await table.locator("code", { hasText: "folder.create" }).count()).toBe(1);
    expect(await table.locator("code", { hasText: "section." }).count()).toBe(0);
    // Targets link to their pages: folder, address (its search), subnet.
    const folderRow = table.locator("tr", { has: page.locator("code", { hasText: "folder.create" }) });
    expect(await folderRow.getByRole("link", { name: "Branch Berlin" }).getAttribute("href")).toBe(`/folders/${ids.berlin}`);
    expect(await addressRow.locator("td:nth-child(4) a").getAttribute("href")).toBe("/search?q=10.2.1.10");
    await siteRow.locator("td:nth-child(4)").getByRole("link", { name: "10.2.0.0/16" }).click();
    await page.getByRole("heading", { level: 1, name: "10.2.0.0/16" }).waitFor();
    expect(page.url()).toBe(`${env.url}/subnets/${ids.site}`);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 40_000);
});

describe("activity filters and history", () => {
  test("filter by object, action and who (keyboard, in the address); names are links to everything by that actor", async () => {
    const page = await signedIn();
    await page.goto("/activity");
    const table = page.locator("table.activity");
    await table.locator("tbody tr").first().waitFor();
    // Object: Folder (the API's sections), applied with Enter from the form.
    await page.getByLabel("Object").selectOption({ label: "Folder" });
    await page.getByLabel("Who").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/target_type=section/);
    // The filtered page replaces the table: wait for its rows rather than read the old ones.
    await page.waitForFunction(() => [...document.querySelectorAll("table.activity tbody tr code")].map((c) => c.textContent).join() === "folder.create");
    expect(await table.locator("tbody tr code").allTextContents()).toEqual(["folder.create"]);
    // Action typed as the UI says it; the object filter cleared.
    await page.getByLabel("Object").selectOption({ label: "Any object" });
    await page.getByLabel("Action").fill("subnet.create");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=subnet.create/);
    await page.waitForFunction(() => document.querySelectorAll("table.activity tbody tr").length === 6);
    expect(new Set(await table.locator("tbody tr code").allTextContents())).toEqual(new Set(["subnet.create"]));
    // The same filter from a link (reload): the form shows it.
    await page.reload();
    expect(await page.getByLabel("Action").inputValue()).toBe("subnet.create");
    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL(`${env.url}/activity`);
    // Who: the actor's name links to everything they did. The unfiltered page must have replaced
    // the filtered table (6 subnet.create rows) before its rows are counted.
    await page.waitForFunction(() => [...document.querySelectorAll("table.activity tbody tr code")].some((c) => c.textContent === "folder.create"));
    const all = await table.locator("tbody tr").count();
    await table.locator("tbody tr td:nth-child(2) a").first().click();
    await page.waitForURL(/actor=/);
    await page.waitForFunction((n) => document.querySelectorAll("table.activity tbody tr").length === n, all);
    await page.getByLabel("Who").fill("nobody@example.org");
    await page.keyboard.press("Enter");
    await page.getByText("Nothing matches these filters.").waitFor();
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    await page.context().close();
  }, 60_000);

  test("a subnet page and an address dialog each have a History panel with their own changes", async () => {
    const page = await signedIn();
    const patched = await apiCall(env, tenant.key, "PATCH", `/api/v1/subnets/${ids.lan1}`, { name: "Office" });
    expect(patched.status).toBe(200);
    await page.goto(`/subnets/${ids.lan1}`);
    await page.getByRole("heading", { level: 1, name: "10.2.1.0/24" }).waitFor();
    // Opened by keyboard: the summary is focusable and toggles with Enter.
    const history = page.locator("details.history").last();
    await history.locator("summary").focus();
    await page.keyboard.press("Enter");
    await history.locator("tbody tr").nth(1).waitFor();
    expect(await history.locator("tbody tr code").allTextContents()).toEqual(["subnet.update", "subnet.create"]);
    expect(await history.locator("td.changes").first().textContent()).toContain("name: ∅ → Office");
    // The address's dialog: only its own entry.
    await page.locator('.cell[data-ip="10.2.1.10"]').click();
    const dialog = page.getByRole("dialog", { name: "Edit 10.2.1.10" });
    await dialog.locator("details.history summary").click();
    await dialog.locator("details.history tbody tr").first().waitFor();
    expect(await dialog.locator("details.history tbody tr code").allTextContents()).toEqual(["address.create"]);
    // "All of its activity" is the activity page filtered to it.
    await dialog.getByRole("link", { name: "All of its activity" }).click();
    await page.waitForURL(/\/activity\?target_id=/);
    // The activity page replaces the dialog's page, whose History panel is the same kind of table
    // with the same one row: wait until the panel is gone and the page's own table has loaded.
    await page.waitForFunction(() => !document.querySelector("details.history") && document.querySelectorAll("table.activity tbody tr").length === 1);
    expect(await page.locator("table.activity tbody tr").count()).toBe(1);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});

describe("a folder edited from the keyboard", () => {
  test("Save redraws the page, and focus lands on its new Edit button, not on <body>", async () => {
    const own = createTenant(env.database, { orgName: "Edit Lab" });
    const folder = await apiCreate(env, own.key, "/api/v1/sections", { name: "Lab A" });
    const page = await signedInPage(env, own.email);
    await page.goto(`/folders/${folder.id}`);
    await page.getByRole("heading", { level: 1, name: "Lab A" }).waitFor();
    await page.getByRole("main").getByRole("button", { name: "Edit" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Edit folder Lab A" });
    await dialog.waitFor();
    await dialog.getByLabel("Name").fill("Lab B");
    await dialog.getByRole("button", { name: "Save" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Lab B" }).waitFor();
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => ({ text: document.activeElement?.textContent?.trim(), inMain: !!document.activeElement?.closest("main") }))).toEqual({ text: "Edit", inMain: true });
    await page.context().close();
  }, 30_000);
});
