/**
 * Issue 14: the README's webhook and change-feed examples must work as written against a real
 * server (only the base URL and the receiver's URL changed): the curl create line, the Node/Bun
 * and Python verification functions on a real signed delivery sent by the server's own worker,
 * and the shell loop that follows the change feed.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Webhooks and the change feed"), readme.indexOf("## DNS, DHCP and Ansible files"));
const block = (lang: string, n = 0) => [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))][n]![1]!;

const dir = tempDir("webhooks-readme");
const db = join(dir, "ipcraft.db");
const database = openDatabase(db);
const tenant = createTenant(database);
database.close();
const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
const api = `http://127.0.0.1:${server.port}/api/v1`;

const deliveries: { signature: string; body: string }[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    deliveries.push({ signature: request.headers.get("x-ipcraft-signature") ?? "", body: await request.text() });
    return new Response(null, { status: 204 });
  },
});
afterAll(async () => {
  receiver.stop(true);
  await server.stop();
});

async function sh(script: string, cwd = dir): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["bash", "-c", `export API=${api} KEY=${tenant.key}\n${script}`], { cwd, stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return { code, out };
}

test("the README's curl line creates a webhook; the server's worker delivers a signed event that the README's Node and Python functions verify", async () => {
  const create = block("sh").split("\n").slice(0, 2).join("\n").replace("http://dns-sync.lan:9000/ipcraft", `http://127.0.0.1:${receiver.port}/ipcraft`);
  const created = JSON.parse((await sh(create)).out);
  expect(created.secret).toMatch(/^whsec_/);
  const section = await fetch(`${api}/sections`, { method: "POST", headers: { ...tenant.bearer, "content-type": "application/json" }, body: '{"name": "Lab"}' });
  expect(section.status).toBe(201);
  await fetch(`${api}/subnets`, { method: "POST", headers: { ...tenant.bearer, "content-type": "application/json" }, body: '{"cidr": "10.5.0.0/24"}' });
  for (let i = 0; i < 100 && deliveries.length === 0; i++) await Bun.sleep(100);
  expect(deliveries).toHaveLength(1); // subnet.create only: section.* was not subscribed
  const [d] = deliveries;
  expect(JSON.parse(d!.body).type).toBe("subnet.create");

  const js = join(dir, "verify.mjs");
  writeFileSync(js, `${block("js")}\nexport { verifyIpcraft };\n`);
  const { verifyIpcraft } = await import(js);
  expect(verifyIpcraft(created.secret, d!.signature, d!.body)).toBe(true);
  expect(verifyIpcraft(created.secret, d!.signature, d!.body.replace("10.5.0.0", "10.6.0.0"))).toBe(false);
  expect(verifyIpcraft("whsec_wrong", d!.signature, d!.body)).toBe(false);

  const py = `${block("python")}\nimport sys\nprint(verify_ipcraft(sys.argv[1], sys.argv[2], sys.stdin.buffer.read()))\n`;
  for (const [secret, body, expected] of [
    [created.secret, d!.body, "True"],
    [created.secret, d!.body.replace("10.5.0.0", "10.6.0.0"), "False"],
  ] as const) {
    const proc = Bun.spawn(["python3", "-c", py, secret, d!.signature], { stdin: new TextEncoder().encode(body), stdout: "pipe", stderr: "pipe" });
    expect((await new Response(proc.stdout).text()).trim()).toBe(expected);
  }
}, 30_000);

test("the README's change-feed loop prints every event and remembers the cursor", async () => {
  const loop = block("sh", 1).replace("wait=25", "wait=1");
  const folder = tempDir("feed-loop");
  const run = await sh(`timeout 4 bash -c '${loop.replaceAll("'", "'\\''")}'`, folder);
  expect(run.code).toBe(124); // the loop runs until stopped
  const events = run.out.trim().split("\n").map((l) => JSON.parse(l));
  expect(events.map((e) => e.type)).toEqual(["webhook.create", "section.create", "subnet.create"]);
  expect(readFileSync(join(folder, "ipcraft.cursor"), "utf8").trim()).toBe("3");
}, 30_000);
