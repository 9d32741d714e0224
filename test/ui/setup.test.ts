/**
 * First start (issue 15): a server with no users logs a one-time setup link; whoever ran
 * `scripts/start` opens it, types an email, and is in the web app as the owner, without a
 * second terminal. The link works once. Self-hosted defaults show: plan unlimited, no
 * limits, activity kept forever.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { newContext, startUi, type UiEnv } from "./harness";

let env: UiEnv;
beforeAll(async () => {
  env = await startUi();
}, 60_000);
afterAll(async () => {
  await env.stop();
});

async function setupLink(): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = env.logger.lines.map((line) => /setup link.*url="?([^"\s]+)/.exec(line)).find(Boolean);
    if (m) return m[1]!;
    await Bun.sleep(25);
  }
  throw new Error("no setup link in the server log");
}

describe("first start", () => {
  test("the logged setup link opens a form; email (keyboard only) → the app, signed in as owner; the link works once", async () => {
    const link = await setupLink();
    expect(link).toStartWith(`${env.url}/setup#`);
    const { context, page } = await newContext(env);
    await page.goto(link);
    await page.getByRole("heading", { name: "Welcome to IPCraft" }).waitFor();
    // The email field has focus: type, Tab to the organization, type, Enter.
    await page.keyboard.type("owner@example.org");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Home Lab");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${env.url}/`);
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(page.url()).not.toContain("#");

    // Settings: the self-hosted defaults, no price table.
    await page.getByRole("link", { name: "Settings" }).click();
    const org = page.locator("section", { has: page.getByRole("heading", { name: "Organization" }) });
    await org.locator(".badge.plan", { hasText: "unlimited" }).waitFor();
    expect(await org.getByRole("row", { name: /activity kept/ }).textContent()).toContain("kept forever");
    expect(await org.textContent()).not.toMatch(/\$|€|per month|upgrade/i);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    await context.close();

    // Used: a second visitor with the same link is told so, and stays signed out.
    const second = await newContext(env);
    await second.page.goto(link);
    await second.page.getByLabel("Your email").fill("intruder@example.org");
    await second.page.getByRole("button", { name: "Create owner and sign in" }).click();
    await second.page.getByText("already set up").waitFor();
    expect((await fetch(`${env.url}/api/v1/auth/me`)).status).toBe(401);
    await second.context.close();
    expect(env.offsite).toEqual([]);
  }, 60_000);
});
