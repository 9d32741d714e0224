/**
 * Settings → Webhooks (issue 15 over issue 14's API) in a real browser, keyboard only: create
 * a webhook with its events (the generated secret shown once), Test sends a signed ping the
 * receiver verifies, a change is delivered and listed under Deliveries, Pause and Delete.
 * The receiver is a local server: nothing leaves loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const received: { type: string; body: string; signature: string }[] = [];
let receiver: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Hook Lab" });
  receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      received.push({ type: request.headers.get("x-ipcraft-event") ?? "", body: await request.text(), signature: request.headers.get("x-ipcraft-signature") ?? "" });
      return new Response("ok");
    },
  });
}, 60_000);
afterAll(async () => {
  receiver.stop(true);
  await env.stop();
});

/** Whether `secret` signed this delivery (the README's verification, in short). */
function signedWith(secret: string, d: { body: string; signature: string }): boolean {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(d.signature) ?? [];
  return !!t && createHmac("sha256", secret).update(`${t}.${d.body}`).digest("hex") === v1;
}

async function tabTo(page: Page, name: string | RegExp): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute("aria-label") || document.activeElement?.textContent?.trim() || "");
    if (typeof name === "string" ? focused === name : name.test(focused)) return;
  }
  throw new Error(`never reached ${name} with Tab`);
}

describe("Settings → Webhooks", () => {
  test("keyboard only: create with events, secret once, Test pings (signed), a change is delivered and listed, pause, delete", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("link", { name: "Manage webhooks" }).click();
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await page.getByText("No webhooks yet.").waitFor();

    await page.getByRole("button", { name: "New webhook" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New webhook" });
    // URL has focus; folders are offered as folders; tick Folders with the keyboard.
    const url = `http://127.0.0.1:${receiver.port}/ipcraft`;
    await page.keyboard.type(url);
    await dialog.getByRole("checkbox", { name: /Folders/ }).focus();
    await page.keyboard.press("Space");
    await dialog.getByLabel("Description").focus();
    await page.keyboard.type("DNS sync");
    await page.keyboard.press("Enter");
    const secretDialog = page.getByRole("dialog", { name: "Signing secret" });
    const secret = await secretDialog.getByLabel("The webhook's secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.keyboard.press("Escape");
    const row = page.locator("table.webhooks tbody tr");
    await row.first().waitFor();
    // Both dialogs are gone: focus is back on New webhook, not on <body> (once the list has redrawn:
    // on a busy machine the row can appear a moment before focus is handed back).
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === "New webhook", undefined, { timeout: 5000 });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("New webhook");
    expect(await row.locator("td:nth-child(2)").textContent()).toBe("address.* subnet.* folder.*");
    const listed = await apiCall(env, tenant.key, "GET", "/api/v1/webhooks");
    expect(listed.body.items[0]).toMatchObject({ url, events: ["address.*", "subnet.*", "section.*"], description: "DNS sync", active: true });
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    // Test: a signed ping; the toast names the receiver's answer.
    await page.getByRole("button", { name: "Test DNS sync" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("#toasts .toast", { hasText: "Ping delivered" }).waitFor();
    const ping = received.find((d) => d.type === "webhook.ping")!;
    expect(signedWith(secret, ping)).toBe(true);

    // A change is delivered by the worker and listed under Deliveries.
    expect((await apiCall(env, tenant.key, "POST", "/api/v1/subnets", { cidr: "10.9.0.0/24" })).status).toBe(201);
    for (let i = 0; i < 200 && !received.some((d) => d.type === "subnet.create"); i++) await Bun.sleep(50);
    expect(signedWith(secret, received.find((d) => d.type === "subnet.create")!)).toBe(true);
    // The receiver has the request; the worker records "succeeded" just after its reply: wait for that.
    const deliveriesPath = `/api/v1/webhooks/${listed.body.items[0].id}/deliveries?status=succeeded`;
    const delivered = async () =>
      ((await apiCall(env, tenant.key, "GET", deliveriesPath)).body.items as { event_type: string }[]).some((d) => d.event_type === "subnet.create");
    for (let i = 0; i < 200 && !(await delivered()); i++) await Bun.sleep(50);
    await tabTo(page, "Deliveries of DNS sync");
    await page.keyboard.press("Enter");
    const deliveries = page.locator("table.deliveries tbody tr");
    await page.getByRole("heading", { name: `Deliveries to ${url}` }).waitFor();
    await deliveries.first().waitFor();
    const rows = await deliveries.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1, 4).map((td) => td.textContent)));
    expect(rows).toContainEqual(["subnet.create", "succeeded", "1"]);
    expect(rows).toContainEqual(["webhook.ping", "succeeded", "1"]);

    // Pause, then delete (confirmed); focus lands on New webhook.
    await page.getByRole("button", { name: "Pause DNS sync" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("table.webhooks .badge", { hasText: "paused" }).waitFor();
    // The row was drawn anew; focus is on its Resume button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Resume DNS sync");
    expect((await apiCall(env, tenant.key, "GET", "/api/v1/webhooks")).body.items[0].active).toBe(false);
    await page.getByRole("button", { name: "Delete DNS sync" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: /Delete the webhook/ }).getByRole("button", { name: "Delete" }).click();
    await page.getByText("No webhooks yet.").waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("New webhook");
    expect((await apiCall(env, tenant.key, "GET", "/api/v1/webhooks")).body.total).toBe(0);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);

  test("the API's sentence for a bad URL, and nothing is created", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto("/settings/webhooks");
    await page.getByRole("button", { name: "New webhook" }).click();
    const dialog = page.getByRole("dialog", { name: "New webhook" });
    await dialog.getByLabel("URL").fill("ftp://files.lan/hook");
    await dialog.getByRole("button", { name: "Create webhook" }).click();
    await dialog.getByText(/http:\/\/ or https:\/\//).waitFor();
    expect((await apiCall(env, tenant.key, "GET", "/api/v1/webhooks")).body.total).toBe(0);
    await page.context().close();
  }, 30_000);
});
