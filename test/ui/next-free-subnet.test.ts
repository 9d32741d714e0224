/**
 * "Add child subnet → next free /N" on the subnet page (issues 13 and 15), in a real browser:
 * opened and filled from the keyboard alone, the preview follows the chosen size, the child is
 * created where the API says (checked through the API), several at once from the end, a
 * request that cannot fit shows the server's sentence and creates nothing, Escape gives focus
 * back to the button; no CSP violations and no request leaves loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
let parentId = "";

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Carving" });
  const folder = await apiCreate(env, tenant.key, "/api/v1/sections", { name: "Branch Berlin" });
  parentId = (await apiCreate(env, tenant.key, "/api/v1/subnets", { cidr: "10.40.0.0/16", name: "Berlin", section_id: folder.id })).id;
  // 10.40.0.0/24 is a child and 10.40.1.5 a record of the /16: the next free /24 is 10.40.2.0/24.
  await apiCreate(env, tenant.key, "/api/v1/subnets", { cidr: "10.40.0.0/24" });
  await apiCreate(env, tenant.key, `/api/v1/subnets/${parentId}/addresses`, { ip: "10.40.1.5" });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

const children = async () =>
  (await apiCall(env, tenant.key, "GET", `/api/v1/subnets?parent_id=${parentId}&limit=1000`)).body.items as { cidr: string; name: string; section_id: string | null }[];

describe("Add child subnet → next free /N", () => {
  test("from the keyboard: the preview follows the size, Create takes the next free /24 with the name and the parent's folder", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${parentId}`);
    await page.getByRole("button", { name: "Add child subnet" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Add child subnet to 10.40.0.0/16" });
    await dialog.waitFor();
    await dialog.locator("output", { hasText: "Next free /24: 10.40.2.0/24" }).waitFor();
    // Focus starts on the size; one step down is a /25, which fits beside the record.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("prefix_length");
    await page.keyboard.press("ArrowDown");
    await dialog.locator("output", { hasText: "Next free /25: 10.40.1.128/25" }).waitFor();
    await page.keyboard.press("ArrowUp");
    await dialog.locator("output", { hasText: "Next free /24: 10.40.2.0/24" }).waitFor();
    // Tab to Where, Name; type it; Enter submits the form.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("name");
    await page.keyboard.type("Lab");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Created 10.40.2.0/24 in 10.40.0.0/16").waitFor();
    await page.locator(".child-list a", { hasText: "10.40.2.0/24" }).waitFor();
    const made = (await children()).find((c) => c.cidr === "10.40.2.0/24");
    expect(made?.name).toBe("Lab");
    expect(made?.section_id).not.toBeNull();
    expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
    await page.context().close();
  }, 60_000);

  test("several from the end at once; a request that cannot fit shows the server's sentence and creates nothing; Escape returns focus", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${parentId}`);
    const button = page.getByRole("button", { name: "Add child subnet" });
    await button.click();
    let dialog = page.getByRole("dialog", { name: "Add child subnet to 10.40.0.0/16" });
    await dialog.getByLabel("Where").selectOption("end");
    await dialog.locator("output", { hasText: "Next free /24: 10.40.255.0/24" }).waitFor();
    await dialog.getByLabel("How many").fill("2");
    await dialog.getByRole("button", { name: "Create" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Created 2 subnets in 10.40.0.0/16: 10.40.255.0/24 … 10.40.254.0/24").waitFor();
    expect((await children()).map((c) => c.cidr).sort()).toEqual(["10.40.0.0/24", "10.40.2.0/24", "10.40.254.0/24", "10.40.255.0/24"]);

    await button.click();
    dialog = page.getByRole("dialog", { name: "Add child subnet to 10.40.0.0/16" });
    // Two /18s are free (10.40.64.0 and 10.40.128.0): three cannot be had, and none is made.
    await dialog.getByLabel("Size").selectOption("18");
    await dialog.locator("output", { hasText: "Next free /18: 10.40.64.0/18" }).waitFor();
    await dialog.getByLabel("How many").fill("3");
    await dialog.getByRole("button", { name: "Create" }).click();
    const error = dialog.getByRole("alert");
    await error.waitFor();
    expect(await error.textContent()).toBe("Only 2 free /18 blocks left in 10.40.0.0/16; 3 requested");
    expect((await children()).length).toBe(4);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain("Add child subnet");
    expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});
