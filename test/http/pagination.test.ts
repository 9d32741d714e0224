import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("cursors are opaque: one this server did not hand out is a 400 naming the field", () => {
  const tampered = [cursorOf([1, 2]), cursorOf(["2026-01-01T00:00:00.000Z"]), cursorOf({ a: 1 }), "not base64 at all!"];
  for (const path of ["/api/v1/api-keys", "/api/v1/users", "/api/v1/activity"]) {
    test(path, async () => {
      const t = testApp();
      const tenant = createTenant(t.database);
      for (const cursor of tampered) {
        const r = await t.call("GET", `${path}?cursor=${encodeURIComponent(cursor)}`, { headers: tenant.browser });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ code: "validation_failed", details: { field: "cursor" } });
      }
      // A cursor of the same list still works.
      const first = await t.call("GET", `${path}?limit=1`, { headers: tenant.browser });
      expect(first.status).toBe(200);
      if (first.body.next_cursor) {
        expect((await t.call("GET", `${path}?cursor=${first.body.next_cursor}`, { headers: tenant.browser })).status).toBe(200);
      }
    });
  }
});
