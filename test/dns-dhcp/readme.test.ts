/**
 * Issue 14: the README's two-line Ansible inventory script and its curl lines must work as
 * written against a real server (only the base URL changed), or users are left with glue
 * that fails — so they are taken from README.md and run with curl and ansible-inventory.
 */
import { afterAll, expect, test } from "bun:test";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";
import { fileWith, runAsync, tool } from "./checkers";

const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
const section = readme.slice(readme.indexOf("## DNS, DHCP and Ansible files"), readme.indexOf("## Performance"));

const db = join(tempDir("dns-dhcp-readme"), "ipcraft.db");
const database = openDatabase(db);
const tenant = createTenant(database, { scope: "read" });
database.close();
const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop());

test("the README's two-line inventory script feeds ansible-inventory", async () => {
  const script = /```sh\n(#!\/bin\/sh\nexec curl [^\n]+\n)```/.exec(section)![1]!;
  expect(script.trim().split("\n")).toHaveLength(2);
  const path = fileWith(script.replace("http://127.0.0.1:8080", base), "ipcraft.sh");
  chmodSync(path, 0o755);
  const result = await runAsync([tool("ansible-inventory"), "-i", path, "--list"], {
    IPCRAFT_KEY: tenant.key,
    ANSIBLE_INVENTORY_ENABLED: "script",
    ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
    ANSIBLE_LOCAL_TEMP: tempDir("ansible"),
    ANSIBLE_HOME: tempDir("ansible-home"),
  });
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)._meta).toEqual({ hostvars: {} });
});

test("the README's curl lines answer 200 with a read key", async () => {
  const lines = section.split("\n").filter((l) => l.startsWith("curl -fsS") && !l.includes("$SUBNET_ID"));
  expect(lines.length).toBeGreaterThanOrEqual(6);
  for (const line of lines) {
    // Run the request part of each line (up to the first > or |): the destinations are the user's.
    const request = line.replace(/\s[>|].*$/, "");
    const shell = `API=${base}/api/v1; AUTH="Authorization: Bearer ${tenant.key}"\n${request} -o /dev/null -w '%{http_code}'`;
    const result = await runAsync(["bash", "-c", shell]);
    expect({ line, out: result.out }).toEqual({ line, out: "200" });
  }
});
