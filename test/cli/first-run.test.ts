/**
 * First run with the shipped binary, the way the README tells it: an empty folder, `serve`
 * says nobody can sign in yet, with a setup link and what else to run; `login-link` (beside the running server)
 * makes the owner and prints the link; the link's page and its POST sign in; `keys create`
 * gives a key the server accepts at once.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyBinaryInto, type ServerProcess, startBinaryServer } from "../helpers/binary";
import { tempDir } from "../helpers/tmp";

describe("first run of the binary", () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    if (server && server.proc.exitCode === null) await server.stop("SIGKILL");
  });

  test("hint → login-link → page → sign-in → key", async () => {
    const dir = tempDir("ipcraft-first-run");
    const binary = copyBinaryInto(dir);
    server = await startBinaryServer(binary, dir);
    for (let i = 0; i < 100 && !server.output().includes("no users yet"); i++) await Bun.sleep(20);
    // The setup link (test/auth/setup.test.ts spends one); login-link works beside it.
    expect(server.output()).toContain("no users yet: open this one-time setup link");
    expect(server.output()).toContain(`${server.url}/setup#`);
    expect(server.output()).toContain("`ipcraft login-link you@example.org`");

    const run = (args: string[]) => Bun.spawnSync([binary, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir } });
    const link = run(["login-link", "owner@example.org", "--public-url", server.url]);
    expect(link.exitCode).toBe(0);
    const url = link.stdout.toString().trim();
    expect(url).toStartWith(`${server.url}/auth/verify?token=`);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Sign in");
    const token = new URL(url).searchParams.get("token");
    const verified = await fetch(`${server.url}/api/v1/auth/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    expect(verified.status).toBe(200);
    const cookie = verified.headers.get("set-cookie")!.split(";")[0]!;
    const me = (await (await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie } })).json()) as { user: { role: string } };
    expect(me.user.role).toBe("owner");

    const created = run(["keys", "create", "--email", "owner@example.org", "--name", "CI"]);
    const key = created.stdout.toString().trim();
    expect(key).toMatch(/^ipc_[0-9A-Za-z]{40}$/);
    expect((await fetch(`${server.url}/api/v1/organization`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect(server.output()).not.toContain(key);
    expect(await server.stop("SIGTERM")).toBe(0);
  }, 60_000);
});
