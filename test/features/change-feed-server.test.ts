/**
 * Bun closes a connection whose response is still pending when the server's idle timeout
 * passes: a long-poll held for the whole `wait` would be cut (ECONNRESET) instead of
 * answered. The feed answers 5 s before the idle timeout, through a real listening server.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { startServer } from "../../src/server";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const db = join(tempDir("change-feed-server"), "ipcraft.db");
const database = openDatabase(db);
const tenant = createTenant(database);
database.close();
const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0, idleTimeout: 8 }), createMemoryLogger());
afterAll(() => server.stop());

test("a long-poll asking for more than the idle timeout allows is answered (empty, 200) before the server would cut it", async () => {
  const started = performance.now();
  const r = await fetch(`http://127.0.0.1:${server.port}/api/v1/events?after=0&wait=60`, { headers: tenant.bearer });
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ items: [], next_cursor: "0" });
  expect(performance.now() - started).toBeLessThan(8_000);
}, 20_000);
