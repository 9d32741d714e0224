/**
 * The real server threads the socket's peer address into the app: X-Forwarded-For counts
 * only when that peer is a trusted proxy. Listening on ::1 makes the peer differ from the
 * in-process default (127.0.0.1), so this fails if server.ts stops recording the peer.
 */
import { describe, expect, test } from "bun:test";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { tempDir } from "../helpers/tmp";

async function sendLinkFrom(base: string, forwardedFor: string): Promise<number> {
  const response = await fetch(`${base}/api/v1/auth/send-link`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ email: "someone@example.org" }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("a listening server", () => {
  test("trusts X-Forwarded-For from a trusted peer (::1), and prints the first-run hint", async () => {
    const logger = createMemoryLogger();
    const server = startServer(
      defaultServerConfig({ db: `${tempDir()}/ipcraft.db`, host: "::1", port: 0, rateLimit: 1, trustedProxy: ["::1"] }),
      logger,
    );
    try {
      const base = `http://[::1]:${server.port}`;
      expect(await sendLinkFrom(base, "203.0.113.1")).toBe(200);
      expect(await sendLinkFrom(base, "203.0.113.1")).toBe(200);
      expect(await sendLinkFrom(base, "203.0.113.1")).toBe(429);
      // another client behind the same proxy has its own bucket
      expect(await sendLinkFrom(base, "203.0.113.2")).toBe(200);
      for (let i = 0; i < 100 && !logger.lines.join("\n").includes("no users yet"); i++) await Bun.sleep(20);
      expect(logger.lines.join("\n")).toContain("no users yet: open this one-time setup link");
    } finally {
      await server.stop();
    }
  });

  test("ignores X-Forwarded-For when the peer is not trusted", async () => {
    const server = startServer(
      defaultServerConfig({ db: `${tempDir()}/ipcraft.db`, host: "::1", port: 0, rateLimit: 1, trustedProxy: ["127.0.0.1"] }),
      createMemoryLogger(),
    );
    try {
      const base = `http://[::1]:${server.port}`;
      await sendLinkFrom(base, "203.0.113.1");
      await sendLinkFrom(base, "203.0.113.2");
      expect(await sendLinkFrom(base, "203.0.113.3")).toBe(429);
    } finally {
      await server.stop();
    }
  });
});

describe("an automatic public URL", () => {
  test("names the port actually bound when started with port 0, so logged sign-in links work", async () => {
    const db = `${tempDir()}/ipcraft.db`;
    const { openDatabase } = await import("../../src/db/client");
    const { createTenant } = await import("../helpers/tenant");
    const seeded = openDatabase(db);
    const user = createTenant(seeded);
    seeded.close();
    const logger = createMemoryLogger();
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), logger);
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const r = await fetch(`${server.url}/api/v1/auth/send-link`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: user.email }),
      });
      expect(r.status).toBe(200);
      // delivery is queued after the answer (auth/mailer.ts): wait for its log line (bounded)
      for (let i = 0; i < 200 && !logger.lines.some((l) => l.includes("token=")); i++) await Bun.sleep(5);
      const link = logger.lines.join("\n").match(/http:\/\/\S+\/auth\/verify\?token=\S+/)?.[0];
      expect(link).toStartWith(`http://127.0.0.1:${server.port}/auth/verify?token=`);
      expect((await fetch(link!)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
