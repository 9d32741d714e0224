import { describe, expect, test } from "bun:test";
import { progressBar } from "../../src/cli/io";
import { csvLine, parseCsv, protectCell, unprotectCell } from "../../src/features/io/csv";

describe("CSV writing", () => {
  test("quotes only cells that need it, doubles quotes, ends records in CRLF", () => {
    expect(csvLine(["a", "b c", null, 7])).toBe("a,b c,,7\r\n");
    expect(csvLine(['say "hi"', "x,y", "two\nlines", "cr\rhere"])).toBe('"say ""hi""","x,y","two\nlines","cr\rhere"\r\n');
  });

  test("cells a spreadsheet would run as formulas get a leading apostrophe", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(protectCell(`${start}x`)).toBe(`'${start}x`);
    expect(csvLine(['=HYPERLINK("http://evil","click")'])).toBe(`"'=HYPERLINK(""http://evil"",""click"")"\r\n`);
    expect(protectCell("safe =inside")).toBe("safe =inside");
    expect(protectCell("'plain")).toBe("'plain");
  });

  test("protection round-trips every value exactly, including values that start with apostrophes", () => {
    const values = ["=1+1", "'=1+1", "''=1+1", "'plain", "'", "''", "-", "@a", "+1", "a=b", "", "\tx", "'\tx", "Büro ✓ 𝔘"];
    for (const value of values) expect(unprotectCell(protectCell(value))).toBe(value);
  });
});

describe("CSV reading", () => {
  test("reads what csvLine writes, line breaks and quotes inside cells included", () => {
    const rows = [
      ["ip", "description"],
      ["10.0.0.1", 'a, "b"\r\nc\nd'],
      ["10.0.0.2", ""],
      ["10.0.0.3", "=x"],
    ];
    const parsed = parseCsv(rows.map((r) => csvLine(r)).join(""));
    expect(parsed.errors).toEqual([]);
    expect(parsed.records.map((r) => r.cells.map(unprotectCell))).toEqual(rows);
  });

  test("row numbers are spreadsheet rows: a multi-line cell is one row, blank lines count", () => {
    const parsed = parseCsv('h1,h2\n"multi\nline",x\n\nlast,y');
    expect(parsed.records.map((r) => [r.row, r.cells[0]])).toEqual([
      [1, "h1"],
      [2, "multi\nline"],
      [4, "last"],
    ]);
  });

  test("LF or CRLF, a byte order mark, a missing final line break, a trailing empty cell", () => {
    expect(parseCsv("\uFEFFa,b\r\n1,\r\n").records.map((r) => r.cells)).toEqual([["a", "b"], ["1", ""]]);
    expect(parseCsv("a,b\n1,2").records.map((r) => r.cells)).toEqual([["a", "b"], ["1", "2"]]);
  });

  test("text after a closing quote is reported on its row and reading goes on", () => {
    const parsed = parseCsv('a,b\n"x"y,1\n2,3\n');
    expect(parsed.errors).toEqual([{ row: 2, error: expect.stringContaining("after its closing quote") }]);
    expect(parsed.records.map((r) => r.row)).toEqual([1, 3]);
  });

  test("an unclosed quote is reported on the row where it opens", () => {
    const parsed = parseCsv('a,b\n1,2\n3,"never closed\n4,5\n');
    expect(parsed.errors).toEqual([{ row: 3, error: expect.stringContaining("never closed") }]);
    expect(parsed.records.map((r) => r.row)).toEqual([1, 2]);
  });
});

describe("progress bar", () => {
  test("draws the fraction done", () => {
    expect(progressBar("importing addresses", 50, 100, 10)).toBe("importing addresses [#####-----]  50% 50/100");
    expect(progressBar("x", 100, 100, 4)).toBe("x [####] 100% 100/100");
    expect(progressBar("x", 0, 0, 4)).toBe("x [####] 100% 0/0");
  });
});
