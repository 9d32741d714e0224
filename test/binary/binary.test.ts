import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { copyBinaryInto, type ServerProcess, startBinaryServer } from "../helpers/binary";
import { tempDir } from "../helpers/tmp";

describe("the compiled binary, alone in an empty folder", () => {
  let dir: string;
  let binary: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = tempDir("ipcraft-bin");
    binary = copyBinaryInto(dir);
    server = await startBinaryServer(binary, dir);
  }, 60_000);

  afterAll(async () => {
    if (server.proc.exitCode === null) await server.stop("SIGKILL");
  });

  test("creates its database in the folder", () => {
    expect(existsSync(`${dir}/ipcraft.db`)).toBe(true);
  });

  test("answers /healthz", async () => {
    const r = await fetch(`${server.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: "ok", db: "ok" });
  });

  test("serves /docs with no non-loopback URL, and its assets", async () => {
    const r = await fetch(`${server.url}/docs`);
    const html = await r.text();
    expect(r.status).toBe(200);
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => !/^(https?:)?\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(u))).toEqual([]);
    const js = await fetch(`${server.url}/assets/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(100_000);
  });

  test("serves the web app's pages and assets with the headers every response has: request id, nosniff, no framing", async () => {
    const page = await fetch(`${server.url}/settings`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    expect(html).toContain('<div id="app"');
    const security = (r: Response) => ({
      id: /^[0-9a-f-]{36}$/.test(r.headers.get("x-request-id") ?? ""),
      nosniff: r.headers.get("x-content-type-options"),
      frame: r.headers.get("x-frame-options"),
      csp: r.headers.get("content-security-policy"),
      referrer: r.headers.get("referrer-policy"),
    });
    const expected = { id: true, nosniff: "nosniff", frame: "DENY", csp: "frame-ancestors 'none'", referrer: "no-referrer" };
    expect(security(page)).toEqual(expected);
    // Every deep link is the same page; each answer has its own request id.
    const deep = await fetch(`${server.url}/subnets/0b9c7a52-4a8e-4f55-9d0e-6e3f7c2b1a90`);
    expect(await deep.text()).toBe(html);
    expect(deep.headers.get("x-request-id")).not.toBe(page.headers.get("x-request-id"));
    // The page is revalidated: a matching If-None-Match is a 304.
    const etag = page.headers.get("etag")!;
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const again = await fetch(`${server.url}/`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    // Its script and stylesheet, named by content hash: cached for good.
    const assets = [...html.matchAll(/(?:src|href)="(\/chunk-[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBe(2);
    for (const asset of assets) {
      const r = await fetch(`${server.url}${asset}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(asset.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
      expect(r.headers.get("cache-control")).toContain("immutable");
      expect(security(r)).toEqual(expected);
      expect((await r.text()).length).toBeGreaterThan(1000);
    }
    // Pages are for reading: another method is not the page.
    expect((await fetch(`${server.url}/settings`, { method: "POST" })).status).toBe(404);
  });

  test("serves /docs/json as OpenAPI 3.1", async () => {
    const doc = await (await fetch(`${server.url}/docs/json`)).json();
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  test("a second server on the same database exits non-zero saying it is in use", async () => {
    const second = Bun.spawn([binary, "serve", "--port", "0"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const code = await second.exited;
    const err = await new Response(second.stderr).text();
    expect(code).not.toBe(0);
    expect(err).toContain("is in use by another ipcraft server");
    expect(err).toContain(`pid ${server.proc.pid}`);
  });

  test("SIGTERM stops it cleanly and a new server starts on the same file", async () => {
    const code = await server.stop("SIGTERM");
    expect(code).toBe(0);
    expect(server.output()).toContain("stopped");
    server = await startBinaryServer(binary, dir);
    const r = await fetch(`${server.url}/healthz`);
    expect(r.status).toBe(200);
  });

  test("version", () => {
    const r = Bun.spawnSync([binary, "version"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toMatch(/^ipcraft \d+\.\d+\.\d+/);
  });
});
