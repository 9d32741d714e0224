/**
 * Hostile input, generated from the OpenAPI document: every documented route and field gets
 * wrong types, empty and oversized values, control characters, lone surrogates, huge numbers,
 * IP extremes, SQL-looking and path-traversal strings, malformed JSON, wrong content types
 * and oversized bodies. Never a 5xx, always {"error"}, and the rejected ones change nothing.
 * New routes are covered automatically as soon as they are documented.
 *
 * Path ids point at REAL objects of the tenant (a section, a subnet holding addresses, an
 * address), created through the API first, so that handlers run past their 404 with the
 * hostile bodies; the database is compared before and after each route's attack, and
 * `ipcraft check` runs on it at the end.
 */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { checkDatabase } from "../../src/ops/check";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  example?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  anyOf?: Schema[];
};

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Schema }[];
  body?: Schema;
  /** the route takes a text/csv body (imports) */
  csv?: boolean;
}

/** Per CSV import route: its key column with a valid value, and a free-text column. */
const CSV_ROUTES: Record<string, { key: string; valid: string; text: string }> = {
  "/api/v1/import/subnets": { key: "cidr", valid: "10.200.0.0/24", text: "name" },
  "/api/v1/import/addresses": { key: "ip", valid: "10.0.1.20", text: "hostname" },
};

function csvCell(value: unknown): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV bodies every import must refuse as a whole: each holds a valid row and a hostile one. */
function csvAttacks(route: { key: string; valid: string }): [string, string][] {
  const { key, valid } = route;
  const withRow = (cell: string) => `${key}\n${valid}\n${csvCell(cell)}\n`;
  return [
    ["control characters", withRow("10.0.0.1\u0000\u001b[31m")],
    ["lone surrogate", withRow("bad\ud800")],
    ["huge cell", withRow("x".repeat(100_000))],
    ["sql", withRow("'; DROP TABLE subnets; --")],
    ["traversal", withRow("../../../../etc/passwd")],
    ["v6 beyond /128", withRow("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/129")],
    ["zone id", withRow("fe80::1%eth0")],
    ["leading zeros", withRow("010.0.0.1")],
    ["unterminated quote", `${key}\n${valid}\n"10.0.0.1\n`],
    ["too many cells", `${key}\n${valid}\na,b,c,d,e,f,g,h,i\n`],
    ["unknown column", `${key},evil\n${valid},1\n`],
    ["no key column", "nothing\n1\n"],
    ["NUL bytes", "\u0000".repeat(1000)],
    ["200,000 bad rows", `${key}\n${valid}\n` + "nope\n".repeat(200_000)],
    ["JSON sent as CSV", JSON.stringify({ [key]: valid })],
  ];
}

const LONG = "x".repeat(100_000);
/** Values no field should accept: each must be refused and change nothing. */
const REJECTED: [string, unknown][] = [
  ["object", { nested: { deeper: true } }],
  ["array", [1, 2, 3]],
  ["huge string", LONG],
  ["control characters", "bad\u0000name\u001b[31m"],
  ["lone surrogate", "bad\ud800name"],
  ["huge number", 1e308],
  ["beyond 2^64", 18446744073709551617],
];
/** Values that may be valid somewhere but must never break the server. */
const ODD: [string, unknown][] = [
  ["empty", ""],
  ["null", null],
  ["boolean", true],
  ["negative", -1],
  ["fraction", 1.5],
  ["zero", 0],
  ["sql", "'; DROP TABLE subnets; --"],
  ["sql 2", "1' OR '1'='1"],
  ["traversal", "../../../../etc/passwd"],
  ["v4 /0", "0.0.0.0/0"],
  ["v6 /0", "::/0"],
  ["v6 max", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
  ["v6 /128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"],
  ["v4 broadcast", "255.255.255.255"],
  ["mapped", "::ffff:10.0.0.1"],
  ["zone", "fe80::1%eth0"],
  ["leading zero", "010.0.0.1"],
  ["unicode", "ünïcødé ✓ 𝔘"],
];
const PATH_VALUES = [
  "00000000-0000-0000-0000-000000000000",
  "..%2F..%2Fetc%2Fpasswd",
  "%27%20OR%20%271%27%3D%271",
  "x".repeat(3000),
  "%00",
  "%ED%A0%80",
];
const QUERY_VALUES = ["", "x".repeat(70_000), "%00%1B", "%ED%A0%80", "1e309", "-1", "99999999999999999999999", "%27%20OR%201%3D1--", "..%2F..%2F", "%3A%3A%2F0"];

/**
 * The operations of the document. A documented request body whose schema the document lost
 * (@elysiajs/openapi drops `content` when a global custom parser is installed, as the HTTP
 * shell does) is taken from the route's own zod schema, so that no body goes unattacked.
 */
function operations(doc: any, routeBodies: Map<string, Schema>): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    // The phpIPAM subset answers phpIPAM's envelope ({code, success, message}), authenticates by
    // `Token` and takes integer ids: test/phpipam/suite.ts attacks it in its own terms.
    if (path.startsWith("/api/{app}/")) continue;
    for (const [method, op] of Object.entries(methods)) {
      const csv = op.requestBody?.content?.["text/csv"] !== undefined;
      let body = op.requestBody?.content?.["application/json"]?.schema as Schema | undefined;
      if (!body && op.requestBody && !csv) body = routeBodies.get(`${method.toUpperCase()} ${path}`);
      if (op.requestBody && !body && !csv) throw new Error(`${method} ${path} documents a body with no schema`);
      if (csv && !CSV_ROUTES[path]) throw new Error(`${method} ${path} takes CSV: add it to CSV_ROUTES`);
      ops.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body, csv });
    }
  }
  return ops;
}

/** JSON Schemas of the routes' zod bodies, keyed like the document ("POST /api/v1/x/{id}"). */
function routeBodySchemas(app: { routes: { method: string; path: string; hooks?: { body?: unknown } }[] }): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const route of app.routes) {
    const body = route.hooks?.body as z.ZodType | undefined;
    if (!body || !(body as { _zod?: unknown })._zod) continue;
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    out.set(`${route.method} ${path}`, z.toJSONSchema(body, { unrepresentable: "any", io: "input" }) as Schema);
  }
  return out;
}

function exampleFor(schema: Schema | undefined): unknown {
  if (!schema) return "x";
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type ?? schema.anyOf?.[0]?.type;
  if (type === "integer" || type === "number") return 1;
  if (type === "boolean") return true;
  if (type === "object") return baseBody(schema);
  if (type === "array") return [];
  return "x";
}

function baseBody(schema: Schema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) body[name] = exampleFor(field);
  return body;
}

/**
 * A body the route would accept, so that the one hostile field is the only thing wrong:
 * the schema's documented example, else its required fields only.
 */
function validBase(schema: Schema): Record<string, unknown> {
  const example = schema.examples?.[0] ?? schema.example;
  if (example && typeof example === "object" && !Array.isArray(example)) return { ...(example as Record<string, unknown>) };
  const body: Record<string, unknown> = {};
  for (const name of schema.required ?? []) body[name] = exampleFor(schema.properties?.[name]);
  return body;
}

/** Every table's rows, without columns that reads legitimately touch. */
function dump(sqlite: any): string {
  const tables = (sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    out[t] = (sqlite.query(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).map((row) => {
      const { last_used_at, last_seen_at, expires_at, ...rest } = row;
      return rest;
    });
  }
  return JSON.stringify(out);
}

describe("hostile input on every documented route", async () => {
  const t = testApp();
  const tenant = createTenant(t.database);
  const doc = (await t.call("GET", "/docs/json")).body;
  const ops = operations(doc, routeBodySchemas(t.app as any));

  // Real objects of the tenant, so that path ids lead somewhere.
  const create = async (path: string, body: unknown) => {
    const r = await t.call("POST", `/api/v1${path}`, { body, headers: tenant.bearer });
    if (r.status !== 201) throw new Error(`seeding ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  const section = await create("/sections", { name: "Seeded" });
  const subnet = await create("/subnets", { cidr: "10.0.1.0/24", section_id: section.id, gateway: "10.0.1.1" });
  const address = await create(`/subnets/${subnet.id}/addresses`, { ip: "10.0.1.10", hostname: "seeded" });
  await create(`/subnets/${subnet.id}/addresses`, { count: 5 });
  await create("/subnets", { cidr: "2001:db8::/64" });
  // A second, non-owner user: the Bearer key is an owner's, so attacks on this id can never remove the caller.
  const colleague = await create("/users/invite", { email: "seeded.member@example.org", role: "member" });
  // Port 9 (discard) on loopback: a ping fails at once, whatever the attack.
  const webhook = await create("/webhooks", { url: "http://127.0.0.1:9/hook", events: ["*"] });
  const vrf = await create("/vrfs", { name: "seeded" });
  await create("/subnets", { cidr: "10.0.1.0/24", vrf: "seeded" }); // in use: attacks can neither rename nor delete it
  const REAL: [RegExp, string][] = [
    [/^\/api\/v1\/webhooks\/\{/, webhook.id],
    [/^\/api\/v1\/vrfs\/\{/, vrf.id],
    [/^\/api\/v1\/sections\/\{/, section.id],
    [/^\/api\/v1\/subnets\/\{/, subnet.id],
    [/^\/api\/v1\/addresses\/\{/, address.id],
    // Key management needs a session, so with the Bearer key these stay 403: never revoked here.
    [/^\/api\/v1\/api-keys\/\{/, tenant.keyId],
    [/^\/api\/v1\/users\/\{/, colleague.id],
  ];

  function fillPath(path: string, value: string): string {
    return path.replace(/\{[^}]+\}/g, value);
  }

  /** The path with its id pointing at the seeded object of that kind. */
  function realPath(path: string): string {
    const id = REAL.find(([pattern]) => pattern.test(path))?.[1];
    if (path.includes("{") && !id) throw new Error(`no seeded object for ${path}: add one to REAL`);
    return id ? fillPath(path, id) : path;
  }

  async function send(method: string, path: string, init: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
    const r = await t.call(method, path, { ...init, headers: { ...tenant.bearer, ...(init.headers ?? {}) } });
    return r;
  }

  function expectClean(r: { status: number; body: any; text: string }, label: string) {
    if (r.status >= 500 || (r.status >= 400 && typeof r.body?.error !== "string")) {
      throw new Error(`${label} → ${r.status} ${r.text.slice(0, 300)}`);
    }
    expect(r.text).not.toMatch(/at .+\.(ts|js):\d+/); // no stack traces
  }

  test("the document lists routes to attack", () => {
    expect(ops.length).toBeGreaterThan(5);
  });

  // Values for required query parameters, fitting the seeded objects (a child length of the /24).
  const REQUIRED_QUERY: Record<string, string> = { prefix_length: "26" };

  test("the seeded objects are reachable through the documented paths", async () => {
    for (const op of ops.filter((o) => o.method === "GET" && o.path.includes("{"))) {
      const required = op.parameters.filter((p) => p.in === "query" && p.required).map((p) => {
        const value = REQUIRED_QUERY[p.name];
        if (value === undefined) throw new Error(`${op.path}: no value for the required query parameter ${p.name}: add one to REQUIRED_QUERY`);
        return `${p.name}=${value}`;
      });
      const r = await send("GET", realPath(op.path) + (required.length ? `?${required.join("&")}` : ""));
      expect(`${op.path} ${r.status}`).toBe(`${op.path} 200`);
    }
  });

  test("rejected values change nothing and never 5xx", async () => {
    const before = dump(t.database.sqlite);
    let requests = 0;
    let bodyAttacks = 0;
    for (const op of ops) {
      const path = realPath(op.path);
      const routeBefore = dump(t.database.sqlite);
      if (op.body) {
        const base = validBase(op.body);
        for (const field of Object.keys(op.body.properties ?? {})) {
          for (const [label, value] of REJECTED) {
            const r = await send(op.method, path, { body: { ...base, [field]: value } });
            requests++;
            bodyAttacks++;
            expectClean(r, `${op.method} ${op.path} ${field}=${label}`);
            if (r.status < 400) throw new Error(`${op.method} ${op.path} accepted ${field}=${label}: ${r.status} ${r.text.slice(0, 200)}`);
          }
        }
        for (const [label, raw, type] of [
          ["malformed", '{"a": ', "application/json"],
          ["array body", "[1,2]", "application/json"],
          ["deep nesting", "[".repeat(50_000) + "]".repeat(50_000), "application/json"],
          ["wrong type", "a=1", "application/x-www-form-urlencoded"],
          ["xml", "<a/>", "text/xml"],
          ["oversized", JSON.stringify({ name: "y".repeat(1_100_000) }), "application/json"],
        ] as const) {
          const r = await send(op.method, path, { raw, headers: { "content-type": type } });
          requests++;
          expectClean(r, `${op.method} ${op.path} ${label}`);
          expect(r.status).toBeGreaterThanOrEqual(400);
        }
        const unknown = await send(op.method, path, { body: { ...base, not_a_field: 1 } });
        expectClean(unknown, `${op.method} ${op.path} unknown field`);
        expect(unknown.status).toBeGreaterThanOrEqual(400);
      }
      if (op.csv) {
        const route = CSV_ROUTES[op.path]!;
        for (const [label, csv] of csvAttacks(route)) {
          for (const query of ["", "?dry_run=true"]) {
            const r = await send(op.method, `${path}${query}`, { raw: csv, headers: { "content-type": "text/csv" } });
            requests++;
            bodyAttacks++;
            expectClean(r, `${op.method} ${op.path}${query} ${label}`);
            if (r.status < 400) throw new Error(`${op.method} ${op.path}${query} accepted ${label}: ${r.status} ${r.text.slice(0, 200)}`);
          }
        }
        const valid = `${route.key}\n${route.valid}\n`;
        for (const [label, type] of [["JSON content type", "application/json"], ["form content type", "application/x-www-form-urlencoded"], ["no content type", ""]] as const) {
          const r = await send(op.method, path, { raw: valid, headers: type ? { "content-type": type } : {} });
          requests++;
          expectClean(r, `${op.method} ${op.path} ${label}`);
          expect(r.status).toBeGreaterThanOrEqual(400);
        }
      }
      for (const param of op.parameters.filter((p) => p.in === "query")) {
        for (const value of QUERY_VALUES) {
          const r = await send(op.method, `${path}?${param.name}=${value}`);
          requests++;
          expectClean(r, `${op.method} ${op.path}?${param.name}=${value.slice(0, 20)}`);
        }
      }
      if (op.path.includes("{")) {
        for (const value of PATH_VALUES) {
          const r = await send(op.method, fillPath(op.path, value), op.body ? { body: validBase(op.body) } : {});
          requests++;
          expectClean(r, `${op.method} ${fillPath(op.path, value.slice(0, 20))}`);
          expect(r.status).toBeGreaterThanOrEqual(400);
        }
      }
      // Named per route, so that a leak says where it happened.
      if (dump(t.database.sqlite) !== routeBefore) throw new Error(`${op.method} ${op.path}: a refused request changed the database`);
    }
    expect(requests).toBeGreaterThan(50);
    // Every documented body was attacked, field by field (this caught a document without bodies).
    const bodies = ops.filter((o) => o.body).length;
    expect(bodies).toBeGreaterThanOrEqual(7);
    expect(bodyAttacks).toBeGreaterThan(bodies * REJECTED.length);
    // Only reads and refusals happened: not a row changed.
    expect(dump(t.database.sqlite)).toBe(before);
  }, 120_000);

  test("odd but possibly valid values never 5xx, and leave a sound database", async () => {
    // Deletes last: they may remove the seeded objects the other routes aim at.
    const ordered = [...ops.filter((o) => o.method !== "DELETE"), ...ops.filter((o) => o.method === "DELETE")];
    for (const op of ordered) {
      const path = realPath(op.path);
      if (op.body) {
        const base = validBase(op.body);
        for (const field of Object.keys(op.body.properties ?? {})) {
          for (const [label, value] of ODD) {
            expectClean(await send(op.method, path, { body: { ...base, [field]: value } }), `${op.method} ${op.path} ${field}=${label}`);
          }
        }
      }
      if (op.csv) {
        const route = CSV_ROUTES[op.path]!;
        for (const [label, value] of [...ODD, ["formula", "=HYPERLINK(\"http://evil\",\"x\")"], ["empty body", undefined]] as [string, unknown][]) {
          const csv = value === undefined ? "" : `${route.key},${route.text}\n${route.valid},${csvCell(value)}\n`;
          for (const query of ["?dry_run=true", ""]) {
            const r = await send(op.method, `${path}${query}`, { raw: csv, headers: { "content-type": "text/csv" } });
            expectClean(r, `${op.method} ${op.path}${query} ${route.text}=${label}`);
          }
        }
      }
      for (const param of op.parameters.filter((p) => p.in === "query")) {
        for (const [label, value] of ODD) {
          const r = await send(op.method, `${path}?${param.name}=${encodeURIComponent(String(value))}`);
          expectClean(r, `${op.method} ${op.path}?${param.name}=${label}`);
        }
      }
    }
    // Whatever was accepted left the database consistent.
    expect(checkDatabase(t.database.sqlite).problems).toEqual([]);
  }, 120_000);

  test("regression: an empty section_id was written and failed the foreign key as a 500", async () => {
    // Found by the odd-values run once bodies were attacked on real ids.
    const created = await send("POST", "/api/v1/subnets", { body: { cidr: "10.77.0.0/24", section_id: "" } });
    expect([created.status, created.body.code]).toEqual([404, "not_found"]);
    const patched = await send("PATCH", `/api/v1/subnets/${subnet.id}`, { body: { section_id: "" } });
    expect([patched.status, patched.body.code]).toEqual([404, "not_found"]);
  });

  test("the server is healthy afterwards", async () => {
    const r = await t.call("GET", "/healthz");
    expect(r.status).toBe(200);
    expect(r.body.db).toBe("ok");
  });
});
