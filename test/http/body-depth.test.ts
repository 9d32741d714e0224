import { describe, expect, test } from "bun:test";
import { nestedDeeperThan } from "../../src/http/body-depth";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("deeply nested JSON bodies", () => {
  test("nestedDeeperThan counts levels of objects and arrays", () => {
    expect(nestedDeeperThan({ a: 1 }, 1)).toBe(false);
    expect(nestedDeeperThan({ a: { b: [1] } }, 2)).toBe(true);
    expect(nestedDeeperThan({ a: { b: [1] } }, 3)).toBe(false);
    expect(nestedDeeperThan(JSON.parse("[".repeat(100_000) + "]".repeat(100_000)), 32)).toBe(true);
  });

  test("a 50,000-level body is a 400, not a 500 (it used to overflow the stack while reporting the validation error)", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const raw = "[".repeat(50_000) + "]".repeat(50_000);
    for (const [path, headers] of [["/api/v1/auth/send-link", {}], ["/api/v1/api-keys", tenant.browser]] as const) {
      const r = await t.call("POST", path, { raw, headers: { ...headers, "content-type": "application/json" } });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain("nested");
    }
    expect(t.logger.lines.join("\n")).not.toContain("unhandled error");
  });
});
