/**
 * Settings → API Keys in a real browser [doc]: Generate Key → Name + Scope → Generate → the
 * full key once with Copy and a warning; the key works with `Authorization: Bearer`; after a
 * reload only its prefix is listed; the trash button `Revoke <name>` asks, then the key gets 401.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, newContext, signInByLink, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Keys Inc" });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe("Settings → API Keys", () => {
  test("generate, use, see it gone after reload with its prefix listed, revoke → 401", async () => {
    const { context, page } = await newContext(env);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signInByLink(env, page, tenant.email);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings$/);
    await page.getByRole("button", { name: "Generate Key" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("CI/CD Pipeline");
    await dialog.getByLabel("Scope").selectOption("write");
    await dialog.getByRole("button", { name: "Generate" }).click();

    const keyInput = dialog.getByLabel("Your new API key");
    await keyInput.waitFor();
    const key = await keyInput.inputValue();
    expect(key).toMatch(/^ipc_[0-9A-Za-z]{40}$/);
    expect(await dialog.textContent()).toMatch(/will not be shown again/);
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByText("Copied").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    // The key works with the documented curl shape, including a write.
    const me = await apiCall(env, key, "GET", "/api/v1/auth/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ auth: "api_key", scope: "write" });
    const made = await apiCall(env, key, "POST", "/api/v1/sections", { name: "Made by CI" });
    expect(made.status).toBe(201);

    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.locator("table.keys tbody tr", { hasText: "CI/CD Pipeline" });
    await row.waitFor();

    // After a reload the full key is nowhere on the page; its 12-character prefix is listed.
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key);
    expect(await row.locator(".key-prefix").textContent()).toBe(key.slice(0, 12));
    expect(await row.textContent()).toContain("write");

    // Trash icon → a real confirmation dialog; Cancel keeps the key.
    await page.getByRole("button", { name: "Revoke CI/CD Pipeline" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke “CI/CD Pipeline”?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    expect((await apiCall(env, key, "GET", "/api/v1/auth/me")).status).toBe(200);

    await page.getByRole("button", { name: "Revoke CI/CD Pipeline" }).click();
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await row.waitFor({ state: "detached" });
    const revoked = await apiCall(env, key, "GET", "/api/v1/subnets");
    expect(revoked.status).toBe(401);
    expect(env.offsite).toEqual([]);
    await context.close();
  }, 45_000);

  test("at 390 px every key's columns and its Revoke button are on screen, no sideways scrolling", async () => {
    const { context, page } = await newContext(env, { width: 390, height: 844 });
    await signInByLink(env, page, tenant.email);
    await page.goto("/settings");
    const row = page.locator("table.keys tbody tr").first(); // the tenant's own key at least
    await row.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const name = (await row.locator(".key-name").textContent())!;
    for (const label of ["Prefix", "Scope", "Created", "Last used"]) {
      const cell = row.locator(`td[data-label="${label}"]`);
      expect(await cell.isVisible()).toBe(true);
      const box = (await cell.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    const revoke = page.getByRole("button", { name: `Revoke ${name}` }).first();
    const box = (await revoke.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await context.close();
  }, 30_000);

  test("on a plan with read-only API access the form offers read keys only, and says why", async () => {
    const free = createTenant(env.database, { orgName: "Free Inc", plan: "free" });
    const { context, page } = await newContext(env);
    await signInByLink(env, page, free.email);
    await page.goto("/settings");
    await page.getByRole("button", { name: "Generate Key" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByLabel("Scope").locator("option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(["read"]);
    await dialog.getByText("Your plan (free) allows read-only API access.").waitFor();
    await dialog.getByLabel("Name").fill("monitoring");
    await dialog.getByRole("button", { name: "Generate" }).click();
    await dialog.getByLabel("Your new API key").waitFor();
    expect(env.database.sqlite.query("SELECT scope FROM api_keys WHERE org_id = ? AND name = 'monitoring'").all(free.orgId)).toEqual([{ scope: "read" }]);
    await context.close();
  }, 30_000);

  test("the generate form shows the API's sentence for a bad name and creates nothing", async () => {
    const { context, page } = await newContext(env);
    await signInByLink(env, page, tenant.email);
    await page.goto("/settings");
    const before = (await apiCall(env, tenant.key, "GET", "/api/v1/api-keys")).body.total;
    await page.getByRole("button", { name: "Generate Key" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("k".repeat(101));
    await dialog.getByRole("button", { name: "Generate" }).click();
    const error = dialog.locator("p.error");
    await error.waitFor();
    expect(await error.textContent()).toContain("name"); // the API's sentence names the field
    expect(await dialog.getByLabel("Your new API key").count()).toBe(0);
    expect((await apiCall(env, tenant.key, "GET", "/api/v1/api-keys")).body.total).toBe(before);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await context.close();
  }, 30_000);
});
