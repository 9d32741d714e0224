/**
 * The README's "Use ipcraft as Proxmox VE's IPAM" must work as written: its curl lines run
 * against a real server (only the base URL changed), with what Proxmox would have done between
 * steps 1 and 4 (create the VNet's subnet and its gateway) sent as Proxmox sends it.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { runAsync } from "../dns-dhcp/checkers";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Use ipcraft as Proxmox VE's IPAM"), readme.indexOf("## DNS, DHCP and Ansible files"));

const db = join(tempDir("phpipam-readme"), "ipcraft.db");
const database = openDatabase(db);
const tenant = createTenant(database);
database.close();
const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop());

async function curl(line: string): Promise<any> {
  // The request part of the line (before a trailing `# comment`), with the README's base URL swapped.
  const request = line.replace(/\s+#.*$/, "").replaceAll("http://127.0.0.1:8080", base);
  const result = await runAsync(["bash", "-c", `KEY='${tenant.key}'\n${request}`]);
  expect({ line, code: result.code }).toEqual({ line, code: 0 });
  return JSON.parse(result.stdout);
}

test("the README's steps: section, Proxmox's calls, then the checks answer as the comments say", async () => {
  const lines = section.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("curl -fsS"));
  expect(lines).toHaveLength(4);
  expect(section).toContain("`http://ipcraft.lan:8080/api/pve`");
  const created = await curl(lines[0]!);
  expect(created.number).toBe(1);
  const sections = await curl(lines[1]!);
  expect(sections).toMatchObject({ code: 200, success: true, data: [{ id: 1, name: "Proxmox" }] });
  // What Proxmox does on Apply: add_subnet, then add_ip for the gateway.
  const proxmox = (method: string, path: string, body: unknown) =>
    fetch(`${base}/api/pve/${path}`, { method, headers: { "content-type": "application/json; charset=UTF-8", token: tenant.key }, body: JSON.stringify(body) });
  const subnet = await (await proxmox("POST", "subnets/", { subnet: "10.0.7.0", mask: 24, sectionId: 1 })).json();
  expect(subnet.success).toBe(true);
  expect((await proxmox("POST", "addresses/", { ip: "10.0.7.1", subnetId: subnet.id, hostname: "gw", description: "gateway", is_gateway: 1 })).status).toBe(201);
  expect(await curl(lines[2]!)).toMatchObject({ success: true, data: [{ id: subnet.id, subnet: "10.0.7.0", mask: 24, sectionId: 1 }] });
  expect(await curl(lines[3]!)).toMatchObject({ success: true, data: [{ ip: "10.0.7.1", is_gateway: 1 }] });
});
