/**
 * One request used to be able to hold the whole server: a /8 split into 65,536 parts froze
 * every organization for 11 s and answered 26 MB, and a 20 MB import (1.3 M rows) froze it
 * for 24 s and grew it to 1.3 GB. A split makes at most 65,536 parts (API.md; the limit was
 * once lowered to 1,024, breaking the contract; splits over 1,024 parts now run in a worker)
 * and an API import holds at most 100,000 rows (counted before the file is parsed), each
 * refused with a sentence naming the limit. (The server staying responsive during the largest allowed ones
 * is test/reliability/long-work.test.ts.)
 */
import { describe, expect, test } from "bun:test";
import { MAX_SPLIT_PARTS } from "../../src/features/subnets/split";
import { countRecords, parseCsv } from "../../src/features/io/csv";
import { MAX_IMPORT_ROWS } from "../../src/features/io/import-thread";
import { ipamFixture } from "../ipam/fixture";

describe("split", () => {
  test(`makes at most ${MAX_SPLIT_PARTS.toLocaleString("en-US")} parts; more is a 400 naming the limit and changes nothing`, async () => {
    const f = ipamFixture();
    const big = await f.subnet("10.0.0.0/8");
    for (const body of [{ parts: 131_072 }, { parts: 2 ** 20 }, { prefix_length: 25 }, { prefix_length: 32 }]) {
      const r = await f.api.post(`/subnets/${big.id}/split`, body);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain("65,536");
      expect(r.body.error).toContain("split a part again");
    }
    expect((await f.api.get("/subnets")).body.total).toBe(1);
    // 65,536 parts (the documented maximum, API.md §6) are accepted: a /8 into /24s.
    const r = await f.api.post(`/subnets/${big.id}/split`, { parts: 65_536 });
    expect(r.status).toBe(201);
    expect(r.body.items).toHaveLength(MAX_SPLIT_PARTS);
    expect(r.body.items[0].cidr).toBe("10.0.0.0/24");
    expect(r.body.items.at(-1).cidr).toBe("10.255.255.0/24");
    expect((await f.api.get("/subnets")).body.total).toBe(1 + MAX_SPLIT_PARTS);
    // a part splits again: the finer layout is reachable
    const again = await f.api.post(`/subnets/${r.body.items[0].id}/split`, { prefix_length: 30 });
    expect(again.body.items.at(-1).cidr).toBe("10.0.0.252/30");
  }, 60_000);
});

describe("import", () => {
  test(`holds at most ${MAX_IMPORT_ROWS.toLocaleString("en-US")} rows: one more is a 413 naming the limit, before any row is read`, async () => {
    const f = ipamFixture();
    await f.subnet("10.0.0.0/8");
    // 100,001 rows, every one of them bad: were the file parsed, the answer would be import_failed.
    const text = `ip\n${"bad\n".repeat(MAX_IMPORT_ROWS + 1)}`;
    for (const kind of ["addresses", "subnets"]) {
      const r = await f.call("POST", `/api/v1/import/${kind}?dry_run=true`, { raw: text, headers: { ...f.tenant.bearer, "content-type": "text/csv" } });
      expect(r.status).toBe(413);
      expect(r.body.code).toBe("body_too_large");
      expect(r.body.error).toContain("more than 100,000 rows");
      expect(r.body.error).toContain("ipcraft import");
    }
    // exactly the limit is read (and here refused row by row)
    const atLimit = await f.call("POST", "/api/v1/import/addresses?dry_run=true", {
      raw: `ip\n${"bad\n".repeat(MAX_IMPORT_ROWS)}`,
      headers: { ...f.tenant.bearer, "content-type": "text/csv" },
    });
    expect(atLimit.body.code).toBe("import_failed");
  });

  test("rows are counted the way the parser reads them (quoted line breaks, doubled quotes, stray quotes)", () => {
    const cases = ['a\n"b\nc"\nd', 'x,"q""\nz"\ny\r\nw', 'a"b\nc"\nd', '"unclosed\n\n', "\ufeffh\r\n1\r2\n", 'a,"b"x\nc', ""];
    for (const text of cases) {
      const { records, errors } = parseCsv(text);
      const rows = Math.max(0, ...records.map((r) => r.row), ...errors.map((e) => e.row));
      expect(countRecords(text, 1e9)).toBe(rows);
    }
    expect(countRecords("a\nb\nc\nd\n", 2)).toBe(2);
  });
});
