/**
 * Sign-in by link in a real browser: the sign-in page, the link the server logs when no SMTP
 * is set, the /auth/verify page's Sign in button, the session cookie, single use, sign out.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTenant } from "../helpers/tenant";
import { loggedSignInLinks, newContext, signInByLink, startUi, type UiEnv } from "./harness";

let env: UiEnv;
beforeAll(async () => {
  env = await startUi();
}, 60_000);
afterAll(async () => {
  await env.stop();
});

describe("signing in", () => {
  test("a deep link while signed out goes to the sign-in page", async () => {
    const { context, page } = await newContext(env);
    await page.goto("/subnets/3f1c2a52-0000-4000-8000-000000000000");
    await page.waitForURL(/\/signin\?next=%2Fsubnets%2F/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign in to IPCraft");
    await context.close();
  }, 30_000);

  test("after signing in by link, the deep link that asked for it opens (not the overview)", async () => {
    const tenant = createTenant(env.database, { orgName: "Deep" });
    const { context, page } = await newContext(env);
    await page.goto("/settings");
    await page.waitForURL(/\/signin\?next=%2Fsettings/);
    const before = loggedSignInLinks(env).length;
    await page.getByLabel("Email").fill(tenant.email);
    await page.getByRole("button", { name: "Send sign-in link" }).click();
    await page.getByText(/magic link sent/i).waitFor();
    const link = loggedSignInLinks(env).slice(before).at(-1)!;
    await page.goto(link); // as if opened from the mail, in the same browser
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${env.url}/settings`);
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    // used once: the next visit to / stays on the overview
    await page.goto("/");
    await page.getByRole("heading", { name: "Deep", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  }, 30_000);

  test("the answer says the link was sent and where a self-hoster finds it", async () => {
    const { context, page } = await newContext(env);
    await page.goto("/signin");
    await page.getByLabel("Email").fill("nobody@example.org");
    await page.getByRole("button", { name: "Send sign-in link" }).click();
    const note = page.getByRole("status");
    await note.getByText(/magic link sent/i).waitFor();
    const text = await note.textContent();
    expect(text).toContain("server log");
    expect(text).toContain("ipcraft login-link nobody@example.org");
    await context.close();
  }, 30_000);

  test("by link: email → logged link → Sign in → the app, with the session cookie", async () => {
    const tenant = createTenant(env.database, { orgName: "Homelab" });
    const { context, page } = await newContext(env);
    await signInByLink(env, page, tenant.email);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Homelab");
    const cookie = (await context.cookies()).find((c) => c.name === "session");
    expect(cookie?.httpOnly).toBe(true);
    // The page works after a reload: the session, not page state, keeps us in.
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    // The link was single use: opening it again does not sign in a fresh browser.
    const link = loggedSignInLinks(env).at(-1)!;
    const other = await newContext(env);
    await other.page.goto(link);
    await other.page.getByRole("button", { name: "Sign in" }).click();
    await other.page.getByRole("status").getByText(/./).waitFor();
    expect(other.page.url()).toContain("/auth/verify");
    expect((await other.context.cookies()).some((c) => c.name === "session")).toBe(false);
    await other.context.close();
    // Sign out ends the session: a reload lands on the sign-in page.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin/);
    await page.goto("/settings");
    await page.waitForURL(/\/signin\?next=%2Fsettings/);
    await context.close();
  }, 30_000);
});
