/**
 * The activity log's "Load more" from the keyboard. Before, pressing it disabled the focused
 * button while the page loaded, which dropped focus to <body>: a keyboard user was sent back
 * to the top of the page after every page of entries.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Busy lab" });
  const subnet = await apiCreate(env, tenant.key, "/api/v1/subnets", { cidr: "10.9.0.0/24" });
  // 1 subnet.create + 60 address.create: more than the page of 50.
  await apiCreate(env, tenant.key, `/api/v1/subnets/${subnet.id}/addresses`, { count: 60, hostname: "batch" });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe("activity: Load more", () => {
  test("Enter on Load more appends the next entries once; the last page moves focus to its first entry, never to <body>", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto("/activity");
    const rows = page.locator("table.activity tbody tr");
    await page.waitForFunction(() => document.querySelectorAll("table.activity tbody tr").length === 50);
    const more = page.getByRole("button", { name: "Load more" });
    await more.focus();
    // Pressed twice while the page loads: one page is appended, not two. The next page's answer
    // is held until both presses are in (on a busy machine it could otherwise arrive between
    // them, and the second Enter would rightly open the link focus had moved to).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    await page.route(/\/api\/v1\/activity\?.*cursor=/, async (route) => {
      asked++;
      await held;
      await route.continue();
    });
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("button[aria-disabled='true']") !== null);
    release();
    await page.waitForFunction(() => document.querySelectorAll("table.activity tbody tr").length >= 61);
    expect(asked).toBe(1);
    await more.waitFor({ state: "hidden" });
    expect(await rows.count()).toBe(61);
    // Focus is on the first entry that page added (its actor link), inside the table.
    expect(await page.evaluate(() => [...document.querySelectorAll("table.activity tbody tr")].indexOf(document.activeElement!.closest("tr")!))).toBe(50);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("A");
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});
