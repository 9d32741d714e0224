/**
 * VRFs and the new utilization in a real browser (issue 15). Two subnets with the same CIDR
 * in different VRFs looked identical everywhere, the create dialog took any typed VRF name
 * (so a typo made a new VRF), and a split parent showed "100.00 % used" in red. Now a subnet
 * outside `default` carries its VRF beside the CIDR, the dialog picks from existing VRFs, and
 * a split parent shows what its children hold.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Lab" });
  const create = (path: string, body: unknown) => apiCreate(env, tenant.key, path, body);
  await create("/api/v1/vrfs", { name: "blue" });
  ids.plain = (await create("/api/v1/subnets", { cidr: "10.0.0.0/16", name: "Core" })).id;
  ids.blue = (await create("/api/v1/subnets", { cidr: "10.0.0.0/16", vrf: "blue", name: "Core" })).id;
  ids.office = (await create("/api/v1/subnets", { cidr: "192.168.50.0/24", name: "Office LAN" })).id;
  const parts = (await create(`/api/v1/subnets/${ids.office}/split`, { parts: 4 })).items;
  await create(`/api/v1/subnets/${parts[0].id}/addresses`, { count: 3 });
  await create(`/api/v1/subnets/${parts[2].id}/addresses`, { count: 7 });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

async function done(page: Page): Promise<void> {
  // Nothing on the page was refused by its Content-Security-Policy, nothing left loopback.
  expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
  expect(env.offsite).toEqual([]);
  await page.context().close();
}

describe("VRFs in the web app", () => {
  test("the same CIDR in two VRFs: the sidebar, home, search and heading name the non-default VRF", async () => {
    const page = await signedInPage(env, tenant.email);
    const inSidebar = page.locator('.sidebar a[data-cidr="10.0.0.0/16"]');
    await inSidebar.first().waitFor();
    expect(await inSidebar.count()).toBe(2);
    const tags = await inSidebar.evaluateAll((links) => links.map((a) => a.querySelector(".badge.vrf")?.textContent?.trim() ?? null));
    expect(tags.sort()).toEqual(["VRF blue", null].sort());
    // Home: the top-level list.
    const roots = page.locator(".root-list li", { hasText: "10.0.0.0/16" });
    await roots.first().waitFor();
    expect(await roots.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("10.0.0.0/16 VRF blue")]));
    // Search.
    await page.goto("/search?q=10.0.0.0");
    const found = page.locator("main li", { hasText: "10.0.0.0/16" });
    await found.first().waitFor();
    const texts = await found.allTextContents();
    expect(texts.some((t) => t.includes("VRF blue"))).toBe(true);
    expect(texts.some((t) => !t.includes("VRF"))).toBe(true);
    // The subnet's own page.
    await page.goto(`/subnets/${ids.blue}`);
    await page.getByRole("heading", { level: 1, name: "10.0.0.0/16 VRF blue" }).waitFor();
    await page.goto(`/subnets/${ids.plain}`);
    await page.getByRole("heading", { level: 1, name: "10.0.0.0/16", exact: true }).waitFor();
    await done(page);
  }, 30_000);

  test("New subnet picks its VRF from the organization's VRFs, default first; keyboard only", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.getByRole("button", { name: "New subnet" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New subnet" });
    const picker = dialog.getByLabel("VRF");
    await dialog.locator('select[name="vrf"][data-loaded="true"]').waitFor();
    expect(await picker.evaluate((el: HTMLSelectElement) => [...el.options].map((o) => o.value))).toEqual(["blue", "default"]);
    expect(await picker.inputValue()).toBe("default");
    await dialog.getByLabel("CIDR").fill("10.9.0.0/24");
    await picker.focus();
    await page.keyboard.press("ArrowUp"); // default → blue
    expect(await picker.inputValue()).toBe("blue");
    await dialog.getByRole("button", { name: "Create subnet" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "10.9.0.0/24 VRF blue" }).waitFor();
    const listed = await apiCall(env, tenant.key, "GET", "/api/v1/subnets?q=10.9.0.0");
    expect(listed.body.items.map((s: any) => [s.cidr, s.vrf])).toEqual([["10.9.0.0/24", "blue"]]);
    await done(page);
  }, 30_000);

  test("a split parent shows what its children hold: 10 of 254, green, with the addresses in child subnets", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.office}`);
    const card = page.getByRole("region", { name: "Utilization" });
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain("3.94% used");
    expect(text).toContain("10 used · 254 in child subnets · 0 free");
    expect(await card.locator(".util").getAttribute("data-level")).toBe("green");
    // The children carry the derived names.
    const children = page.locator(".child-list li");
    await children.first().waitFor();
    expect(await children.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("Office LAN 1/4")]));
    await done(page);
  }, 30_000);
});
