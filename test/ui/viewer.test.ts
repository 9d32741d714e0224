/**
 * A viewer (API.md §3: read only) in a real browser. Before, a viewer saw every New, Edit,
 * Delete and Assign button and learnt "your role or plan only allows reading" only after
 * filling a form in. Now the app offers nothing the server would refuse them: the pages are
 * the same without the write controls, a record opens read-only, and a free address is
 * looked up but not offered for assignment. Nothing a viewer can do in the app changes data.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
const ids: Record<string, string> = {};

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Viewer lab" });
  const create = (path: string, body: unknown) => apiCreate(env, tenant.key, path, body);
  ids.folder = (await create("/api/v1/sections", { name: "Site A" })).id;
  ids.lan = (await create("/api/v1/subnets", { cidr: "10.7.1.0/24", name: "LAN", section_id: ids.folder })).id;
  ids.big = (await create("/api/v1/subnets", { cidr: "10.8.0.0/16", name: "Big" })).id;
  await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.7.1.1", hostname: "gw", status: "assigned", owner: "net" });
  await create(`/api/v1/subnets/${ids.lan}/addresses`, { ip: "10.7.1.10", hostname: "web-01", status: "assigned", owner: "ops" });
  // The data is in place: the same person is now a viewer (sessions read the role per request).
  env.database.sqlite.run("UPDATE users SET role = 'viewer' WHERE id = ?", [tenant.userId]);
}, 60_000);

afterAll(async () => {
  await env.stop();
});

const WRITE_BUTTONS = /^(New folder|New subnet|Edit|Delete|Assign address|Reserve range|Add child subnet|Split|Release|Save|Allocate)$/;

/** The names of the page's visible buttons that would change data. */
async function writeButtons(page: Page): Promise<string[]> {
  const names = await page.getByRole("button").evaluateAll((buttons) =>
    buttons.filter((b) => (b as HTMLElement).offsetParent !== null).map((b) => b.getAttribute("aria-label") || b.textContent!.trim()),
  );
  return names.filter((n) => WRITE_BUTTONS.test(n) || /^(Edit|Delete|Assign) /.test(n));
}

async function records(): Promise<unknown[]> {
  return (await apiCall(env, tenant.key, "GET", `/api/v1/subnets/${ids.lan}/addresses`)).body.items.map((a: any) => [a.ip, a.hostname, a.status]);
}

describe("a viewer", () => {
  test("sees the overview, a folder and a subnet without write buttons, and is told why", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.getByRole("heading", { level: 1, name: "Viewer lab" }).waitFor();
    await page.getByRole("link", { name: "Site A" }).first().waitFor();
    expect(await page.locator(".who .read-only").textContent()).toBe("read only");
    expect(await writeButtons(page)).toEqual([]);
    expect(await page.getByRole("link", { name: "Export", exact: true }).count()).toBe(1);

    await page.goto(`/folders/${ids.folder}`);
    await page.getByRole("link", { name: "10.7.1.0/24" }).first().waitFor();
    expect(await writeButtons(page)).toEqual([]);

    await page.goto(`/subnets/${ids.lan}`);
    await page.getByRole("table", { name: "Address records" }).waitFor();
    expect(await writeButtons(page)).toEqual([]);
    // What stays: looking the next free address up.
    await page.getByRole("button", { name: "Next free" }).click();
    const answer = page.getByRole("dialog", { name: "Next free: 10.7.1.2" });
    await answer.getByText("10.7.1.2 is the lowest free address of 10.7.1.0/24.").waitFor();
    expect(await answer.getByRole("button").allTextContents()).toEqual(["OK"]);
    await answer.getByRole("button", { name: "OK" }).click();
    await answer.waitFor({ state: "detached" });
    await page.context().close();
  }, 60_000);

  test("opens a record read-only from the grid; a free cell and a selection offer nothing", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.lan}`);
    await page.locator('.cell[data-ip="10.7.1.10"]').click();
    const dialog = page.getByRole("dialog", { name: "10.7.1.10" });
    await dialog.waitFor();
    expect(await dialog.getByLabel("MAC").getAttribute("placeholder")).toBeNull(); // an empty field shows no example as data
    const hostname = dialog.getByLabel("Hostname");
    expect(await hostname.inputValue()).toBe("web-01");
    expect(await hostname.getAttribute("readonly")).not.toBeNull();
    expect(await dialog.getByLabel("Status").isDisabled()).toBe(true);
    await dialog.getByText("Read only: your role (viewer) can look this up but not change it.").waitFor();
    expect(await dialog.locator(".actions button").allTextContents()).toEqual(["Close"]);
    // Enter in a field submits nothing.
    await hostname.press("Enter");
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });

    await page.locator('.cell[data-ip="10.7.1.20"]').click();
    await page.locator('.cell[data-ip="10.7.1.25"]').click({ modifiers: ["Shift"] });
    await page.locator('.cell[data-ip="10.7.1.25"]').press("Shift+ArrowRight");
    expect(await page.getByRole("dialog").count()).toBe(0);
    expect(await page.getByRole("region", { name: "Selection" }).isVisible()).toBe(false);
    expect(await page.getByText("Select a range").count()).toBe(0); // no hint for what it cannot do
    expect(await page.locator(".cell[data-selected]").count()).toBe(0);
    expect(await records()).toEqual([
      ["10.7.1.1", "gw", "assigned"],
      ["10.7.1.10", "web-01", "assigned"],
    ]);
    await page.context().close();
  }, 60_000);

  test("a large subnet's free ranges, a search for a free address and the import page offer no writes", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.big}`);
    const free = page.locator("table.free");
    await free.waitFor();
    expect(await free.locator("tbody tr").first().locator("td").first().textContent()).toBe("10.8.0.1");
    expect(await free.getByRole("button").count()).toBe(0);
    expect(await writeButtons(page)).toEqual([]);

    await page.goto(`/search?q=${encodeURIComponent("10.7.1.50")}`);
    const card = page.getByRole("region", { name: "10.7.1.50 has no record" });
    await card.locator(".verdict").getByText("free").waitFor();
    expect(await card.getByRole("button").count()).toBe(0);

    await page.goto("/import");
    await page.getByText("Importing records needs write access: your role (viewer) can export only.").waitFor();
    expect(await page.locator("input[type=file]").count()).toBe(0);
    expect(await page.getByRole("link", { name: "Addresses (CSV)" }).count()).toBe(1);
    await page.context().close();
  }, 60_000);

  test("promoted to member while signed in, gets the write controls at the next page, without a reload", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${ids.lan}`);
    await page.getByRole("table", { name: "Address records" }).waitFor();
    expect(await writeButtons(page)).toEqual([]);
    env.database.sqlite.run("UPDATE users SET role = 'member' WHERE id = ?", [tenant.userId]);
    try {
      // An in-app navigation (the sidebar's link), not a reload.
      await page.getByRole("complementary", { name: "Subnets" }).getByRole("link", { name: "10.8.0.0/16" }).click();
      await page.getByRole("button", { name: "Assign address" }).waitFor();
      expect(await page.locator(".who .read-only").count()).toBe(0);
      expect(await page.getByRole("button", { name: "New subnet" }).count()).toBeGreaterThan(0);
    } finally {
      env.database.sqlite.run("UPDATE users SET role = 'viewer' WHERE id = ?", [tenant.userId]);
    }
    await page.context().close();
  }, 60_000);

  test("may generate only read keys", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto("/settings");
    await page.getByRole("button", { name: "Generate Key" }).click();
    const dialog = page.getByRole("dialog");
    const scopes = await dialog.getByLabel("Scope").locator("option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(scopes).toEqual(["read"]);
    await dialog.getByText("A viewer's keys can only read.").waitFor();
    await dialog.getByLabel("Name").fill("viewer key");
    await dialog.getByRole("button", { name: "Generate" }).click();
    await page.getByText("Copy this key now.").waitFor();
    expect(env.database.sqlite.query("SELECT scope FROM api_keys WHERE name = 'viewer key'").all()).toEqual([{ scope: "read" }]);
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});
