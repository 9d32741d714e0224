import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("deeply nested JSON bodies", () => {
  test("a 50,000-level body is a 400, not a 500 (it used to overflow the stack while reporting the validation error)", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const raw = "[".repeat(50_000) + "]".repeat(50_000);
    for (const [path, headers] of [["/api/v1/auth/send-link", {}], ["/api/v1/api-keys", tenant.browser], ["/api/v1/sections", tenant.bearer]] as const) {
      const r = await t.call("POST", path, { raw, headers: { ...headers, "content-type": "application/json" } });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain("nests deeper");
    }
    expect(t.logger.lines.join("\n")).not.toContain("unhandled error");
  });

  test("32 levels are fine; 33 are refused", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const nest = (n: number) => "[".repeat(n - 1) + "{}" + "]".repeat(n - 1);
    const ok = await t.call("POST", "/api/v1/sections", { raw: `{"name":"a","description":${nest(2)}}`, headers: { ...tenant.bearer, "content-type": "application/json" } });
    expect(ok.body.code).toBe("validation_failed"); // parsed, then refused by the schema
    const deep = await t.call("POST", "/api/v1/sections", { raw: nest(33), headers: { ...tenant.bearer, "content-type": "application/json" } });
    expect(deep.body.code).toBe("invalid_json");
    const edge = await t.call("POST", "/api/v1/sections", { raw: nest(32), headers: { ...tenant.bearer, "content-type": "application/json" } });
    expect(edge.body.code).toBe("validation_failed");
  });
});
