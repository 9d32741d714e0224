/**
 * Whole numbers in query strings are plain decimal digits (http/query-number.ts). JavaScript's
 * Number() used to take "0x10" as 16, "1e1" as 10, "+7" and " 5" as 7 and 5: each is now a 400
 * naming the field, on every kind of route that reads one, and a plain "5" still works.
 */
import { describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { createTenant, type Tenant } from "../helpers/tenant";

/** Each sent percent-encoded, so the server sees exactly these characters. */
const LOOSE = ["0x10", "1e1", "+7", " 5", "5 ", "08", "5.0", "0b11", "0o7", "-5", "", "５"];

async function setUp(): Promise<{ t: TestApp; who: Tenant; parentId: string }> {
  const t = testApp();
  const who = createTenant(t.database);
  // Seven sections (seven events in the feed): a limit of 5 visibly cuts the list.
  for (let i = 1; i <= 7; i++) {
    const r = await t.call("POST", "/api/v1/sections", { headers: who.bearer, body: { name: `section ${i}` } });
    expect(r.status).toBe(201);
  }
  const parent = await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "0.0.0.0/2" } });
  expect(parent.status).toBe(201);
  return { t, who, parentId: parent.body.id };
}

function expectNamedFieldError(r: { status: number; body: any }, field: string, value: string) {
  expect({ value, status: r.status }).toEqual({ value, status: 400 });
  expect(r.body).toMatchObject({ code: "validation_failed", details: { field } });
  expect(r.body.error).toBe(
    `query field "${field}": must be a whole number in plain decimal digits, e.g. 25 (no sign, decimal point, exponent, 0x prefix, leading zero or spaces)`,
  );
}

describe("a number in a query string is plain decimal digits, else a 400 naming the field", () => {
  const cases: { name: string; field: string; url: (parentId: string, value: string) => string; ok: (body: any) => void }[] = [
    {
      name: "a paginated list: GET /sections?limit=",
      field: "limit",
      url: (_, v) => `/api/v1/sections?limit=${v}`,
      ok: (body) => {
        expect(body.items).toHaveLength(5);
        expect(body.total).toBe(7);
        expect(body.next_cursor).toBeString();
      },
    },
    {
      name: "the change feed: GET /events?limit=",
      field: "limit",
      url: (_, v) => `/api/v1/events?limit=${v}`,
      ok: (body) => expect(body.items).toHaveLength(5),
    },
    {
      name: "GET /tools/split?prefix_length=",
      field: "prefix_length",
      url: (_, v) => `/api/v1/tools/split?cidr=0.0.0.0/2&prefix_length=${v}`,
      ok: (body) => expect(body).toEqual({ items: ["0.0.0.0/5", "8.0.0.0/5", "16.0.0.0/5", "24.0.0.0/5", "32.0.0.0/5", "40.0.0.0/5", "48.0.0.0/5", "56.0.0.0/5"], total: 8 }),
    },
    {
      name: "next free subnet: GET /subnets/:id/first-free-subnet?prefix_length=",
      field: "prefix_length",
      url: (id, v) => `/api/v1/subnets/${id}/first-free-subnet?prefix_length=${v}`,
      ok: (body) => expect(body).toEqual({ cidr: "0.0.0.0/5" }),
    },
    {
      name: "free subnets: GET /subnets/:id/free-subnets?prefix_length=",
      field: "prefix_length",
      url: (id, v) => `/api/v1/subnets/${id}/free-subnets?prefix_length=${v}`,
      ok: (body) => expect(body.items.map((i: any) => i.cidr)).toEqual(["0.0.0.0/5", "8.0.0.0/5", "16.0.0.0/5", "24.0.0.0/5", "32.0.0.0/5", "40.0.0.0/5", "48.0.0.0/5", "56.0.0.0/5"]),
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const { t, who, parentId } = await setUp();
      for (const value of LOOSE) {
        const r = await t.call("GET", c.url(parentId, encodeURIComponent(value)), { headers: who.bearer });
        expectNamedFieldError(r, c.field, value);
      }
      const plain = await t.call("GET", c.url(parentId, "5"), { headers: who.bearer });
      expect(plain.status).toBe(200);
      c.ok(plain.body);
    });
  }

  test("the spellings from the bug report, sent as a client would", async () => {
    const { t, who } = await setUp();
    // A raw "+" in a query string is a space ("+7" arrives as " 7"); %20 is a space too.
    for (const raw of ["0x10", "1e1", "0b11", "%20%205%20", "+7", "%2B7"]) {
      expectNamedFieldError(await t.call("GET", `/api/v1/sections?limit=${raw}`, { headers: who.bearer }), "limit", raw);
    }
    expectNamedFieldError(await t.call("GET", "/api/v1/tools/split?cidr=10.0.0.0/8&prefix_length=1e1"), "prefix_length", "1e1");
  });

  test("the ranges and their messages are unchanged; 0 is a number; a huge one is out of range, not malformed", async () => {
    const { t, who, parentId } = await setUp();
    const tooSmall = await t.call("GET", "/api/v1/sections?limit=0", { headers: who.bearer });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.error).toBe('query field "limit": Too small: expected number to be >=1');
    const tooBig = await t.call("GET", "/api/v1/sections?limit=1001", { headers: who.bearer });
    expect(tooBig.body.error).toBe('query field "limit": Too big: expected number to be <=1000');
    const huge = await t.call("GET", `/api/v1/sections?limit=${"9".repeat(40)}`, { headers: who.bearer });
    expect(huge.body.error).toBe('query field "limit": Too big: expected number to be <=1000');
    expect((await t.call("GET", "/api/v1/sections?limit=1000", { headers: who.bearer })).status).toBe(200);

    // wait=0 (no long-poll) is the one value that is all zeros.
    const feed = await t.call("GET", "/api/v1/events?wait=0&limit=2", { headers: who.bearer });
    expect(feed.status).toBe(200);
    expect(feed.body.items).toHaveLength(2);
    const wait = await t.call("GET", "/api/v1/events?wait=00", { headers: who.bearer });
    expect(wait.status).toBe(400);
    expect(wait.body.details.field).toBe("wait");
    expect((await t.call("GET", "/api/v1/events?wait=61", { headers: who.bearer })).body.error).toBe('query field "wait": Too big: expected number to be <=60');

    const missing = await t.call("GET", `/api/v1/subnets/${parentId}/first-free-subnet`, { headers: who.bearer });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: "validation_failed", details: { field: "prefix_length" } });
    expect(missing.body.error).toBe('query field "prefix_length": required: a whole number, e.g. 25');
  });

  test("the other number fields: free address ranges' limit and the SOA timers", async () => {
    const { t, who } = await setUp();
    const subnet = await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.0.0.0/24" } });
    expect(subnet.status).toBe(201);
    const free = `/api/v1/subnets/${subnet.body.id}/free`;
    expectNamedFieldError(await t.call("GET", `${free}?limit=1e1`, { headers: who.bearer }), "limit", "1e1");
    expect((await t.call("GET", `${free}?limit=5`, { headers: who.bearer })).status).toBe(200);

    const zone = "/api/v1/export/dns/bind?zone=lab.example&ns=ns1.example.net";
    expectNamedFieldError(await t.call("GET", `${zone}&ttl=0x10`, { headers: who.bearer }), "ttl", "0x10");
    const ok = await t.call("GET", `${zone}&ttl=300`, { headers: who.bearer });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("$TTL 300");
  });
});
