/**
 * A CSV import sent with the wrong Content-Type gets the import routes' own 415 ("send the CSV
 * file with Content-Type: text/csv"), whatever that type is: the JSON parse hook and Elysia's
 * multipart and form parsers leave these bodies alone, so no misleading "not valid JSON" 400.
 * Nothing is created. text/csv (and text/plain) still import, and JSON routes still parse JSON.
 */
import { describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { createTenant, type Tenant } from "../helpers/tenant";

const SENTENCE = "send the CSV file with Content-Type: text/csv";

const WRONG_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "multipart/form-data; boundary=x",
  "multipart/form-data",
  "application/x-www-form-urlencoded",
];

const CSV = {
  subnets: "cidr\n10.30.0.0/24\n",
  addresses: "ip,hostname\n10.30.0.5,web-01\n",
} as const;

/** Everything the organization holds, from the export (sections, subnets, address records). */
async function holdings(t: TestApp, who: Tenant) {
  const r = await t.call("GET", "/api/v1/export.json", { headers: who.bearer });
  expect(r.status).toBe(200);
  const doc = JSON.parse(r.text);
  return { sections: doc.sections.length, subnets: doc.subnets.length, addresses: doc.addresses.length };
}

async function setUp() {
  const t = testApp();
  const who = createTenant(t.database);
  // The addresses import needs a subnet to place its rows in.
  const parent = await t.call("POST", "/api/v1/subnets", { headers: who.bearer, body: { cidr: "10.30.0.0/16" } });
  expect(parent.status).toBe(201);
  return { t, who, before: await holdings(t, who) };
}

describe("a CSV import with a non-CSV Content-Type is a 415 that says to send text/csv", () => {
  for (const kind of ["subnets", "addresses"] as const) {
    test(`POST /api/v1/import/${kind}`, async () => {
      const { t, who, before } = await setUp();
      for (const type of WRONG_TYPES) {
        for (const query of ["?dry_run=true", ""]) {
          const r = await t.call("POST", `/api/v1/import/${kind}${query}`, { raw: CSV[kind], headers: { ...who.bearer, "content-type": type } });
          expect({ type, query, status: r.status, body: r.body }).toEqual({
            type,
            query,
            status: 415,
            body: { error: SENTENCE, code: "unsupported_media_type" },
          });
        }
      }
      expect(await holdings(t, who)).toEqual(before);

      // The same file as text/csv imports.
      const ok = await t.call("POST", `/api/v1/import/${kind}`, { raw: CSV[kind], headers: { ...who.bearer, "content-type": "text/csv" } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ dry_run: false, rows: 1, created: { [kind]: 1 } });
      expect((await holdings(t, who))[kind]).toBe(before[kind] + 1);
    });
  }

  test("text/plain still imports, and a well-formed JSON body is refused the same way", async () => {
    const { t, who, before } = await setUp();
    const json = await t.call("POST", "/api/v1/import/subnets", { headers: who.bearer, body: { cidr: "10.30.0.0/24" } });
    expect(json.status).toBe(415);
    expect(json.body.error).toBe(SENTENCE);
    expect(await holdings(t, who)).toEqual(before);
    const plain = await t.call("POST", "/api/v1/import/subnets", { raw: CSV.subnets, headers: { ...who.bearer, "content-type": "text/plain" } });
    expect(plain.status).toBe(200);
    expect(plain.body.created.subnets).toBe(1);
  });

  test("bytes that are not UTF-8 are a 400 whatever the text type, and nothing is written (no U+FFFD stored)", async () => {
    const { t, who } = await setUp();
    const before = await holdings(t, who);
    const latin1 = new Uint8Array([...new TextEncoder().encode("cidr,description\n10.41.0.0/24,caf"), 0xe9, 0x0a]);
    for (const type of ["text/plain", "text/csv", "text/plain; charset=utf-8"]) {
      const r = await t.call("POST", "/api/v1/import/subnets", { raw: latin1, headers: { ...who.bearer, "content-type": type } });
      expect({ type, status: r.status, error: r.body.error }).toEqual({ type, status: 400, error: "request body is not valid UTF-8 text" });
    }
    expect(await holdings(t, who)).toEqual(before);
  });

  test("without credentials the answer is still 401, not a body error", async () => {
    const { t, before, who } = await setUp();
    const r = await t.call("POST", "/api/v1/import/subnets", { raw: CSV.subnets, headers: { "content-type": "application/json" } });
    expect(r.status).toBe(401);
    expect(await holdings(t, who)).toEqual(before);
  });

  test("JSON routes still refuse a body that is not JSON with invalid_json", async () => {
    const { t, who, before } = await setUp();
    const r = await t.call("POST", "/api/v1/sections", { raw: "cidr\n10.30.0.0/24\n", headers: { ...who.bearer, "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: "request body is not valid JSON (send {} for an empty object)", code: "invalid_json" });
    const deep = await t.call("POST", "/api/v1/sections", { raw: `${"[".repeat(40)}${"]".repeat(40)}`, headers: { ...who.bearer, "content-type": "application/json" } });
    expect(deep.status).toBe(400);
    expect(deep.body.code).toBe("invalid_json");
    expect(await holdings(t, who)).toEqual(before);
  });
});
