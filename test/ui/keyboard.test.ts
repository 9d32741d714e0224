/**
 * Keyboard only, in a real browser: signing in, assigning an address in the IP grid and
 * generating then revoking an API key with Tab / arrows / Enter / Escape and typing — no
 * clicks. Checks that dialogs trap Tab, that focus is visible, and that focus comes back to
 * the control that started an action even after the page re-renders itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, loggedSignInLinks, newContext, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
let subnetId: string;

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Keyboard Lab" });
  const created = await apiCall(env, tenant.key, "POST", "/api/v1/subnets", { cidr: "10.9.0.0/24", name: "Racks", gateway: "10.9.0.1" });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  subnetId = created.body.id;
}, 60_000);

afterAll(async () => {
  await env.stop();
});

/** What has focus: tag, accessible name or data-ip, and whether a focus outline is drawn. */
function focused(page: Page): Promise<{ tag: string; name: string; ip: string | null; inDialog: boolean; outline: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: "body", name: "", ip: null, inDialog: false, outline: "none" };
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute("aria-label") ?? (el.textContent ?? "").trim(),
      ip: el.getAttribute("data-ip"),
      inDialog: el.closest("dialog") !== null,
      outline: getComputedStyle(el).outlineStyle,
    };
  });
}

/** Presses Tab until `done(focus)` holds; fails after `max` presses (the control is not reachable). */
async function tabUntil(page: Page, done: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (done(await focused(page))) return;
  }
  throw new Error(`not reached with ${max} Tab presses; focus is on ${JSON.stringify(await focused(page))}`);
}

async function signInByKeyboard(page: Page): Promise<void> {
  const before = loggedSignInLinks(env).length;
  await page.goto("/signin");
  await page.getByLabel("Email").waitFor();
  expect((await focused(page)).tag).toBe("input"); // the email field has focus on arrival
  await page.keyboard.type(tenant.email);
  await page.keyboard.press("Enter");
  await page.getByText(/magic link sent/i).waitFor();
  const link = loggedSignInLinks(env).slice(before).at(-1)!;
  await page.goto(link);
  await tabUntil(page, (f) => f.name === "Sign in", 5);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${env.url}/`);
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

describe("keyboard only", () => {
  test("/ jumps to search, except while typing in a field", async () => {
    // There was no key for search: a keyboard user tabbed through the top bar to reach it.
    const { context, page } = await newContext(env);
    await signInByKeyboard(page);
    await page.goto(`/subnets/${subnetId}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    await tabUntil(page, (f) => f.ip !== null); // somewhere in the page, not a text field
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("global-search");
    expect(await page.getByRole("searchbox", { name: "Search addresses" }).inputValue()).toBe(""); // the "/" was not typed
    // In the box, "/" is text (a CIDR); Enter searches.
    await page.keyboard.type("10.9.0.1/24");
    expect(await page.getByRole("searchbox", { name: "Search addresses" }).inputValue()).toBe("10.9.0.1/24");
    // In a dialog's field "/" is text too, and focus stays there.
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Description").focus();
    await page.keyboard.type("rack 3/4");
    expect(await dialog.getByLabel("Description").inputValue()).toBe("rack 3/4");
    await page.keyboard.press("Escape");
    await context.close();
  }, 40_000);

  test("assign an address in the grid: Tab into the grid, arrows, Enter, type, Enter", async () => {
    const { context, page } = await newContext(env);
    await signInByKeyboard(page);
    await page.goto(`/subnets/${subnetId}`);
    await page.locator(".ip-grid .cell").first().waitFor();
    // The grid is one Tab stop; its first cell (the gateway) comes first.
    await tabUntil(page, (f) => f.ip !== null);
    expect((await focused(page)).ip).toBe("10.9.0.1");
    expect((await focused(page)).outline).not.toBe("none");
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown"); // 16 columns at 1280 px: .5 + 16 = .21
    expect((await focused(page)).ip).toBe("10.9.0.21");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Assign 10.9.0.21" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", inDialog: true }); // Hostname
    await page.keyboard.type("switch-01");
    await page.keyboard.press("Tab"); // Status
    await page.keyboard.press("r"); // type-ahead in the closed select: "reserved"
    await page.keyboard.press("Tab"); // Owner
    await page.keyboard.type("netops");
    await page.keyboard.press("Tab"); // MAC
    await page.keyboard.type("02:00:00:00:00:21");
    // Tab is trapped: from the last control (Assign) it wraps to the first, and back.
    await tabUntil(page, (f) => f.name === "Assign", 5);
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "input", inDialog: true });
    await page.keyboard.press("Shift+Tab");
    expect((await focused(page)).name).toBe("Assign");
    await page.keyboard.press("Enter");
    await page.locator('.cell[data-ip="10.9.0.21"][data-status="reserved"]').waitFor();
    // The page re-rendered; focus is back on the same cell, which is now the grid's Tab stop.
    expect(await focused(page)).toMatchObject({ ip: "10.9.0.21", inDialog: false });
    expect(await page.locator('.cell[data-ip="10.9.0.21"]').getAttribute("tabindex")).toBe("0");
    const listed = await apiCall(env, tenant.key, "GET", "/api/v1/addresses?ip=10.9.0.21");
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ hostname: "switch-01", status: "reserved", owner: "netops", mac: "02:00:00:00:00:21", subnet_id: subnetId });

    // Escape on an edit dialog changes nothing and gives focus back to the cell.
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Edit 10.9.0.21" }).waitFor();
    await page.keyboard.type("-renamed");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect((await focused(page)).ip).toBe("10.9.0.21");
    expect((await apiCall(env, tenant.key, "GET", "/api/v1/addresses?ip=10.9.0.21")).body.items[0].hostname).toBe("switch-01");
    expect(env.offsite).toEqual([]);
    await context.close();
  }, 45_000);

  test("generate a key, close the dialog, revoke it: focus lands on Generate Key", async () => {
    const { context, page } = await newContext(env);
    await signInByKeyboard(page);
    await page.goto("/settings");
    await page.locator("table.keys").waitFor();
    await tabUntil(page, (f) => f.name === "Generate Key");
    expect((await focused(page)).outline).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Generate API key" }).waitFor();
    await page.keyboard.type("Keyboard Script");
    await page.keyboard.press("Tab"); // Scope
    await page.keyboard.press("w"); // "Write — …"
    await tabUntil(page, (f) => f.name === "Generate", 3);
    await page.keyboard.press("Enter");
    const keyInput = page.getByLabel("Your new API key");
    await keyInput.waitFor();
    // The key is focused and selected, ready to copy.
    expect((await focused(page)).name).toBe("Your new API key");
    const key = await keyInput.inputValue();
    expect(key).toMatch(/^ipc_[0-9A-Za-z]{40}$/);
    expect((await apiCall(env, key, "GET", "/api/v1/auth/me")).body).toMatchObject({ auth: "api_key", scope: "write" });
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect((await focused(page)).name).toBe("Generate Key");

    const row = page.locator("table.keys tbody tr", { hasText: "Keyboard Script" });
    await row.waitFor();
    await tabUntil(page, (f) => f.name === "Revoke Keyboard Script");
    await page.keyboard.press("Enter");
    const confirm = page.getByRole("dialog", { name: "Revoke “Keyboard Script”?" });
    await confirm.waitFor();
    expect((await focused(page)).name).toBe("Cancel"); // the safe answer has focus
    await page.keyboard.press("Tab");
    expect((await focused(page)).name).toBe("Revoke");
    await page.keyboard.press("Enter");
    await row.waitFor({ state: "detached" });
    expect((await apiCall(env, key, "GET", "/api/v1/subnets")).status).toBe(401);
    // The focused trash button is gone with its row; focus did not fall to <body>.
    expect((await focused(page)).name).toBe("Generate Key");
    await context.close();
  }, 45_000);

  test("a refused submit keeps focus in the dialog, on the field the API named", async () => {
    const { context, page } = await newContext(env);
    await signInByKeyboard(page);
    await tabUntil(page, (f) => f.name === "New folder");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New folder" });
    await dialog.waitFor();
    // No name: Tab to the button and press it; the API refuses and names the field.
    await tabUntil(page, (f) => f.name === "Create folder", 4);
    await page.keyboard.press("Enter");
    await dialog.getByText("must not be empty").waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", inDialog: true });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("name");
    // Still usable from the keyboard: type a name, and the same dialog creates the folder.
    await page.keyboard.type("Second Try");
    await tabUntil(page, (f) => f.name === "Create folder", 4);
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    expect((await apiCall(env, tenant.key, "GET", "/api/v1/sections")).body.items.map((x: { name: string }) => x.name)).toContain("Second Try");
    await context.close();
  }, 45_000);

  test("at 390 px the tree panel opens from the keyboard, closes on Escape and when Tab leaves it", async () => {
    const { context, page } = await newContext(env, { width: 390, height: 844 });
    await signInByKeyboard(page);
    const toggle = page.getByRole("button", { name: "Show subnets" });
    await toggle.focus();
    await page.keyboard.press("Enter");
    const sidebar = page.locator(".sidebar");
    expect(await sidebar.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.closest(".sidebar") !== null)).toBe(true);
    await page.keyboard.press("Escape");
    expect(await sidebar.isVisible()).toBe(false);
    expect((await focused(page)).name).toBe("Show subnets");

    await page.keyboard.press("Enter");
    expect(await sidebar.isVisible()).toBe(true);
    // Tab through the panel: once focus leaves it, the panel closes instead of hiding focus.
    for (let i = 0; i < 10 && (await sidebar.isVisible()); i++) await page.keyboard.press("Tab");
    expect(await sidebar.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.closest(".sidebar"))).toBeNull();
    await context.close();
  }, 30_000);
});
