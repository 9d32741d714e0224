/**
 * Regression: send-link had no per-email limit (151 valid tokens for one address in 5 s:
 * with SMTP, mail-bombing) and did more work for known emails than for unknown ones. Now
 * every address, known or not, gets the same work and the same answers, and at most
 * LINKS_PER_EMAIL links per window; beyond that 429 for every address alike.
 * (The timing comparison lives in bench/send-link.ts, not here.)
 */
import { describe, expect, test } from "bun:test";
import { LINK_WINDOW_MS, LINKS_PER_EMAIL } from "../../src/auth/sign-in-tokens";
import { testApp, type TestApp } from "../helpers/app";
import { deliveredTokens } from "../helpers/mail";
import { createTenant } from "../helpers/tenant";

const sendLink = (t: TestApp, email: string) => t.call("POST", "/api/v1/auth/send-link", { body: { email } });
const tokenRows = (t: TestApp, email: string) =>
  (t.database.sqlite.query("SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?").get(email) as { n: number }).n;

describe("per-email limit on send-link", () => {
  test("the link after the limit issues no token and sends no mail; unknown emails get the very same answers", async () => {
    const t = testApp({ signup: "closed" });
    const known = createTenant(t.database).email;
    const unknown = "nobody@example.org";
    for (let i = 0; i < LINKS_PER_EMAIL; i++) {
      const [k, u] = [await sendLink(t, known), await sendLink(t, unknown)];
      expect([k.status, u.status]).toEqual([200, 200]);
      expect(u.text).toBe(k.text);
    }
    expect(await deliveredTokens(t)).toHaveLength(LINKS_PER_EMAIL);
    expect([tokenRows(t, known), tokenRows(t, unknown)]).toEqual([LINKS_PER_EMAIL, LINKS_PER_EMAIL]);

    const overKnown = await sendLink(t, known);
    const overUnknown = await sendLink(t, unknown);
    expect([overKnown.status, overKnown.body.code, overKnown.body.error]).toEqual([429, "rate_limited", "Rate limit exceeded"]);
    expect(overUnknown.status).toBe(429);
    expect(overUnknown.text).toBe(overKnown.text);
    expect(overUnknown.headers.get("retry-after")).toBe(overKnown.headers.get("retry-after"));
    expect(Number(overKnown.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(overKnown.headers.get("retry-after"))).toBeLessThanOrEqual(LINK_WINDOW_MS / 1000);
    // Nothing new: no token, no mail.
    expect([tokenRows(t, known), tokenRows(t, unknown)]).toEqual([LINKS_PER_EMAIL, LINKS_PER_EMAIL]);
    expect(await deliveredTokens(t)).toHaveLength(LINKS_PER_EMAIL);

    // Other addresses are not affected, and spent links still count (the limit is on sending).
    expect((await sendLink(t, "someone.else@example.org")).status).toBe(200);
    // Once the window has passed (moved back in the database), links flow again.
    t.database.sqlite.run("UPDATE login_tokens SET created_at = ?", [new Date(Date.now() - LINK_WINDOW_MS - 1000).toISOString()]);
    expect((await sendLink(t, known)).status).toBe(200);
    expect(await deliveredTokens(t)).toHaveLength(LINKS_PER_EMAIL + 1);
  });

  test("the limit is the address's, not its spelling: upper and lower case do not buy more links", async () => {
    const t = testApp({ signup: "open" });
    const spellings = ["Mix@Example.org", "MiX@example.org", "MIX@EXAMPLE.ORG", "mix@example.org", "mix@Example.org"];
    for (const email of spellings) expect((await sendLink(t, email)).status).toBe(200);
    expect((await sendLink(t, "mix@example.ORG")).status).toBe(429);
  });

  test("an invitation's links do not use up the invitee's sign-in links (nor tell a stranger about the invitation)", async () => {
    const t = testApp({ signup: "open" });
    const owner = createTenant(t.database);
    for (let i = 0; i < LINKS_PER_EMAIL + 2; i++) {
      await t.call("POST", "/api/v1/users/invite", { headers: owner.browser, body: { email: "wanted@example.org" } });
    }
    expect((await sendLink(t, "wanted@example.org")).status).toBe(200);
  });
});

describe("the same answer for every email", () => {
  for (const signup of ["open", "closed"] as const) {
    test(`signup ${signup}: status, body and headers do not depend on whether the email is known`, async () => {
      const t = testApp({ signup });
      const known = await sendLink(t, createTenant(t.database).email);
      const unknown = await sendLink(t, "unknown@example.org");
      expect(unknown.status).toBe(known.status);
      expect(unknown.text).toBe(known.text);
      const names = (h: Headers) => [...h.keys()].filter((k) => k !== "x-request-id").sort();
      expect(names(unknown.headers)).toEqual(names(known.headers));
    });
  }
});
