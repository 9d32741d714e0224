/**
 * Requests at the edges of HTTP, through a real listening server (raw TCP, so that the test
 * controls every byte): a body declared larger than any route takes, an upload the client
 * abandons, and a short Host header. Each gets the API's own answer, never Bun's bare one or a
 * 500 in the log.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { MAX_IMPORT_BYTES } from "../../src/http/body";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const db = join(tempDir("edge"), "ipcraft.db");
const seed = openDatabase(db);
const tenant = createTenant(seed);
seed.close();
const logger = createMemoryLogger();
const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), logger);
afterAll(() => server.stop());

/**
 * Writes `head` (and then `body`, if any) on a new connection; with `abandon`, closes it right
 * after writing. Resolves with what came back by the time the server closes or 3 s pass.
 */
function exchange(head: string, options: { body?: string; abandon?: boolean } = {}): Promise<string> {
  let received = "";
  return new Promise((resolve) => {
    const done = () => resolve(received);
    setTimeout(done, 3000);
    Bun.connect({
      hostname: "127.0.0.1",
      port: server.port,
      socket: {
        open(s) {
          s.write(head + (options.body ?? ""));
          if (options.abandon) s.end();
        },
        data(s, chunk) {
          received += chunk.toString();
          // One whole response is enough (the body is short JSON here).
          const [headers, rest = ""] = received.split("\r\n\r\n");
          const length = /content-length: (\d+)/i.exec(headers ?? "");
          if (length && Buffer.byteLength(rest) >= Number(length[1])) {
            s.end();
            done();
          }
        },
        close: done,
        error: done,
      },
    });
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d+)/.exec(response)?.[1]);
const bodyOf = (response: string) => JSON.parse(response.split("\r\n\r\n")[1] ?? "null");

describe("HTTP edges through a real server", () => {
  test("an import declaring more than 16 MB gets 413 body_too_large with its sentence, not Bun's bare 413", async () => {
    const declared = MAX_IMPORT_BYTES + 1024 * 1024;
    const response = await exchange(
      `POST /api/v1/import/subnets?dry_run=true HTTP/1.1\r\nHost: 127.0.0.1\r\n${authorization()}Content-Type: text/csv\r\nContent-Length: ${declared}\r\n\r\n`,
      { body: "cidr\r\n" },
    );
    expect(statusOf(response)).toBe(413);
    expect(bodyOf(response)).toMatchObject({ code: "body_too_large" });
    expect(bodyOf(response).error).toContain(String(MAX_IMPORT_BYTES));
  });

  test("an upload the client abandons halfway is a 400 in the log, not an unhandled 500", async () => {
    const before = logger.lines.length;
    await exchange(
      `POST /api/v1/import/addresses HTTP/1.1\r\nHost: 127.0.0.1\r\n${authorization()}Content-Type: text/csv\r\nContent-Length: 5000\r\n\r\n`,
      { body: "ip,hostname\r\n", abandon: true },
    );
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      await Bun.sleep(20);
      line = logger.lines.slice(before).find((l) => l.includes("path=/api/v1/import/addresses"));
    }
    expect(line).toContain("status=400");
    expect(logger.lines.slice(before).join("\n")).not.toContain("unhandled error");
  });

  test("a short Host header (a box named nas or pi, on port 80 behind a proxy) routes like any other", async () => {
    for (const host of ["nas", "pi", "x", "nas:80"]) {
      const response = await exchange(`GET /api/v1/sections HTTP/1.1\r\nHost: ${host}\r\n${authorization()}Connection: close\r\n\r\n`);
      expect({ host, status: statusOf(response) }).toEqual({ host, status: 200 });
      expect(bodyOf(response)).toMatchObject({ items: [] });
    }
    const health = await exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(statusOf(health)).toBe(200);
  });
});

function authorization(): string {
  return `Authorization: ${tenant.bearer.authorization}\r\n`;
}
