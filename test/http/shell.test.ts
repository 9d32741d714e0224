import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

/** The app plus two routes that exist only here: one that validates a body, one that crashes. */
function appWithProbeRoutes() {
  const t = testApp();
  t.app
    .post("/api/v1/probe", ({ body }) => body, {
      body: z.strictObject({ name: z.string().min(1), count: z.number().int().min(1).optional() }),
    })
    .get("/api/v1/crash", () => {
      throw new Error("secret internals at /home/app/db.ts:42");
    });
  return t;
}

describe("error shape for every failure kind", () => {
  test("unknown route → 404 route_not_found", async () => {
    const { call } = testApp();
    const r = await call("GET", "/api/v1/nothing-here");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "no route GET /api/v1/nothing-here", code: "route_not_found" });
  });

  test("wrong method on a known path → 405 with Allow", async () => {
    const { call } = testApp();
    const r = await call("DELETE", "/healthz");
    expect(r.status).toBe(405);
    expect(r.body.code).toBe("method_not_allowed");
    expect(r.headers.get("allow")).toContain("GET");
  });

  test("malformed JSON → 400 invalid_json", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { raw: '{"name": ', headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_json");
    expect(typeof r.body.error).toBe("string");
  });

  test("validation failure → 400 naming the field", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { body: { name: 5 } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
    expect(r.body.error).toContain('"name"');
    expect(r.body.details.field).toBe("name");
  });

  test("unknown JSON field → 400 naming it", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { body: { name: "a", colour: "red" } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
    expect(r.body.error).toContain("colour");
  });

  test("a JSON body nested absurdly deep → 400, not a crash", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { raw: "[".repeat(100_000) + "]".repeat(100_000), headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_json");
  });

  test("an empty body declared as JSON is a 400 that says to send {}", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { raw: "", headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_json");
    expect(r.body.error).toContain("{}");
  });

  test("a valid body passes through", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { body: { name: "a", count: 2 } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: "a", count: 2 });
  });

  test("non-JSON body on an API write → 415", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", { raw: "name=a", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(r.status).toBe(415);
    expect(r.body.code).toBe("unsupported_media_type");
  });

  test("a compressed body or one in another charset → 415 saying so (gzip read as text was a misleading 'not UTF-8'); UTF-8 and identity pass", async () => {
    const { call } = appWithProbeRoutes();
    const body = JSON.stringify({ name: "a", count: 2 });
    const gzip = await call("POST", "/api/v1/probe", { raw: body, headers: { "content-type": "application/json", "content-encoding": "gzip" } });
    expect([gzip.status, gzip.body.code, gzip.body.error]).toEqual([415, "unsupported_media_type", "Content-Encoding gzip is not supported: send the body uncompressed"]);
    const latin1 = await call("POST", "/api/v1/probe", { raw: body, headers: { "content-type": "application/json; charset=latin1" } });
    expect([latin1.status, latin1.body.error]).toEqual([415, "charset latin1 is not supported: send the body as UTF-8"]);
    const accepted: Record<string, string>[] = [{ "content-type": "application/json; charset=UTF-8" }, { "content-type": 'application/json; charset="utf-8"', "content-encoding": "identity" }];
    for (const headers of accepted) {
      expect((await call("POST", "/api/v1/probe", { raw: body, headers })).status).toBe(200);
    }
  });

  test("a body that no route reads (a DELETE's text/plain, multipart) is not read at all: Elysia's own parsers had no cap", async () => {
    const { app, database } = testApp();
    const tenant = createTenant(database);
    for (const type of ["text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", ""]) {
      let pulled = 0;
      const chunk = new Uint8Array(1024 * 1024).fill(120);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += chunk.byteLength;
          if (pulled > 40 * chunk.byteLength) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const headers: Record<string, string> = type ? { ...tenant.bearer, "content-type": type } : { ...tenant.bearer };
      const request = new Request("http://localhost/api/v1/subnets/no-such-id", { method: "DELETE", headers, body, duplex: "half" } as RequestInit);
      const r = await app.handle(request);
      expect({ type, status: r.status }).toEqual({ type, status: 404 });
      // A stream may be asked for a chunk or two ahead; never for the 40 MB.
      expect({ type, pulled: pulled <= 2 * chunk.byteLength }).toEqual({ type, pulled: true });
    }
  });

  test("charset us-ascii is UTF-8 and passes", async () => {
    const { call } = appWithProbeRoutes();
    const body = JSON.stringify({ name: "a" });
    expect((await call("POST", "/api/v1/probe", { raw: body, headers: { "content-type": "application/json; charset=us-ascii" } })).status).toBe(200);
  });

  test("declared body over 1 MB → 413", async () => {
    const { call } = appWithProbeRoutes();
    const r = await call("POST", "/api/v1/probe", {
      raw: "x",
      headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
    });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe("body_too_large");
  });

  test("unexpected error → 500 without internals, logged with the request id", async () => {
    const { call, logger } = appWithProbeRoutes();
    const r = await call("GET", "/api/v1/crash");
    expect(r.status).toBe(500);
    expect(r.body.code).toBe("internal_error");
    expect(r.text).not.toContain("secret internals");
    expect(r.text).not.toContain("db.ts");
    const rid = r.headers.get("x-request-id")!;
    expect(logger.lines.some((l) => l.includes("error") && l.includes(rid) && l.includes("secret internals"))).toBe(true);
  });
});

describe("request ids and the access log", () => {
  test("every response carries a distinct X-Request-Id, errors included", async () => {
    const { call } = testApp();
    const a = await call("GET", "/healthz");
    const b = await call("GET", "/nope");
    const ida = a.headers.get("x-request-id");
    const idb = b.headers.get("x-request-id");
    expect(ida).toMatch(/^[0-9a-f-]{36}$/);
    expect(idb).toMatch(/^[0-9a-f-]{36}$/);
    expect(ida).not.toBe(idb);
  });

  test("one line per request with method, path, status, duration and id — and no credentials", async () => {
    const { call, logger } = testApp();
    const secretKey = "ipc_ZZZZsecretZZZZsecretZZZZsecretZZZZsecret";
    const r = await call("GET", "/healthz?token=magic-token-value", {
      headers: { authorization: `Bearer ${secretKey}`, cookie: "session=cookie-secret-value" },
    });
    const rid = r.headers.get("x-request-id")!;
    await Bun.sleep(1); // the access log is written after the response is handed over
    const lines = logger.lines.filter((l) => l.includes(" request "));
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toContain("method=GET");
    expect(line).toContain("path=/healthz");
    expect(line).toContain("status=200");
    expect(line).toMatch(/ms=[\d.]+/);
    expect(line).toContain(`rid=${rid}`);
    const all = logger.lines.join("\n");
    expect(all).not.toContain("ZZZZsecret");
    expect(all).not.toContain("magic-token-value");
    expect(all).not.toContain("cookie-secret-value");
  });
});

describe("health and docs", () => {
  test("GET /healthz", async () => {
    const { call } = testApp();
    const r = await call("GET", "/healthz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok", version: expect.stringMatching(/^\d+\.\d+\.\d+/), db: "ok" });
  });

  test("GET /healthz reports a broken database as 503", async () => {
    const { call, database } = testApp();
    database.sqlite.close();
    const r = await call("GET", "/healthz");
    expect(r.status).toBe(503);
    expect(r.body.db).toBe("error");
  });

  test("/docs is HTML that references no non-loopback URL, and its assets are served", async () => {
    const { call } = testApp();
    const page = await call("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const urls = page.text.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => !/^(https?:)?\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(u))).toEqual([]);
    const scripts = [...page.text.matchAll(/<(?:script[^>]*src|link[^>]*href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src.startsWith("/")).toBe(true);
      const asset = await call("GET", src);
      expect(asset.status).toBe(200);
      expect(asset.text.length).toBeGreaterThan(src.includes("swagger-ui") ? 1000 : 0);
    }
  });

  test("/docs/json is OpenAPI 3.1 and documents /healthz", async () => {
    const { call } = testApp();
    const r = await call("GET", "/docs/json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\.1\./);
    expect(r.body.paths["/healthz"].get).toBeDefined();
  });
});

describe("query strings", () => {
  test("values reach routes as plain strings: commas, brackets and braces are not reinterpreted", async () => {
    const t = testApp();
    t.app.get("/api/v1/echo-query", ({ query }) => query, { query: z.strictObject({ q: z.string().optional() }) });
    for (const value of ["web,db", "[1,2]", '{"a":1}', "a b+c"]) {
      const r = await t.call("GET", `/api/v1/echo-query?q=${encodeURIComponent(value)}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ q: value });
    }
  });
});

describe("unknown query parameters on lists", () => {
  test("a misspelled filter is a 400 naming it, not a silently unfiltered list", async () => {
    const { call, database } = testApp();
    const { createTenant } = await import("../helpers/tenant");
    const t = createTenant(database);
    for (const path of ["/api/v1/subnets?famly=4", "/api/v1/addresses?stauts=dhcp", "/api/v1/sections?qq=x", "/api/v1/activity?actr=x"]) {
      const r = await call("GET", path, { headers: t.bearer });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("validation_failed");
      expect(r.body.error).toContain(path.split("?")[1]!.split("=")[0]!);
    }
  });
});
