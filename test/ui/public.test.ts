/**
 * Signed-out pages in a real browser: the network tools, and the promise that no page —
 * /docs included — makes a request to anything but this machine.
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

describe("network tools (public)", () => {
  test("the subnet calculator answers from the API, and shows its error sentence", async () => {
    const { context, page } = await newContext(env);
    await page.goto("/tools");
    const calculator = page.getByRole("region", { name: "Subnet calculator" });
    await calculator.getByLabel("CIDR").fill("10.20.0.0/22");
    await page.getByRole("button", { name: "Calculate" }).click();
    const facts = page.locator("dl.facts");
    await facts.waitFor();
    const text = await facts.textContent();
    expect(text).toContain("10.20.3.255"); // broadcast
    expect(text).toContain("1,022"); // usable
    await calculator.getByLabel("CIDR").fill("10.1/8");
    await page.getByRole("button", { name: "Calculate" }).click();
    const error = calculator.getByRole("alert");
    await error.waitFor();
    // The API's own sentence, as is (it names the field and the rule).
    expect(await error.textContent()).toContain("four decimal parts");
    expect(await facts.count()).toBe(0);
    await context.close();
  }, 30_000);
});

describe("network tools: RFC 3021, split, range and summarize", () => {
  test("a /31 and a /32 have no broadcast on the calculator", async () => {
    // The calculator showed a broadcast address for /31 and /32, where every address is a host.
    const { context, page } = await newContext(env);
    await page.goto("/tools");
    const calculator = page.getByRole("region", { name: "Subnet calculator" });
    const broadcast = calculator.locator("dl.facts dt:text-is('Broadcast') + dd");
    for (const [cidr, usable] of [["10.0.0.0/31", "2"], ["10.0.0.7/32", "1"]] as const) {
      await calculator.getByLabel("CIDR").fill(cidr);
      await calculator.getByRole("button", { name: "Calculate" }).click();
      await calculator.locator("dl.facts").waitFor();
      expect(await broadcast.textContent()).toContain("none");
      expect(await calculator.locator("dl.facts dt:text-is('Usable') + dd").textContent()).toBe(usable);
    }
    await calculator.getByLabel("CIDR").fill("10.0.0.4/30");
    await calculator.getByRole("button", { name: "Calculate" }).click();
    await broadcast.filter({ hasText: "10.0.0.7" }).waitFor();
    await context.close();
  }, 30_000);

  test("split, range → CIDRs and summarize answer from the API, by keyboard alone", async () => {
    // The Tools page had only the calculator, though the API offered the other three tools.
    const { context, page } = await newContext(env);
    await page.goto("/tools");
    const results = (name: string) => page.getByRole("region", { name }).locator("ul.cidr-list li");

    const split = page.getByRole("region", { name: "Split" });
    await split.getByLabel("Subnet to split").fill("10.0.0.0/24");
    await split.getByLabel("New prefix length").fill("/26");
    await page.keyboard.press("Enter");
    await results("Split").nth(3).waitFor();
    expect(await results("Split").allTextContents()).toEqual(["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"]);

    const range = page.getByRole("region", { name: "Range → CIDRs" });
    await range.getByLabel("First address").fill("10.0.0.3");
    await range.getByLabel("Last address").fill("10.0.0.9");
    await page.keyboard.press("Enter");
    await results("Range → CIDRs").first().waitFor();
    expect(await results("Range → CIDRs").allTextContents()).toEqual(["10.0.0.3/32", "10.0.0.4/30", "10.0.0.8/31"]);
    // Its error sentence is the API's.
    await range.getByLabel("Last address").fill("10.0.0.1");
    await page.keyboard.press("Enter");
    await range.getByRole("alert").filter({ hasText: "comes before" }).waitFor();

    const summarize = page.getByRole("region", { name: "Summarize" });
    await summarize.getByLabel("CIDRs").fill("10.0.0.0/25, 10.0.0.128/25\n10.0.1.0/24");
    await page.keyboard.press("Enter");
    await results("Summarize").first().waitFor();
    expect(await results("Summarize").allTextContents()).toEqual(["10.0.0.0/23"]);
    expect(await page.evaluate(() => (window as any).__cspViolations)).toBe(0);
    expect(env.offsite).toEqual([]);
    await context.close();
  }, 30_000);
});

describe("nothing leaves this machine", () => {
  test("signed-out pages and /docs make zero requests to non-loopback addresses", async () => {
    const { context, page } = await newContext(env);
    const seen: string[] = [];
    page.on("request", (request) => seen.push(request.url()));
    for (const path of ["/signin", "/setup#not-a-token", "/tools", "/docs"]) {
      await page.goto(path, { waitUntil: "networkidle" });
    }
    // The docs page really rendered from the embedded Swagger UI (so it did load assets).
    await page.locator(".swagger-ui").first().waitFor();
    expect(seen.some((u) => u.includes("/assets/swagger-ui-bundle.js"))).toBe(true);
    expect(seen.length).toBeGreaterThan(5);
    expect(env.offsite).toEqual([]);
    await context.close();
  }, 30_000);
});

describe("clickjacking", () => {
  test("inside another site's frame the app does not run, and offers to open it directly", async () => {
    const { context, page } = await newContext(env);
    await page.setContent(`<iframe id="f" src="${env.url}/tools" width="800" height="600"></iframe>`);
    const frame = page.frameLocator("#f");
    await frame.getByText("IPCraft does not run inside a frame.").waitFor();
    expect(await frame.getByRole("button", { name: "Calculate" }).count()).toBe(0);
    expect(await frame.getByRole("link", { name: "Open it directly" }).getAttribute("target")).toBe("_top");
    await context.close();
  }, 30_000);
});
