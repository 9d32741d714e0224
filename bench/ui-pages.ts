/**
 * The web app with 5,000 subnets, in Debian's Chromium (headless, the test harness's server):
 * how long each page takes until it is usable — its heading drawn and the sidebar tree drawn —
 * how many API requests it made and how many bytes they carried. Issue 15 asks for under 1 s
 * on every page. Not a test: figures vary with the machine (2 shared cores here).
 *
 * Data: 10.0.0.0/8 unfiled; 20 folders, each a site /16 with 249 /24s filed with it (5,001
 * subnets), loaded through the subnet import; 200 address records in one /24.
 * Run: `bun run bench/ui-pages.ts [rounds]` (default 3; the median is shown) or `bun run bench ui-pages`.
 * The machine's load average is printed: on a shared 2-core box the browser's own work
 * dominates, so compare figures taken in the same minute.
 */
import { loadavg } from "node:os";
import type { Page } from "playwright-core";
import { createTenant } from "../test/helpers/tenant";
import { apiCall, newContext, signInByLink, startUi } from "../test/ui/harness";

// `bun run bench/ui-pages.ts 5` or `bun run bench ui-pages` (the runner's own argument is the bench's name): 3 rounds unless a count is given.
const asked = Number(process.argv[process.argv.length - 1]);
const ROUNDS = Number.isInteger(asked) && asked > 0 ? asked : 3;

async function importCsv(url: string, key: string, kind: "subnets" | "addresses", csv: string): Promise<void> {
  const r = await fetch(`${url}/api/v1/import/${kind}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" }, body: csv });
  if (r.status !== 200) throw new Error(`import ${kind}: ${r.status} ${await r.text()}`);
}

export default async function main(): Promise<void> {
  const env = await startUi();
  try {
    const tenant = createTenant(env.database, { orgName: "Bench" });
    let subnets = "cidr,vrf,name,description,section,vlan\r\n10.0.0.0/8,default,Everything,,,\r\n";
    for (let site = 0; site < 20; site++) {
      subnets += `10.${site}.0.0/16,default,Site ${site},,Site ${site},\r\n`;
      for (let n = 0; n < 249; n++) subnets += `10.${site}.${n}.0/24,default,Site ${site} net ${n},,Site ${site},\r\n`;
    }
    await importCsv(env.url, tenant.key, "subnets", subnets);
    let addresses = "ip,hostname,status\r\n";
    for (let n = 1; n <= 200; n++) addresses += `10.3.7.${n},host-${n},assigned\r\n`;
    await importCsv(env.url, tenant.key, "addresses", addresses);
    const total = (await apiCall(env, tenant.key, "GET", "/api/v1/subnets?limit=1")).body.total;
    const site3 = (await apiCall(env, tenant.key, "GET", "/api/v1/subnets?q=Site%203&limit=1")).body.items[0];
    const net = (await apiCall(env, tenant.key, "GET", "/api/v1/subnets?contains=10.3.7.1&limit=10")).body.items.at(-1);
    const folder = (await apiCall(env, tenant.key, "GET", "/api/v1/sections?limit=100")).body.items.find((s: any) => s.name === "Site 3");

    const { context, page } = await newContext(env);
    await signInByLink(env, page, tenant.email);
    const pages: [string, string][] = [
      ["overview", "/"],
      ["folder (250 subnets, first 100 shown)", `/folders/${folder.id}`],
      ["subnet /16 (249 children)", `/subnets/${site3.id}`],
      ["subnet /24 grid (200 records)", `/subnets/${net.id}`],
      ["search", "/search?q=host-1"],
      ["activity", "/activity"],
      ["activity, filtered (subnet.create)", "/activity?action=subnet.create"],
      ["settings", "/settings"],
      ["webhooks", "/settings/webhooks"],
      ["import", "/import"],
    ];
    console.log(`${total.toLocaleString("en-US")} subnets in 20 folders; Chromium headless, full page load each time, median of ${ROUNDS}; load average ${loadavg()[0]!.toFixed(1)} at the start.\n`);
    console.log("| page | usable after (ms) | API requests | API KB |");
    console.log("|---|---:|---:|---:|");
    for (const [name, path] of pages) {
      const runs: { ms: number; requests: number; kb: number }[] = [];
      for (let round = 0; round < ROUNDS; round++) runs.push(await timeLoad(page, path));
      runs.sort((a, b) => a.ms - b.ms);
      const mid = runs[Math.floor(runs.length / 2)]!;
      console.log(`| ${name} | ${mid.ms.toFixed(0)} | ${mid.requests} | ${mid.kb.toFixed(0)} |`);
    }
    await context.close();
  } finally {
    await env.stop();
  }
}

/** From navigation to "heading and tree drawn": the moment a person can use the page. */
async function timeLoad(page: Page, path: string): Promise<{ ms: number; requests: number; kb: number }> {
  let requests = 0;
  let bytes = 0;
  const onResponse = async (response: import("playwright-core").Response) => {
    if (!new URL(response.url()).pathname.startsWith("/api/")) return;
    requests++;
    bytes += Number(response.headers()["content-length"] ?? 0) || (await response.body().catch(() => Buffer.alloc(0))).length;
  };
  page.on("response", onResponse);
  const started = performance.now();
  await page.goto(path);
  await page.waitForFunction(() => document.querySelector("main h1") && document.querySelector("#sidebar .tree, #sidebar .tree-holder p"), null, { timeout: 60_000, polling: 10 });
  const ms = performance.now() - started;
  await page.waitForLoadState("networkidle");
  page.off("response", onResponse);
  return { ms, requests, kb: bytes / 1024 };
}

if (import.meta.main) await main();
