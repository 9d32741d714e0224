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
