/**
 * Keyboard users keep their place after an action redraws the page. A browser audit found
 * these ending on <body> (so the next Tab started again at the top of the page): a folder's
 * Edit or Delete on the overview, Release from a /24's records table and from a large
 * subnet's table, the table's pager reaching its first or last page, the import's answer,
 * a user's role select, and the deliveries' last "Load more". Members were also offered New
 * webhook on /settings/webhooks, which the API refuses them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Locator, Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};

const create = (path: string, body: unknown) => apiCreate(env, tenant.key, path, body);
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName, text: el?.textContent?.trim() ?? "", label: el?.getAttribute("aria-label") ?? "", ip: el?.getAttribute("data-ip") ?? "" };
  });
/** Waits until focus has settled somewhere other than <body> (redraws are asynchronous). */
const focusSettled = (page: Page) => page.waitForFunction(() => document.activeElement && document.activeElement !== document.body);

/** Opens a record from `opener` with Enter, then Release and its confirmation, by keyboard. */
async function releaseByKeyboard(page: Page, opener: Locator, ip: string): Promise<void> {
  await opener.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: `Edit ${ip}` }).getByRole("button", { name: "Release" }).press("Enter");
  await page.getByRole("dialog", { name: `Release ${ip}?` }).getByRole("button", { name: "Release" }).press("Enter");
}

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Focus lab" });
  ids.a = (await create("/api/v1/sections", { name: "Folder A" })).id;
  ids.b = (await create("/api/v1/sections", { name: "Folder B" })).id;
  ids.lan = (await create("/api/v1/subnets", { cidr: "10.3.1.0/24" })).id;
  await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.3.1.10", hostname: "old-host", status: "assigned", owner: "" });
  ids.big = (await create("/api/v1/subnets", { cidr: "10.4.0.0/16" })).id;
  await create(`/api/v1/subnets/${ids.big}/addresses`, { count: 150, hostname: "many" }); // two pages of 100
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe("focus after an action", () => {
  test("overview: a folder's Edit → Save returns to its Edit button; Delete → confirm goes to the heading", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.getByRole("button", { name: "Edit Folder A" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Edit folder Folder A" });
    await dialog.getByLabel("Name").fill("Folder A2");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Edit Folder A2" }).waitFor();
    await focusSettled(page);
    expect((await focused(page)).label).toBe("Edit Folder A2");

    await page.getByRole("button", { name: "Delete Folder B" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Delete folder Folder B?" }).getByRole("button", { name: "Delete" }).press("Enter");
    await page.getByRole("button", { name: "Delete Folder B" }).waitFor({ state: "detached" });
    await focusSettled(page);
    expect(await focused(page)).toMatchObject({ tag: "H1", text: "Focus lab" });
    await page.context().close();
  }, 60_000);

  test("a /24's records table: Release goes to the address's grid cell", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.lan}`);
    const table = page.getByRole("table", { name: "Address records" });
    await releaseByKeyboard(page, table.getByRole("button", { name: "10.3.1.10" }), "10.3.1.10");
    await page.locator('.cell[data-ip="10.3.1.10"][data-status="available"]').waitFor();
    await focusSettled(page);
    expect(await focused(page)).toMatchObject({ tag: "BUTTON", ip: "10.3.1.10" });
    await page.context().close();
  }, 60_000);

  test("a /16's table: the pager hands focus over at the last and first page; Release goes to the first record", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.big}`);
    await page.locator("table.addresses tbody tr").first().waitFor();
    await page.getByRole("button", { name: "Next page" }).focus();
    await page.keyboard.press("Enter");
    await page.getByText("page 2 of 2").waitFor();
    expect((await focused(page)).text).toBe("Previous page");
    await page.keyboard.press("Enter");
    await page.getByText("page 1 of 2").waitFor();
    expect((await focused(page)).text).toBe("Next page");

    await releaseByKeyboard(page, page.locator('table.addresses button[data-ip="10.4.0.1"]'), "10.4.0.1");
    await page.locator('table.addresses button[data-ip="10.4.0.1"]').waitFor({ state: "detached" });
    await focusSettled(page);
    expect(await focused(page)).toMatchObject({ tag: "BUTTON", ip: "10.4.0.2" });
    await page.context().close();
  }, 60_000);

  test("import: the answer line takes focus after a check with bad rows and after an import", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto("/import");
    const choose = (text: string) => page.getByLabel("CSV file").setInputFiles({ name: "a.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
    await choose("ip,hostname,status\n10.3.1.300,bad,assigned\n");
    await page.getByRole("button", { name: "Check file" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".import-result").getByRole("alert").waitFor();
    await focusSettled(page);
    expect((await focused(page)).text).toContain("Nothing would be imported: 1 bad row");

    await choose("ip,hostname,status\n10.3.1.50,good,assigned\n");
    await page.getByRole("button", { name: "Check file" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".import-result", { hasText: "All 1 row can be imported" }).waitFor();
    expect((await focused(page)).text).toBe("Import");
    await page.keyboard.press("Enter");
    await page.locator(".import-result", { hasText: "Imported 1 row" }).waitFor();
    await focusSettled(page);
    expect((await focused(page)).text).toContain("Imported 1 row");
    await page.context().close();
  }, 60_000);

  test("Settings → Users: the role select keeps focus through its save", async () => {
    await apiCall(env, tenant.key, "POST", "/api/v1/users/invite", { email: "second@example.org", role: "member" });
    const page = await signedInPage(env, tenant.email);
    await page.goto("/settings");
    const role = page.getByLabel("Role of second@example.org");
    await role.focus(); // as a keyboard user is, on a select they change
    await role.selectOption("viewer");
    await page.getByText("second@example.org is now viewer").waitFor();
    await focusSettled(page);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Role of second@example.org");
    await page.context().close();
  }, 60_000);

  test("webhook deliveries: the last Load more goes to its first row; a member is not offered New webhook", async () => {
    // A receiver that is never there: every event becomes a pending delivery.
    await create("/api/v1/webhooks", { url: "http://127.0.0.1:9/hook", events: ["address.*"] });
    await create(`/api/v1/subnets/${ids.lan}/addresses`, { count: 60, hostname: "hooked" });
    const page = await signedInPage(env, tenant.email);
    await page.goto("/settings/webhooks");
    await page.getByRole("button", { name: /^Deliveries of/ }).click();
    const rows = page.locator("table.deliveries tbody tr");
    await page.waitForFunction(() => document.querySelectorAll("table.deliveries tbody tr").length === 50);
    const more = page.getByRole("button", { name: "Load more" });
    await more.focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter"); // a second press while loading appends nothing twice
    await more.waitFor({ state: "hidden" });
    expect(await rows.count()).toBe(60);
    await focusSettled(page);
    expect(await page.evaluate(() => [...document.querySelectorAll("table.deliveries tbody tr")].indexOf(document.activeElement as HTMLTableRowElement))).toBe(50);

    env.database.sqlite.run("UPDATE users SET role = 'member' WHERE id = ?", [tenant.userId]);
    await page.goto("/settings/webhooks");
    await page.getByText("Webhooks are managed by your organization's owners and admins.").waitFor();
    expect(await page.getByRole("button", { name: "New webhook" }).count()).toBe(0);
    env.database.sqlite.run("UPDATE users SET role = 'owner' WHERE id = ?", [tenant.userId]);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});
