/**
 * An unauthenticated 1 MB JSON body of ~90,000 unknown keys cost a third of a second (up to a
 * second under load) of CPU to validate and came back as a 5 MB error naming every key:
 * now the body is refused while it is scanned, and an error names at most a few unknown fields.
 */
import { describe, expect, test } from "bun:test";
import { MAX_JSON_ITEMS, MAX_UNKNOWN_LISTED } from "../../src/http/shell";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

const json = { "content-type": "application/json" };

/** `{"token":"abc","k0":1,"k1":1,…}` with `keys` extra keys. */
function manyKeys(keys: number): string {
  const parts = ['"token":"abc"'];
  for (let i = 0; i < keys; i++) parts.push(`"k${i}":1`);
  return `{${parts.join(",")}}`;
}

describe("JSON bodies with very many fields", () => {
  test("a 1 MB body of unknown keys is a small 400 on the unauthenticated auth routes", async () => {
    const t = testApp();
    const raw = manyKeys(90_000);
    expect(raw.length).toBeGreaterThan(900_000);
    for (const path of ["/api/v1/auth/verify", "/api/v1/auth/logout", "/api/v1/auth/send-link"]) {
      const r = await t.call("POST", path, { raw, headers: json });
      expect(r.status).toBe(400);
      expect(r.text.length).toBeLessThan(2048);
      expect(r.body.code).toBe("invalid_json");
      expect(r.body.error).toContain(`more than ${MAX_JSON_ITEMS.toLocaleString("en-US")} fields`);
    }
    expect(t.logger.lines.join("\n")).not.toContain("unhandled error");
  });

  test("authenticated routes refuse it the same way (one shared parser)", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const r = await t.call("POST", "/api/v1/sections", { raw: manyKeys(5_000), headers: { ...tenant.bearer, ...json } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_json");
  });

  test("under the cap, the unknown fields are named up to a few and the rest counted", async () => {
    const t = testApp();
    const raw = manyKeys(MAX_JSON_ITEMS - 2); // 999 members: under the cap
    const r = await t.call("POST", "/api/v1/auth/verify", { raw, headers: json });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
    expect(r.text.length).toBeLessThan(2048);
    expect(r.body.details.issues).toHaveLength(MAX_UNKNOWN_LISTED);
    expect(r.body.details.issues[0]).toEqual({ field: "k0", message: 'unknown field "k0"' });
    const more = MAX_JSON_ITEMS - 2 - MAX_UNKNOWN_LISTED;
    expect(r.body.details.unknown_not_listed).toBe(more);
    expect(r.body.error).toBe(`unknown field "k0" (and ${more} more unknown fields)`);
  });

  test("exactly MAX_JSON_ITEMS items parse; one more is refused", async () => {
    const t = testApp();
    const items = (n: number) => `{"token":[${Array.from({ length: n }, () => "1").join(",")}]}`;
    const ok = await t.call("POST", "/api/v1/auth/verify", { raw: items(MAX_JSON_ITEMS), headers: json });
    expect(ok.body.code).toBe("validation_failed"); // parsed, then refused by the schema
    const over = await t.call("POST", "/api/v1/auth/verify", { raw: items(MAX_JSON_ITEMS + 1), headers: json });
    expect(over.body.code).toBe("invalid_json");
  });

  test("commas inside strings do not count, and a normal body still works", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const description = ",".repeat(5_000);
    const r = await t.call("POST", "/api/v1/sections", { body: { name: "lab", description: description.slice(0, 500) }, headers: tenant.bearer });
    expect(r.status).toBe(201);
    const one = await t.call("POST", "/api/v1/auth/verify", { raw: JSON.stringify({ token: description }), headers: json });
    expect(one.body.code).not.toBe("invalid_json");
  });
});
