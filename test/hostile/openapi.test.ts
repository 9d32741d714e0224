/**
 * Hostile input, generated from the OpenAPI document: every documented route and field gets
 * wrong types, empty and oversized values, control characters, lone surrogates, huge numbers,
 * IP extremes, SQL-looking and path-traversal strings, malformed JSON, wrong content types
 * and oversized bodies. Never a 5xx, always {"error"}, and the rejected ones change nothing.
 * New routes are covered automatically as soon as they are documented.
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; example?: unknown; enum?: unknown[]; anyOf?: Schema[] };

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Schema }[];
  body?: Schema;
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

function operations(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content?.["application/json"]?.schema as Schema | undefined;
      ops.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body });
    }
  }
  return ops;
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
  const ops = operations(doc);

  function fillPath(path: string, value: string): string {
    return path.replace(/\{[^}]+\}/g, value);
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

  test("rejected values change nothing and never 5xx", async () => {
    const before = dump(t.database.sqlite);
    let requests = 0;
    for (const op of ops) {
      const path = fillPath(op.path, "00000000-0000-0000-0000-000000000000");
      if (op.body) {
        const base = baseBody(op.body);
        for (const field of Object.keys(op.body.properties ?? {})) {
          for (const [label, value] of REJECTED) {
            const r = await send(op.method, path, { body: { ...base, [field]: value } });
            requests++;
            expectClean(r, `${op.method} ${op.path} ${field}=${label}`);
            expect(r.status).toBeGreaterThanOrEqual(400);
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
      for (const param of op.parameters.filter((p) => p.in === "query")) {
        for (const value of QUERY_VALUES) {
          const r = await send(op.method, `${path}?${param.name}=${value}`);
          requests++;
          expectClean(r, `${op.method} ${op.path}?${param.name}=${value.slice(0, 20)}`);
        }
      }
      if (op.path.includes("{")) {
        for (const value of PATH_VALUES) {
          const r = await send(op.method, fillPath(op.path, value), op.body ? { body: baseBody(op.body) } : {});
          requests++;
          expectClean(r, `${op.method} ${fillPath(op.path, value.slice(0, 20))}`);
        }
      }
    }
    expect(requests).toBeGreaterThan(50);
    // Only reads and refusals happened: not a row changed.
    expect(dump(t.database.sqlite)).toBe(before);
  }, 120_000);

  test("odd but possibly valid values never 5xx", async () => {
    for (const op of ops) {
      const path = fillPath(op.path, "00000000-0000-0000-0000-000000000000");
      if (op.body) {
        const base = baseBody(op.body);
        for (const field of Object.keys(op.body.properties ?? {})) {
          for (const [label, value] of ODD) {
            expectClean(await send(op.method, path, { body: { ...base, [field]: value } }), `${op.method} ${op.path} ${field}=${label}`);
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
  }, 120_000);

  test("the server is healthy afterwards", async () => {
    const r = await t.call("GET", "/healthz");
    expect(r.status).toBe(200);
    expect(r.body.db).toBe("ok");
  });
});
