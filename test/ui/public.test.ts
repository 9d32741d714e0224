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
    await page.getByLabel("CIDR").fill("10.20.0.0/22");
    await page.getByRole("button", { name: "Calculate" }).click();
    const facts = page.locator("dl.facts");
    await facts.waitFor();
    const text = await facts.textContent();
    expect(text).toContain("10.20.3.255"); // broadcast
    expect(text).toContain("1,022"); // usable
    await page.getByLabel("CIDR").fill("10.1/8");
    await page.getByRole("button", { name: "Calculate" }).click();
    const error = page.getByRole("alert");
    await error.waitFor();
    // The API's own sentence, as is (it names the field and the rule).
    expect(await error.textContent()).toContain("four decimal parts");
    expect(await facts.count()).toBe(0);
    await context.close();
  }, 30_000);
});

describe("nothing leaves this machine", () => {
  test("signed-out pages and /docs make zero requests to non-loopback addresses", async () => {
    const { context, page } = await newContext(env);
    const seen: string[] = [];
    page.on("request", (request) => seen.push(request.url()));
    for (const path of ["/signin", "/tools", "/docs"]) {
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
