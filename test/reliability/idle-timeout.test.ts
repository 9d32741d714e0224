/**
 * Slow clients: a connection that sends half a request and then goes silent is closed after
 * the idle timeout (1 s here; 30 s by default), while other clients are served meanwhile.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig, parseFlags, SERVE_FLAGS, serverConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const db = join(tempDir("idle"), "ipcraft.db");
const seed = openDatabase(db);
const tenant = createTenant(seed);
seed.close();
const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0, idleTimeout: 1 }), createMemoryLogger());
afterAll(() => server.stop());

/** Opens a raw TCP connection, writes `text`, and resolves with what came back when the server closes it. */
function stallingClient(text: string): { closed: Promise<string>; socket: Promise<Bun.Socket<undefined>> } {
  let received = "";
  let onClose: (value: string) => void;
  const closed = new Promise<string>((resolve) => (onClose = resolve));
  const socket = Bun.connect({
    hostname: "127.0.0.1",
    port: server.port,
    socket: {
      open(s) {
        s.write(text);
      },
      data(_s, chunk) {
        received += chunk.toString();
      },
      close() {
        onClose(received);
      },
      error() {
        onClose(received);
      },
    },
  });
  return { closed, socket };
}

/** Resolves with "closed" or "still open" after `seconds`, whichever comes first. */
function within<T>(promise: Promise<T>, seconds: number): Promise<T | "still open"> {
  return Promise.race([promise, Bun.sleep(seconds * 1000).then(() => "still open" as const)]);
}

describe("slow clients are cut off", () => {
  test("stalled connections are closed while other clients are served", async () => {
    const body = JSON.stringify({ name: "never finished" });
    // Opened together, so the test waits once (Bun closes an incomplete header block after
    // ~10 s whatever the idle timeout; a stalled body or an idle keep-alive after idleTimeout).
    const halfHeaders = stallingClient("GET /api/v1/sections HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthor");
    const halfBody = stallingClient(
      `POST /api/v1/sections HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${tenant.bearer.authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    const keepAlive = stallingClient("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // Others are served meanwhile, many times over.
    for (let i = 0; i < 20; i++) {
      const served = await fetch(`http://127.0.0.1:${server.port}/api/v1/sections`, { headers: tenant.bearer });
      expect(served.status).toBe(200);
      await served.arrayBuffer();
    }
    // The configured 1 s applies (Bun checks timeouts every few seconds): well before Bun's
    // own 10 s default would, so this fails if the setting were not passed through.
    const [bodyOutcome, keepAliveOutcome] = await Promise.all([halfBody, keepAlive].map((c) => within(c.closed, 8)));
    const headersOutcome = await within(halfHeaders.closed, 25);
    expect(headersOutcome).not.toBe("still open");
    expect(bodyOutcome).not.toBe("still open");
    expect(keepAliveOutcome).not.toBe("still open");
    // The stalled requests were never answered with a success; the idle one was, then closed.
    expect(String(headersOutcome)).not.toContain("200 OK");
    expect(String(bodyOutcome)).not.toMatch(/^HTTP\/1\.1 201/);
    expect(String(keepAliveOutcome)).toStartWith("HTTP/1.1 200 OK");
    // The half-sent section was never created.
    const list = await fetch(`http://127.0.0.1:${server.port}/api/v1/sections`, { headers: tenant.bearer });
    expect(((await list.json()) as { total: number }).total).toBe(0);
  }, 40_000);

  test("the flag: --idle-timeout, IPCRAFT_IDLE_TIMEOUT, default 30, at most 255", () => {
    const parse = (argv: string[], env: Record<string, string> = {}) => serverConfig(parseFlags(SERVE_FLAGS, argv, env).values);
    expect(parse([]).idleTimeout).toBe(30);
    expect(parse(["--idle-timeout", "5"]).idleTimeout).toBe(5);
    expect(parse([], { IPCRAFT_IDLE_TIMEOUT: "12" }).idleTimeout).toBe(12);
    expect(() => parse(["--idle-timeout", "0"])).toThrow(/positive whole number/);
    expect(() => parse(["--idle-timeout", "256"])).toThrow(/at most 255/);
  });
});
