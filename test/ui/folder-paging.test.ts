/**
 * Issue 15, "folder pages that scale": a folder of 230 subnets opens with its first 100 (one
 * request for them, never the whole organization), says how many there are, and "Show more"
 * (keyboard too) appends the next pages with focus on the first new subnet. A subnet with
 * more children than a page lists one page and says how many more.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
let folderId: string;
let siteId: string;

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Many" });
  let csv = "cidr,name,section\r\n10.0.0.0/8,Everything,\r\n10.5.0.0/16,Site,Big\r\n";
  for (let n = 0; n < 229; n++) csv += `10.5.${n}.0/24,net ${n},Big\r\n`;
  // 600 unfiled /30s under a /22 elsewhere: more children than one page of the subnet view.
  csv += "172.16.0.0/16,Links,\r\n";
  for (let n = 0; n < 600; n++) csv += `172.16.${Math.floor(n / 64)}.${(n % 64) * 4}/30,,\r\n`;
  const r = await fetch(`${env.url}/api/v1/import/subnets`, { method: "POST", headers: { authorization: `Bearer ${tenant.key}`, "content-type": "text/csv" }, body: csv });
  if (r.status !== 200) throw new Error(await r.text());
  folderId = (await apiCall(env, tenant.key, "GET", "/api/v1/sections?limit=10")).body.items.find((s: { name: string }) => s.name === "Big").id;
  siteId = (await apiCall(env, tenant.key, "GET", "/api/v1/subnets?q=Links&limit=1")).body.items[0].id;
}, 120_000);
afterAll(async () => {
  await env.stop();
});

describe("a folder of hundreds of subnets", () => {
  test("opens with 100 of 230; Show more (Enter) appends pages, focus on the first new one; no request lists every subnet", async () => {
    const page = await signedInPage(env, tenant.email);
    const lists: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/v1/subnets") lists.push(url.search);
    });
    await page.goto(`/folders/${folderId}`);
    await page.getByRole("heading", { level: 1, name: "Big" }).waitFor();
    const rows = page.locator("table.folder-subnets tbody tr");
    expect(await page.locator(".subtitle").textContent()).toBe("230 subnets");
    expect(await rows.count()).toBe(100);
    await page.getByText("Showing 100 of 230").waitFor();
    const more = page.getByRole("button", { name: "Show more" });
    await more.focus();
    await page.keyboard.press("Enter");
    await page.getByText("Showing 200 of 230").waitFor();
    expect(await rows.count()).toBe(200);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("10.5.99.0/24");
    await more.click();
    await page.waitForFunction(() => document.querySelectorAll("table.folder-subnets tbody tr").length === 230);
    expect(await more.isHidden()).toBe(true);
    // Nested under the /16 filed in the same folder: indented, parents first.
    const cidrs = await rows.locator("a[data-cidr]").evaluateAll((as) => as.map((a) => a.getAttribute("data-cidr")));
    expect(cidrs[0]).toBe("10.5.0.0/16");
    expect(new Set(cidrs).size).toBe(230);
    // Every subnet list request was narrowed to the folder (or the sidebar's own small lists).
    expect(lists.filter((q) => q.includes(`section_id=${folderId}`)).every((q) => Number(new URLSearchParams(q).get("limit")) <= 100)).toBe(true);
    expect(lists.filter((q) => !/section_id|parent_id|root|contains|q=|limit=1(&|$)/.test(q))).toEqual([]);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    await page.context().close();
  }, 60_000);

  test("a subnet with 600 children lists the first 500 and says how many there are", async () => {
    const page = await signedInPage(env, tenant.email);
    await page.goto(`/subnets/${siteId}`);
    await page.getByRole("heading", { level: 2, name: "Child subnets (600)" }).waitFor();
    expect(await page.locator(".child-list li").count()).toBe(500);
    await page.getByText("The first 500 of 600").waitFor();
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 60_000);
});
