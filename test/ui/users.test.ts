/**
 * Settings → Users in a real browser: an owner invites someone (the server logs the link),
 * the invitee signs in with it, the owner changes their role, then removes them after a
 * confirmation dialog, and the invitee's open session is refused on its next request.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, loggedSignInLinks, newContext, signInByLink, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let owner: Tenant;

beforeAll(async () => {
  env = await startUi();
  owner = createTenant(env.database, { orgName: "Team Lab" });
}, 60_000);

afterAll(async () => {
  await env.stop();
});

const INVITEE = "new.person@example.org";

describe("Settings → Users", () => {
  test("invite, sign in with the invitation, change the role, remove with confirmation", async () => {
    const { context, page } = await newContext(env);
    await signInByLink(env, page, owner.email);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings$/);
    const users = page.locator("table.users");
    await users.locator("tr", { hasText: owner.email }).getByText("you").waitFor();

    // Invite: the dialog's fields, then a row marked "invited".
    const linksBefore = loggedSignInLinks(env).length;
    await page.getByRole("button", { name: "Invite user" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a user" });
    await dialog.getByLabel("Email").fill(INVITEE);
    await dialog.getByLabel("Name").fill("New Person");
    await dialog.getByLabel("Role").selectOption("viewer");
    await dialog.getByRole("button", { name: "Send invitation" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = users.locator("tr", { hasText: INVITEE });
    await row.waitFor();
    expect(await row.locator(".badge").textContent()).toBe("invited");
    expect(await row.getByLabel(`Role of ${INVITEE}`).inputValue()).toBe("viewer");

    // The invitation is a sign-in link for that email, through the same delivery as sign-in.
    const link = loggedSignInLinks(env).slice(linksBefore).at(-1)!;
    expect(link).toContain("/auth/verify?token=");
    const invitee = await newContext(env);
    await invitee.page.goto(link);
    await invitee.page.getByRole("button", { name: "Sign in" }).click();
    await invitee.page.waitForURL(`${env.url}/`);
    expect(await invitee.page.getByRole("heading", { level: 1 }).textContent()).toBe("Team Lab");

    // Change the role in place.
    await page.reload();
    await row.waitFor();
    expect(await row.locator(".badge").count()).toBe(0); // signed in: no longer an invitation
    await row.getByLabel(`Role of ${INVITEE}`).selectOption("admin");
    await page.getByText(`${INVITEE} is now admin`).waitFor();
    const listed = await apiCall(env, owner.key, "GET", "/api/v1/users");
    expect(listed.body.items.find((u: any) => u.email === INVITEE)).toMatchObject({ role: "admin", name: "New Person", invited: false });

    // Remove: Cancel keeps them; Remove cuts their open session off.
    await row.getByRole("button", { name: `Remove ${INVITEE}` }).click();
    const confirm = page.getByRole("dialog", { name: `Remove ${INVITEE}?` });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    expect(await row.count()).toBe(1);
    await row.getByRole("button", { name: `Remove ${INVITEE}` }).click();
    await confirm.getByRole("button", { name: "Remove" }).click();
    await row.waitFor({ state: "detached" });
    const after = await apiCall(env, owner.key, "GET", "/api/v1/users");
    expect(after.body.items.map((u: any) => u.email)).toEqual([owner.email]);
    const status = await invitee.page.evaluate(async () => (await fetch("/api/v1/auth/me")).status);
    expect(status).toBe(401);

    expect(env.offsite).toEqual([]);
    await invitee.context.close();
    await context.close();
  }, 60_000);

  test("the invite form shows the API's sentence for an email that is already a member, and creates nothing", async () => {
    // (An email of another organization is invited like any other: see test/auth/invitations.test.ts.)
    const { context, page } = await newContext(env);
    await signInByLink(env, page, owner.email);
    await page.goto("/settings");
    await page.getByRole("button", { name: "Invite user" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a user" });
    await dialog.getByLabel("Email").fill(owner.email);
    await dialog.getByRole("button", { name: "Send invitation" }).click();
    const error = dialog.locator("p.error");
    await error.waitFor();
    expect(await error.textContent()).toContain("already a member of your organization");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect((await apiCall(env, owner.key, "GET", "/api/v1/users")).body.total).toBe(1);
    expect(env.offsite).toEqual([]);
    await context.close();
  }, 30_000);
});
