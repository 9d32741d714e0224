/**
 * The CSV reader as it was before imports streamed (whole text in, every record out), kept
 * verbatim (with its row counter) as the oracle that test/io/csv-stream.test.ts compares the streaming reader with.
 * Not used by the application.
 */
import type { CsvRecord, RowError } from "../../src/features/io/csv";

/**
 * Parses CSV text (CRLF or LF, optional UTF-8 byte order mark). Cells come back as written
 * (call unprotectCell on values). Blank lines are skipped but still counted, so row numbers
 * match what a spreadsheet shows. A malformed record is reported and parsing continues on
 * the next line; an unclosed quote ends parsing (everything after it is inside the quote).
 */
export function parseCsv(input: string): { records: CsvRecord[]; errors: RowError[] } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  const records: CsvRecord[] = [];
  const errors: RowError[] = [];
  let i = 0;
  let row = 0;
  while (i < n) {
    row++;
    const cells: string[] = [];
    let bad: string | null = null;
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        // Quoted cell: up to the next quote that is not doubled.
        let cell = "";
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) {
            errors.push({ row, error: "a quoted cell is never closed (a missing closing quote)" });
            return { records, errors };
          }
          if (text.charCodeAt(q + 1) === 34) {
            cell += text.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          cell += text.slice(from, q);
          i = q + 1;
          break;
        }
        cells.push(cell);
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13) {
          bad = `cell ${cells.length} has text after its closing quote; quote the whole cell and double the quotes inside`;
          const eol = text.indexOf("\n", i);
          i = eol === -1 ? n : eol;
        }
      } else {
        // Unquoted cell: up to a comma or a line break. A stray quote inside is kept as is.
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j++;
        }
        cells.push(text.slice(i, j));
        i = j;
      }
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13 && text.charCodeAt(i + 1) === 10) i += 2;
      else if (c === 13 || c === 10) i++;
      break;
    }
    if (bad !== null) errors.push({ row, error: bad });
    else if (!(cells.length === 1 && cells[0] === "")) records.push({ row, cells });
  }
  return { records, errors };
}

/**
 * The number of records parseCsv would read from `text` (blank lines included), counting at
 * most `stopAt`: the same quoting rules without building any cell, so that a file over a
 * row limit is refused before it is parsed.
 */
export function countRecords(input: string, stopAt: number): number {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  let count = 0;
  let i = 0;
  while (i < n && count < stopAt) {
    count++;
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        // Quoted cell: to the next quote that is not doubled; never closed = the rest of the text.
        let q = i;
        for (;;) {
          q = text.indexOf('"', q + 1);
          if (q === -1) return count;
          if (text.charCodeAt(q + 1) !== 34) break;
          q++;
        }
        i = q + 1;
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13) {
          // Text after the closing quote: parseCsv skips to the next LF.
          const eol = text.indexOf("\n", i);
          i = eol === -1 ? n : eol;
        }
      } else {
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === 44 || c === 10 || c === 13) break;
          i++;
        }
      }
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13 && text.charCodeAt(i + 1) === 10) i += 2;
      else if (c === 13 || c === 10) i++;
      break;
    }
  }
  return count;
}
