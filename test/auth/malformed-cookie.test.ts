/**
 * Regression: `Cookie: session=%` made decodeURIComponent throw inside the rate limiter,
 * so the request was a 500 with a stack trace in the log and took nothing from any bucket.
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

const MALFORMED = ["session=%", "session=%E0%A4%A", "a=1; session=%zz; b=2"];

describe("a malformed session cookie", () => {
  test("is a 401 like any unknown session, with no stack trace in the log", async () => {
    const t = testApp();
    for (const cookie of MALFORMED) {
      for (const path of ["/api/v1/subnets", "/api/v1/auth/me"]) {
        const r = await t.call("GET", path, { headers: { cookie } });
        expect(r.status).toBe(401);
        expect(r.body).toMatchObject({ code: "unauthorized" });
      }
      // logout reads the cookie too: still a clean answer
      const out = await t.call("POST", "/api/v1/auth/logout", { headers: { cookie, "x-requested-with": "XMLHttpRequest" } });
      expect(out.status).toBe(204);
    }
    const log = t.logger.lines.join("\n");
    expect(log).not.toContain("URIError");
    expect(log).not.toMatch(/\n\s+at /);
    expect(log).not.toContain(" error ");
  });

  test("counts against the client's rate limit: RateLimit headers, then 429", async () => {
    const t = testApp({ rateLimit: 1 }); // burst of 2
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.call("GET", "/api/v1/subnets", { headers: { cookie: "session=%" } });
      statuses.push(r.status);
      expect(r.headers.get("ratelimit-limit")).toBe("2");
      expect(r.headers.get("ratelimit-remaining")).not.toBeNull();
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});
