/**
 * `bun run scripts/screenshots.ts` → docs/screenshots/*.png for the README: the tree, a folder's
 * page, the IP grid with its records table, a bulk selection, the next free subnet dialog, the
 * import preview, the "key shown once" dialog, the filtered activity log and the webhooks page
 * with its deliveries, on a throwaway server with believable data.
 * Not part of the tests; needs /usr/bin/chromium (or IPCRAFT_CHROMIUM).
 */
import { mkdirSync } from "node:fs";
import { createTenant } from "../test/helpers/tenant";
import { apiCall, newContext, signInByLink, startUi } from "../test/ui/harness";

const out = `${import.meta.dir}/../docs/screenshots`;
mkdirSync(out, { recursive: true });

const env = await startUi();
try {
  const tenant = createTenant(env.database, { orgName: "Homelab", email: "admin@homelab.example" });
  const post = async (path: string, body: unknown) => {
    const r = await apiCall(env, tenant.key, "POST", path, body);
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const home = await post("/api/v1/sections", { name: "Home", description: "House network" });
  const lab = await post("/api/v1/sections", { name: "Lab", description: "Rack in the garage" });
  await post("/api/v1/subnets", { cidr: "192.168.0.0/16", name: "Home LAN", section_id: home.id });
  const lan = await post("/api/v1/subnets", { cidr: "192.168.1.0/24", name: "Clients", section_id: home.id, gateway: "192.168.1.1", vlan: 10 });
  const iot = await post("/api/v1/subnets", { cidr: "192.168.20.0/26", name: "IoT", section_id: home.id, vlan: 20 });
  await post(`/api/v1/subnets/${iot.id}/addresses`, { count: 48, hostname: "", status: "dhcp", owner: "" });
  const core = await post("/api/v1/subnets", { cidr: "10.10.0.0/16", name: "Lab core", section_id: lab.id });
  const k8s = await post("/api/v1/subnets", { cidr: "10.10.1.0/27", name: "k8s nodes", section_id: lab.id });
  await post(`/api/v1/subnets/${k8s.id}/addresses`, { count: 28, hostname: "", status: "assigned", owner: "platform" });
  await post("/api/v1/subnets", { cidr: "10.10.8.0/22", name: "VM pool", section_id: lab.id });
  await post("/api/v1/subnets", { cidr: "2001:db8:42::/48", name: "IPv6 lab", section_id: lab.id });
  const hosts: [string, string, string, string][] = [
    ["192.168.1.2", "nas", "assigned", "me"],
    ["192.168.1.3", "pihole", "assigned", "me"],
    ["192.168.1.4", "proxmox-01", "assigned", "me"],
    ["192.168.1.5", "proxmox-02", "assigned", "me"],
    ["192.168.1.10", "printer", "reserved", ""],
    ["192.168.1.20", "tv", "assigned", "family"],
    ["192.168.1.21", "laptop-anna", "assigned", "family"],
    ["192.168.1.30", "ups", "reserved", ""],
  ];
  for (const [ip, hostname, status, owner] of hosts) await post(`/api/v1/subnets/${lan.id}/addresses`, { ip, hostname, status, owner });
  for (let n = 100; n < 150; n++) await post(`/api/v1/subnets/${lan.id}/addresses`, { ip: `192.168.1.${n}`, hostname: "", status: "dhcp", owner: "" });

  const { context, page } = await newContext(env, { width: 1280, height: 860 });
  await signInByLink(env, page, tenant.email);
  // Subnets start folded below the second level: open the Home LAN to show the nesting.
  await page.getByRole("button", { name: "Expand 192.168.0.0/16 Home LAN" }).click();
  await page.locator('.sidebar a[data-cidr="192.168.20.0/26"]').waitFor();
  await page.screenshot({ path: `${out}/tree.png` });
  await page.goto(`/subnets/${lan.id}`);
  await page.locator(".ip-grid .cell").first().waitFor();
  await page.locator('.cell[data-ip="192.168.1.4"]').hover();
  await page.screenshot({ path: `${out}/grid.png`, fullPage: true });
  await page.goto(`/folders/${home.id}`);
  await page.locator("table.folder-subnets").waitFor();
  await page.screenshot({ path: `${out}/folder.png` });
  // The /24 with its records table under the grid.
  await page.goto(`/subnets/${lan.id}`);
  await page.getByRole("table", { name: "Address records" }).waitFor();
  await page.screenshot({ path: `${out}/subnet-table.png`, fullPage: true });
  // A range selected by shift-click, with the bulk actions.
  await page.locator('.cell[data-ip="192.168.1.140"]').click({ modifiers: ["Shift"] });
  await page.locator('.cell[data-ip="192.168.1.171"]').click({ modifiers: ["Shift"] });
  await page.getByRole("region", { name: "Selection" }).waitFor();
  await page.mouse.move(0, 0);
  await page.getByRole("region", { name: "Selection" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/bulk-selection.png` });
  // "Add child subnet": the next free /24 of the Lab core /16, previewed before it is created.
  await page.goto(`/subnets/${core.id}`);
  await page.getByRole("button", { name: "Add child subnet" }).click();
  const carve = page.getByRole("dialog", { name: "Add child subnet to 10.10.0.0/16" });
  await carve.locator("output", { hasText: "Next free /24:" }).waitFor();
  await page.screenshot({ path: `${out}/next-free-subnet.png` });
  await page.keyboard.press("Escape");
  // The import preview: a phpIPAM-style file with semicolons, its own headers and two bad rows.
  await page.goto("/import");
  const file = [
    "IP Address;Hostname;Status;MAC Address;Rack",
    "192.168.1.40;camera-door;Assigned;AA:BB:CC:00:00:40;R1",
    "192.168.1.41;camera-garden;assigned;;R1",
    "192.168.1.300;typo;assigned;;R2",
    "192.168.1.2;nas-old;Reserved;;R2",
  ].join("\r\n");
  await page.getByLabel("CSV file").setInputFiles({ name: "phpipam-export.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
  await page.getByRole("button", { name: "Check file" }).click();
  await page.locator("table.bad-rows").waitFor();
  // A tall window rather than fullPage: fullPage repeats the sticky top bar mid-picture.
  await page.setViewportSize({ width: 1280, height: 1300 });
  await page.screenshot({ path: `${out}/import-preview.png` });
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto("/settings");
  await page.getByRole("button", { name: "Generate Key" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("CI/CD Pipeline");
  await dialog.getByLabel("Scope").selectOption("write");
  await dialog.getByRole("button", { name: "Generate" }).click();
  await dialog.getByLabel("Your new API key").waitFor();
  await page.screenshot({ path: `${out}/api-key-dialog.png` });
  await page.keyboard.press("Escape");
  // The activity log filtered to subnets, with names and links.
  await page.goto("/activity?target_type=subnet");
  await page.locator("table.activity tbody tr").first().waitFor();
  await page.screenshot({ path: `${out}/activity.png` });
  // Webhooks: one to a local receiver, pinged, with its deliveries.
  const receiver = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
  const hook = await post("/api/v1/webhooks", { url: `http://127.0.0.1:${receiver.port}/dns-sync`, events: ["address.*", "subnet.*"], description: "DNS sync" });
  await apiCall(env, tenant.key, "POST", `/api/v1/webhooks/${hook.id}/ping`);
  await post(`/api/v1/subnets/${lan.id}/addresses`, { ip: "192.168.1.50", hostname: "camera-door", status: "assigned", owner: "me" });
  for (let i = 0; i < 100 && (await apiCall(env, tenant.key, "GET", `/api/v1/webhooks/${hook.id}/deliveries?status=succeeded`)).body.total < 2; i++) await Bun.sleep(50);
  await page.goto("/settings/webhooks");
  await page.getByRole("button", { name: "Deliveries of DNS sync" }).click();
  await page.locator("table.deliveries tbody tr").nth(1).waitFor();
  await page.screenshot({ path: `${out}/webhooks.png` });
  receiver.stop(true);
  await context.close();

  const dark = await newContext(env, { width: 1280, height: 860 }, "dark");
  await signInByLink(env, dark.page, tenant.email);
  await dark.page.goto(`/subnets/${lan.id}`);
  await dark.page.locator(".ip-grid .cell").first().waitFor();
  await dark.page.screenshot({ path: `${out}/grid-dark.png` });
  await dark.context.close();

  const phone = await newContext(env, { width: 390, height: 844 });
  await signInByLink(env, phone.page, tenant.email);
  await phone.page.goto(`/subnets/${lan.id}`);
  await phone.page.locator(".ip-grid .cell").first().waitFor();
  await phone.page.screenshot({ path: `${out}/grid-phone.png` });
  await phone.context.close();
  if (env.offsite.length) throw new Error(`offsite requests: ${env.offsite.join(", ")}`);
  console.log(`screenshots written to ${out}`);
} finally {
  await env.stop();
}
