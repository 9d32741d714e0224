/**
 * The access log wrote one console line per request, a syscall on every request's path. It
 * is now buffered: these tests prove the lines still all arrive, in order, that warnings and
 * errors are not held back, and that a normal shutdown (SIGTERM) loses none of them.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client";
import { createBufferedLogger, FLUSH_MS } from "../../src/logger";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

describe("buffered logger", () => {
  test("info lines arrive together after a short wait, in order; an error flushes everything at once", async () => {
    const writes: string[] = [];
    const logger = createBufferedLogger((text) => writes.push(text));
    for (let i = 0; i < 100; i++) logger.info("request", { n: i });
    expect(writes).toEqual([]);
    await Bun.sleep(FLUSH_MS * 3);
    expect(writes.length).toBe(1);
    expect(writes[0]!.split("\n").map((l) => l.split(" n=")[1])).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));

    logger.info("before", { a: 1 });
    logger.error("boom", { b: 2 });
    expect(writes.length).toBe(2);
    expect(writes[1]!.split("\n").map((l) => l.split(" ").slice(1, 3).join(" "))).toEqual(["info before", "error boom"]);
    logger.flush();
    expect(writes.length).toBe(2);
  });

  test("a real server's access lines all reach stdout on SIGTERM, the last one included", async () => {
    const dir = tempDir("access-log");
    const db = join(dir, "ipcraft.db");
    const database = openDatabase(db);
    const tenant = createTenant(database);
    database.close();
    const proc = Bun.spawn(["bun", "run", `${import.meta.dir}/../../src/main.ts`, "serve", "--db", db, "--port", "0", "--rate-limit", "0"], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    const chunks: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      const reader = proc.stdout.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(decoder.decode(value));
      }
    })();
    let url: string | undefined;
    for (let i = 0; i < 300 && !url; i++) {
      url = /listening url=(http:\/\/\S+)/.exec(chunks.join(""))?.[1];
      if (!url) await Bun.sleep(50);
    }
    expect(url).toBeDefined();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await fetch(`${url}/api/v1/sections`, { headers: tenant.bearer });
      expect(r.status).toBe(200);
      ids.push(r.headers.get("x-request-id")!);
      await r.arrayBuffer();
    }
    // At once: the last requests' lines are still in the buffer.
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    await reading;
    const out = chunks.join("");
    for (const id of ids) expect(out).toContain(`rid=${id}`);
    expect(out.trimEnd().split("\n").at(-1)).toContain("info stopped");
  }, 60_000);
});
