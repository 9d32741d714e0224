/**
 * /docs in a real browser. It went wrong three ways: the page's meta description held an
 * unescaped quote, so `","code":"", "details"?: {...}}`." />` showed as stray text at the
 * top left; /docs/ (trailing slash) asked for the spec at /docs/docs/json and showed nothing;
 * and "Try it out" while signed in got 403 csrf_header_missing because the page did not send
 * X-Requested-With on writes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, newContext, signInByLink, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Docs Lab" });
}, 60_000);
afterAll(async () => {
  await env.stop();
});

/** Swagger UI renders a large spec: on a busy machine that takes a while. */
function rendered(page: Page): Promise<void> {
  return page.locator(".opblock").first().waitFor({ timeout: 60_000 });
}

describe("/docs", () => {
  test("no stray text: the description is escaped into its meta tag, whole", async () => {
    const { context, page } = await newContext(env);
    await page.goto("/docs");
    await rendered(page);
    const meta = await page.locator('meta[name="description"]').getAttribute("content");
    expect(meta).toContain('"details"?: {...}}');
    // Nothing but the Swagger UI root and scripts in <body>: no text spilled out of <head>.
    const strayText = await page.evaluate(() =>
      [...document.body.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== "").map((n) => n.textContent),
    );
    expect(strayText).toEqual([]);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    await context.close();
  }, 90_000);

  test("/docs/ with a trailing slash loads the spec too", async () => {
    const { context, page } = await newContext(env);
    const specs: string[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/json")) specs.push(`${new URL(r.url()).pathname} ${r.status()}`);
    });
    await page.goto("/docs/");
    await rendered(page);
    expect(specs).toEqual(["/docs/json 200"]);
    expect(await page.getByText("Failed to load API definition").count()).toBe(0);
    await context.close();
  }, 90_000);

  test("Try it out while signed in: a write goes through with the CSRF header (201, not 403)", async () => {
    const { context, page } = await newContext(env);
    await signInByLink(env, page, tenant.email);
    await page.goto("/docs");
    await rendered(page);
    const op = page.locator(".opblock-post", { has: page.locator('[data-path="/api/v1/sections"]') });
    await op.locator(".opblock-summary-control").click();
    await op.getByRole("button", { name: "Try it out" }).click();
    await op.locator("textarea.body-param__text").fill(JSON.stringify({ name: "Made in the docs" }));
    await op.getByRole("button", { name: "Execute" }).click();
    const status = op.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("201");
    const sections = await apiCall(env, tenant.key, "GET", "/api/v1/sections");
    expect(sections.body.items.map((s: { name: string }) => s.name)).toContain("Made in the docs");
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    expect(env.offsite).toEqual([]);
    await context.close();
  }, 120_000);
});
