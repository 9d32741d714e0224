/**
 * Durability on power loss: the server ran with synchronous=NORMAL, so an acknowledged
 * allocation could vanish in a power cut and its address be handed out again. FULL is now
 * the default; NORMAL is an explicit opt-in (--synchronous normal / IPCRAFT_SYNCHRONOUS).
 */
import { describe, expect, test } from "bun:test";
import { ConfigError, parseFlags, SERVE_FLAGS, serverConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { tempDir } from "../helpers/tmp";

const FULL = 2;
const NORMAL = 1;

function synchronousOf(database: { sqlite: { query: (sql: string) => { get: () => unknown } } }): number {
  return (database.sqlite.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous;
}

function configFrom(argv: string[], env: Record<string, string> = {}) {
  return serverConfig(parseFlags(SERVE_FLAGS, argv, env).values);
}

describe("--synchronous", () => {
  test("a running server's connection is FULL by default, NORMAL only when asked", async () => {
    for (const [argv, env, expected] of [
      [[], {}, FULL],
      [["--synchronous", "normal"], {}, NORMAL],
      [[], { IPCRAFT_SYNCHRONOUS: "normal" }, NORMAL],
      [["--synchronous", "full"], { IPCRAFT_SYNCHRONOUS: "normal" }, FULL],
    ] as const) {
      const config = configFrom(["--db", `${tempDir()}/ipcraft.db`, "--port", "0", ...argv], env);
      const server = startServer(config, createMemoryLogger());
      try {
        expect(synchronousOf(server.database)).toBe(expected);
        // The server never blocks its event loop on another process's lock (db/tx.ts).
        expect((server.database.sqlite.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout).toBe(0);
      } finally {
        await server.stop();
      }
    }
  });

  test("CLI connections are FULL too; a wrong value is a one-line error", () => {
    const database = openDatabase(`${tempDir()}/cli.db`);
    expect(synchronousOf(database)).toBe(FULL);
    database.close();
    expect(() => configFrom(["--synchronous", "off"])).toThrow(ConfigError);
    expect(() => configFrom(["--synchronous", "off"])).toThrow('--synchronous must be one of full, normal (got "off")');
  });
});
