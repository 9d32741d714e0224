/**
 * Imports used to decode the whole file into one string and parse every record before the
 * first row was checked, which held 30–40 times the file's size in memory. They now read the
 * bytes a piece at a time (readCsv). This checks that the streaming reader reads exactly what
 * the old whole-text parser read — cells, row numbers, errors — on random tricky CSV (quotes,
 * doubled quotes, line breaks inside cells, CRLF/LF/lone CR, byte order marks, multi-byte
 * characters cut between pieces, blank and trailing lines, unclosed quotes), with pieces of
 * every size from 1 byte up; and that scanCsv counts what it reads.
 */
import { describe, expect, test } from "bun:test";
import { parseCsv, readCsv, scanCsv } from "../../src/features/io/csv";
import { countRecords as oldCountRecords, parseCsv as oldParseCsv } from "./csv-reference";

/** The old pipeline: the whole body decoded (TextDecoder drops one byte order mark), then parsed. */
function oldRead(bytes: Uint8Array) {
  return oldParseCsv(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
}

function streamed(bytes: Uint8Array, piece: number) {
  const records: { row: number; cells: string[] }[] = [];
  const errors: { row: number; error: string }[] = [];
  for (const item of readCsv(bytes, piece)) {
    if ("error" in item) errors.push(item);
    else records.push(item);
  }
  return { records, errors };
}

/** A small deterministic PRNG (mulberry32), so that a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ["a", "bc", "10.0.0.1", ",", ",", '"', '""', "\r\n", "\n", "\r", "é", "𝔘", "日本", "\uFEFF", " ", "=", "'", "\t", ";"];

/** Random text made of CSV's special characters and multi-byte ones, sometimes well-formed cells. */
function randomCsv(random: () => number): string {
  let text = random() < 0.2 ? "\uFEFF" : "";
  const parts = Math.floor(random() * 40);
  for (let k = 0; k < parts; k++) {
    if (random() < 0.3) {
      // A well-formed quoted cell with everything inside.
      const inner = Array.from({ length: Math.floor(random() * 4) }, () => TOKENS[Math.floor(random() * TOKENS.length)]).join("");
      text += `"${inner.replaceAll('"', '""')}"`;
    } else text += TOKENS[Math.floor(random() * TOKENS.length)];
  }
  return text;
}

const FIXED = [
  "",
  "\n",
  "\r\n\r\n",
  "\uFEFF",
  "\uFEFF\uFEFF",
  "\uFEFF\uFEFFa,b\r\n",
  "\uFEFF\r\nh\r\n",
  'h1,h2\n"multi\nline",x\n\nlast,y',
  'a,b\n"x"y,1\n2,3\n',
  'a,b\n1,2\n3,"never closed\n4,5\n',
  'x,"q""\nz"\ny\r\nw',
  'a"b\nc"\nd',
  '""\n"",""\n,\n',
  "a,b\r\n1,\r\n",
  "a,b\n1,2",
  "a\rb\r\nc\r",
  '"ends in a quote"',
  '"doubled at the end"""',
  `ip,description\r\n10.0.0.1,"${"long ".repeat(5000)}"\r\n10.0.0.2,short\r\n`,
];

describe("readCsv (streaming) reads what the whole-text parser read", () => {
  test("fixed tricky files, every piece size from 1 to 9 bytes and the default", () => {
    for (const text of FIXED) {
      const bytes = new TextEncoder().encode(text);
      const expected = oldRead(bytes);
      for (const piece of [1, 2, 3, 4, 5, 7, 9, 64 * 1024]) expect({ text, piece, ...streamed(bytes, piece) }).toEqual({ text, piece, ...expected });
    }
  });

  test("3,000 random files of CSV's special characters, random piece sizes", () => {
    const random = prng(11);
    for (let k = 0; k < 3000; k++) {
      const text = randomCsv(random);
      const bytes = new TextEncoder().encode(text);
      const piece = 1 + Math.floor(random() * 12);
      const expected = oldRead(bytes);
      expect({ text, piece, ...streamed(bytes, piece) }).toEqual({ text, piece, ...expected });
      // scanCsv counts the rows as the old counter did (on the decoded text) and the non-blank records readCsv yields.
      const rows = oldCountRecords(new TextDecoder().decode(bytes), Infinity);
      const counts = scanCsv(bytes);
      expect({ text, rows: counts.rows }).toEqual({ text, rows });
      expect({ text, records: counts.records }).toEqual({ text, records: expected.records.length + expected.errors.length });
    }
  });

  test("a quoted cell far longer than a piece is read whole", () => {
    const text = `h\n"${"x".repeat(100_000)}"\nlast\n`;
    const { records } = parseCsv(text);
    expect(records.map((r) => [r.row, r.cells[0]!.length])).toEqual([[1, 1], [2, 100_000], [3, 4]]);
    expect(streamed(new TextEncoder().encode(text), 16)).toEqual(parseCsv(text));
  });
});
