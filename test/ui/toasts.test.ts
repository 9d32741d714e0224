/**
 * Toasts say what happened. Assigning an address with status `reserved` (or `dhcp`) said
 * "assigned", and an invitation said "Invitation sent" when, with no SMTP configured, the
 * link had only been written to the server log.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, startUi, type UiEnv, signedInPage } from "./harness";

let env: UiEnv;
let tenant: Tenant;
let subnetId: string;

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Toast Lab" });
  const created = await apiCall(env, tenant.key, "POST", "/api/v1/subnets", { cidr: "10.7.0.0/24", name: "Lab", gateway: "10.7.0.1" });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  subnetId = created.body.id;
}, 60_000);
afterAll(async () => {
  await env.stop();
});

function signedIn(): Promise<Page> {
  return signedInPage(env, tenant.email);
}

const toastText = (page: Page, text: string) => page.locator("#toasts .toast", { hasText: text }).textContent();

describe("toasts", () => {
  test("assigning with a status says that status", async () => {
    const page = await signedIn();
    await page.goto(`/subnets/${subnetId}`);
    for (const [ip, status, said] of [
      ["10.7.0.20", "reserved", "10.7.0.20 reserved"],
      ["10.7.0.21", "dhcp", "10.7.0.21 set aside for DHCP"],
      ["10.7.0.22", "assigned", "10.7.0.22 assigned"],
    ] as const) {
      await page.locator(`.cell[data-ip="${ip}"]`).click();
      const dialog = page.getByRole("dialog", { name: `Assign ${ip}` });
      await dialog.getByLabel("Status").selectOption(status);
      await dialog.getByRole("button", { name: "Assign" }).click();
      expect(await toastText(page, ip)).toBe(said);
      await page.locator(`.cell[data-ip="${ip}"][data-status="${status}"]`).waitFor();
    }
    // Next free, reserved: the toast names the address the server picked and the status.
    await page.getByRole("button", { name: "Next free" }).click();
    const dialog = page.getByRole("dialog", { name: "Allocate the next free address" });
    await dialog.getByLabel("Status").selectOption("reserved");
    await dialog.getByRole("button", { name: "Allocate" }).click();
    expect(await toastText(page, "Next free")).toBe("Next free: 10.7.0.2 reserved");
    await page.context().close();
  }, 40_000);

  test("an invitation says where the link went when it may only be in the server log", async () => {
    const page = await signedIn();
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Invite user" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a user" });
    await dialog.getByLabel("Email").fill("guest@example.org");
    await dialog.getByRole("button", { name: "Send invitation" }).click();
    const said = await toastText(page, "guest@example.org");
    expect(said).toContain("server log");
    expect(said).not.toContain("Invitation sent");
    await page.context().close();
  }, 30_000);
});
