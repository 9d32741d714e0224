import { describe, expect, test } from "bun:test";
import { clientIp, parseTrustedProxies, rememberPeer } from "../../src/auth/client-ip";
import { burstFor, TokenBuckets } from "../../src/auth/rate-limit";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("token buckets (pure, clock passed in)", () => {
  test("a full bucket allows the burst, then refuses with Retry-After until a token refills", () => {
    const buckets = new TokenBuckets();
    const rate = 5;
    const burst = burstFor(rate);
    expect(burst).toBe(10);
    for (let i = 0; i < burst; i++) {
      const v = buckets.take("org:a", rate, 1000);
      expect(v).toMatchObject({ allowed: true, limit: burst, remaining: burst - 1 - i });
    }
    const refused = buckets.take("org:a", rate, 1000);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfter: 1, reset: 2 });
    // 200 ms later one token (5/s) is back
    expect(buckets.take("org:a", rate, 1200).allowed).toBe(true);
    expect(buckets.take("org:a", rate, 1200).allowed).toBe(false);
    // other buckets are independent
    expect(buckets.take("org:b", rate, 1200).allowed).toBe(true);
  });

  test("refill is capped at the burst, and a slow rate gives a long Retry-After", () => {
    const buckets = new TokenBuckets();
    buckets.take("k", 1, 0);
    expect(buckets.take("k", 1, 3_600_000).remaining).toBe(burstFor(1) - 1);
    const slow = new TokenBuckets();
    slow.take("s", 0.1, 0);
    expect(slow.take("s", 0.1, 0)).toMatchObject({ allowed: false, retryAfter: 10 });
  });

  test("idle buckets are swept", () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 100; i++) buckets.take(`ip:${i}`, 10, 0);
    expect(buckets.size).toBe(100);
    buckets.sweep(60_000);
    expect(buckets.size).toBe(0);
  });
});

describe("client IP", () => {
  const request = (xff?: string) => new Request("http://localhost/", { headers: xff ? { "x-forwarded-for": xff } : {} });

  test("X-Forwarded-For is ignored unless the peer is a trusted proxy", () => {
    const r = request("203.0.113.9");
    rememberPeer(r, "198.51.100.7");
    expect(clientIp(r, [])).toBe("198.51.100.7");
    expect(clientIp(r, parseTrustedProxies(["10.0.0.0/8"]))).toBe("198.51.100.7");
  });

  test("from a trusted proxy, the rightmost untrusted hop is the client (a client cannot pick its own)", () => {
    const trusted = parseTrustedProxies(["10.0.0.0/8", "192.0.2.1"]);
    const r = request("1.1.1.1, 203.0.113.9, 192.0.2.1");
    rememberPeer(r, "::ffff:10.1.2.3");
    expect(clientIp(r, trusted)).toBe("203.0.113.9");
    const garbage = request("not-an-ip");
    rememberPeer(garbage, "10.0.0.1");
    expect(clientIp(garbage, trusted)).toBe("10.0.0.1");
  });

  test("in-process requests (no socket) count as 127.0.0.1", () => {
    expect(clientIp(request(), [])).toBe("127.0.0.1");
  });

  test("the server is asked for the peer only when a limit needs it, once; a client already gone shares one bucket", () => {
    let asked = 0;
    const server = { requestIP: (r: Request) => (asked++, r.url.endsWith("/gone") ? null : { address: "198.51.100.7" }) };
    const r = request();
    rememberPeer(r, server);
    expect(asked).toBe(0); // remembering costs no getpeername
    expect(clientIp(r, [])).toBe("198.51.100.7");
    expect(clientIp(r, [])).toBe("198.51.100.7");
    expect(asked).toBe(1);
    const gone = new Request("http://localhost/gone");
    rememberPeer(gone, server);
    expect(clientIp(gone, [])).toBe("unknown");
  });
});

describe("rate limits through the app", () => {
  test("429 rate_limited with Retry-After once an organization's burst is spent; sessions and keys share it", async () => {
    const t = testApp({ rateLimit: 1 }); // burst 2
    const tenant = createTenant(t.database);
    const first = await t.call("GET", "/api/v1/auth/me", { headers: tenant.bearer });
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("2");
    expect(first.headers.get("ratelimit-remaining")).toBe("1");
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(200);
    const limited = await t.call("GET", "/api/v1/auth/me", { headers: tenant.bearer });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: "Rate limit exceeded", code: "rate_limited" });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.browser })).status).toBe(429);
    // another organization has its own bucket
    const other = createTenant(t.database);
    expect((await t.call("GET", "/api/v1/auth/me", { headers: other.bearer })).status).toBe(200);
  });

  test("plans with their own rate use it (free: 10/s → burst 20)", async () => {
    const t = testApp({ rateLimit: 1 });
    const free = createTenant(t.database, { plan: "free" });
    const r = await t.call("GET", "/api/v1/auth/me", { headers: free.bearer });
    expect(r.headers.get("ratelimit-limit")).toBe("20");
  });

  test("unauthenticated routes are limited per client IP; a throttled sign-in issues no token", async () => {
    const t = testApp({ rateLimit: 1 });
    const tenant = createTenant(t.database);
    for (let i = 0; i < 2; i++) expect((await t.call("POST", "/api/v1/auth/send-link", { body: { email: "x@example.org" } })).status).toBe(200);
    const limited = await t.call("POST", "/api/v1/auth/send-link", { body: { email: tenant.email } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).not.toBeNull();
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?").get(tenant.email)).toEqual({ n: 0 });
    // failed credentials count against the IP too (guessing keys is throttled)
    expect((await t.call("GET", "/api/v1/api-keys", { headers: { authorization: "Bearer ipc_guess" } })).status).toBe(429);
    // the organization's bucket is separate from the IP's
    expect((await t.call("GET", "/api/v1/auth/me", { headers: tenant.bearer })).status).toBe(200);
  });

  test("X-Forwarded-For separates clients only behind a trusted proxy", async () => {
    const behindProxy = testApp({ rateLimit: 1, trustedProxy: ["127.0.0.1"] });
    const hit = (t: typeof behindProxy, ip: string) =>
      t.call("POST", "/api/v1/auth/send-link", { body: { email: "x@example.org" }, headers: { "x-forwarded-for": ip } });
    await hit(behindProxy, "203.0.113.1");
    await hit(behindProxy, "203.0.113.1");
    expect((await hit(behindProxy, "203.0.113.1")).status).toBe(429);
    expect((await hit(behindProxy, "203.0.113.2")).status).toBe(200);
    const direct = testApp({ rateLimit: 1 });
    await hit(direct, "203.0.113.1");
    await hit(direct, "203.0.113.2");
    expect((await hit(direct, "203.0.113.3")).status).toBe(429);
  });

  test("malformed requests (413, 415) carry the RateLimit headers and take a token", async () => {
    const t = testApp({ rateLimit: 1 }); // burst 2
    const tenant = createTenant(t.database);
    const wrongType = await t.call("POST", "/api/v1/sections", { headers: { ...tenant.bearer, "content-type": "text/plain" }, raw: "name=x" });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("ratelimit-limit")).toBe("2");
    expect(wrongType.headers.get("ratelimit-remaining")).toBe("1");
    const tooBig = await t.call("POST", "/api/v1/sections", {
      headers: { ...tenant.bearer, "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
      raw: "{}",
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get("ratelimit-remaining")).toBe("0");
    const next = await t.call("POST", "/api/v1/sections", { headers: { ...tenant.bearer, "content-type": "text/plain" }, raw: "name=x" });
    expect(next.status).toBe(429);
    expect(next.headers.get("x-request-id")).not.toBeNull();
  });

  test("--rate-limit 0 turns limits and their headers off", async () => {
    const t = testApp({ rateLimit: 0 });
    const tenant = createTenant(t.database);
    for (let i = 0; i < 50; i++) {
      const r = await t.call("GET", "/api/v1/auth/me", { headers: tenant.bearer });
      expect(r.status).toBe(200);
      expect(r.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});
