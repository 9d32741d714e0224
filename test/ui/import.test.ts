/**
 * Issue 15, "import and export in the browser". Before: importing needed curl or the CLI, a
 * spreadsheet's own headers ("IP Address") and separators (; or tab) were refused, and so was
 * "Reserved" for reserved. Here a file is chosen on /import, its columns are matched (unknown
 * ones ignored with a warning), the dry run lists every bad row by the file's own row
 * numbers, and Import writes it; the export buttons download what the API exports.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTenant, type Tenant } from "../helpers/tenant";
import { apiCall, apiCreate, signedInPage, startUi, type UiEnv } from "./harness";

let env: UiEnv;
let tenant: Tenant;
let lanId = "";

beforeAll(async () => {
  env = await startUi();
  tenant = createTenant(env.database, { orgName: "Import lab" });
  lanId = (await apiCreate(env, tenant.key, "/api/v1/subnets", { cidr: "10.5.0.0/24", name: "Imported LAN" })).id;
}, 60_000);

afterAll(async () => {
  await env.stop();
});

const signedIn = (): Promise<Page> => signedInPage(env, tenant.email);
const records = async () => (await apiCall(env, tenant.key, "GET", `/api/v1/subnets/${lanId}/addresses`)).body.items;

/** A phpIPAM-style export: semicolons, its own headers, a column we do not know, a blank line. */
const SEMICOLONS = [
  "IP Address;Host Name;Status;MAC Address;Rack",
  "10.5.0.10;nas;Reserved;AA:BB:CC:DD:EE:01;R1",
  "10.5.0.300;broken;assigned;;R1",
  "",
  "10.5.0.11;printer;ASSIGNED;;R2",
  "10.5.0.12;cam;unknown-status;;R2",
].join("\r\n");

async function choose(page: Page, name: string, text: string): Promise<void> {
  await page.getByLabel("CSV file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
}

describe("import in the browser", () => {
  test("maps the file's columns, detects ';', lists every bad row by its row in the file, and writes nothing", async () => {
    const page = await signedIn();
    await page.goto("/import");
    await page.getByRole("heading", { level: 1, name: "Import and export" }).waitFor();
    await choose(page, "phpipam.csv", SEMICOLONS);
    await page.getByRole("heading", { name: "Columns" }).waitFor();
    expect(await page.getByLabel("Separator").inputValue()).toBe(";");
    const mapped = async (column: string) => page.getByLabel(`Column “${column}” imports as`).inputValue();
    expect([await mapped("IP Address"), await mapped("Host Name"), await mapped("Status"), await mapped("MAC Address"), await mapped("Rack")]).toEqual(["ip", "hostname", "status", "mac", ""]);
    expect(await page.getByRole("note").textContent()).toContain("Ignored: “Rack”");
    await page.getByRole("button", { name: "Check file" }).click();
    const alert = page.locator(".import-result").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("2 bad rows");
    // Rows as the spreadsheet numbers them (the blank line counts): 3 and 6.
    const bad = await page.locator("table.bad-rows tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent]));
    expect(bad.map(([row]) => row)).toEqual(["3", "6"]);
    expect(bad[0]![1]).toContain("10.5.0.300");
    expect(bad[1]![1]).toContain("status");
    expect(await page.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(true);
    expect(await records()).toEqual([]);
    expect(await page.evaluate(() => (window as any).__cspViolations ?? 0)).toBe(0);
    await page.context().close();
  }, 30_000);

  test("keyboard only: a tab-separated file with other headers, a remapped column, checked, then imported", async () => {
    const tsv = ["Address\tName\tState\tNotes\tComment", "10.5.0.20\tweb-1\tReserved\tfirst\tx", "10.5.0.21\tweb-2\tdhcp\tsecond\ty"].join("\n");
    const page = await signedIn();
    await page.goto("/import");
    await page.getByRole("heading", { level: 1, name: "Import and export" }).waitFor();
    await choose(page, "hosts.tsv", tsv);
    await page.getByRole("heading", { name: "Columns" }).waitFor();
    expect(await page.getByLabel("Separator").inputValue()).toBe("\t");
    // "Notes" was guessed as the description; the user wants "Comment" there instead.
    expect(await page.getByLabel("Column “Notes” imports as").inputValue()).toBe("description");
    await page.getByLabel("Column “Comment” imports as").focus();
    await page.getByLabel("Column “Comment” imports as").selectOption("description");
    expect(await page.getByLabel("Column “Notes” imports as").inputValue()).toBe(""); // freed: one file column per field
    await page.getByRole("button", { name: "Check file" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".import-result", { hasText: "All 2 rows can be imported" }).waitFor();
    expect(await records()).toEqual([]); // a dry run writes nothing
    // Focus moved to Import: Enter imports.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Import");
    await page.keyboard.press("Enter");
    await page.locator(".import-result", { hasText: "Imported 2 rows" }).waitFor();
    const made = await records();
    expect(made.map((a: any) => [a.ip, a.hostname, a.status, a.description])).toEqual([
      ["10.5.0.20", "web-1", "reserved", "x"],
      ["10.5.0.21", "web-2", "dhcp", "y"],
    ]);
    await page.context().close();
  }, 30_000);

  test("the export buttons download the organization's subnets and addresses", async () => {
    const page = await signedIn();
    await page.goto("/import");
    const download = async (name: string) => {
      const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
      return Bun.file((await file.path())!).text();
    };
    expect(await download("Subnets (CSV)")).toContain("10.5.0.0/24,default,Imported LAN");
    const addresses = await download("Addresses (CSV)");
    expect(addresses.split("\r\n")[0]).toBe("ip,vrf,hostname,status,owner,mac,description");
    expect(JSON.parse(await download("Everything (JSON)"))).toBeTruthy();
    expect(env.offsite).toEqual([]);
    await page.context().close();
  }, 30_000);
});
