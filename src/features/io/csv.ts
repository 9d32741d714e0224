/**
 * CSV as exports write it and imports read it: RFC 4180 (comma separated, CRLF between
 * records, a cell is quoted when it holds a comma, a quote or a line break, quotes inside are
 * doubled), plus protection against formula injection for people who open the file in a
 * spreadsheet. Pure: strings in, strings out.
 *
 * Formula protection (OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`, `@`,
 * a tab or a carriage return is written with a leading `'`, which spreadsheets take as
 * "this is text". To keep export → import lossless, a value that already starts with one or
 * more `'` before such a character gets one more, and import removes exactly one `'` from a
 * cell of the form `'…'<trigger>…`:
 *
 *   stored value   written cell   read back
 *   =cmd()         '=cmd()        =cmd()
 *   '=cmd()        ''=cmd()       '=cmd()
 *   'quoted        'quoted        'quoted      (no trigger after the quotes: untouched)
 */

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const PROTECTED = /^'+[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A value as written into a cell: formula-protected (see the module comment). */
export function protectCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Inverse of protectCell: the stored value of a cell read from a file. */
export function unprotectCell(cell: string): string {
  return PROTECTED.test(cell) ? cell.slice(1) : cell;
}

/** One record: protected, quoted where needed, joined, ending in CRLF. */
export function csvLine(values: readonly (string | number | null)[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    const cell = raw === null ? "" : protectCell(String(raw));
    if (i > 0) line += ",";
    line += NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}\r\n`;
}

/** A record read from a file; `row` counts like a spreadsheet does (the header is row 1). */
export interface CsvRecord {
  row: number;
  cells: string[];
}

/** A row that cannot be used, with the reason (API.md §9: `{row, error}`). */
export interface RowError {
  row: number;
  error: string;
}

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
