/**
 * CSV as exports write it and imports read it: RFC 4180 (comma separated, CRLF between
 * records, a cell is quoted when it holds a comma, a quote or a line break, quotes inside are
 * doubled), plus protection against formula injection for people who open the file in a
 * spreadsheet. Pure: values in, strings out; bytes in, records out.
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

/** How much of the file is decoded at a time: a piece of text, never the whole file. */
const PIECE_BYTES = 64 * 1024;

/** One record read from `text` at some offset: where the next one starts, its cells, and what is wrong with it. */
interface ReadRecord {
  next: number;
  cells: string[];
  error: string | null;
  /** an unclosed quote: everything after it is inside the quote, so reading ends */
  last: boolean;
}

/**
 * Reads CSV from UTF-8 bytes one record at a time (CRLF or LF, optional byte order mark),
 * yielding each record or, for a malformed one, its RowError, in file order. Cells come back
 * as written (call unprotectCell on values). Blank lines are skipped but still counted, so row
 * numbers match what a spreadsheet shows. A malformed record is reported and reading goes on
 * at the next line; an unclosed quote ends reading (everything after it is inside the quote).
 *
 * Memory: the bytes are decoded PIECE_BYTES at a time, so the caller holds the bytes, one
 * piece of text and the record it is working on — never the whole text or every record.
 * A record longer than a piece (a huge quoted cell) makes the piece grow to fit it.
 * The bytes must be valid UTF-8 (check with isUtf8 first, to answer in your own words).
 */
export function* readCsv(bytes: Uint8Array, pieceBytes = PIECE_BYTES): Generator<CsvRecord | RowError, void, undefined> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let text = "";
  let at = 0;
  let read = 0;
  let final = bytes.length === 0;
  let started = false;
  let want = pieceBytes;
  /** whether a record was read since the last piece was decoded */
  let progressed = true;
  let row = 0;
  while (at < text.length || !final) {
    const record = final ? recordAt(text, at, true) : at < text.length ? recordAt(text, at, false) : null;
    if (record === null) {
      // The record may go on in bytes not decoded yet: decode the next piece. When no record
      // was read since the last piece, the piece doubles, so that a record of any length is
      // scanned a bounded number of times.
      const rest = at === 0 ? text : text.slice(at);
      want = rest.length > 0 && !progressed ? want * 2 : pieceBytes;
      progressed = false;
      const end = Math.min(bytes.length, read + want);
      final = end === bytes.length;
      let more = decoder.decode(bytes.subarray(read, end), { stream: !final });
      read = end;
      if (!started && more.length > 0) {
        started = true;
        // TextDecoder drops one byte order mark; the parser always dropped one more.
        if (more.charCodeAt(0) === 0xfeff) more = more.slice(1);
      }
      text = rest + more;
      at = 0;
      continue;
    }
    progressed = true;
    row++;
    at = record.next;
    if (record.error !== null) yield { row, error: record.error };
    else if (!(record.cells.length === 1 && record.cells[0] === "")) yield { row, cells: record.cells };
    if (record.last) return;
  }
}

/**
 * One record of `text` starting at `i`, or null when it may go on past the end of `text`
 * (only when `final` is false: a cell, a quote that may be doubled or a CR that may be
 * followed by LF touches the end).
 */
function recordAt(text: string, i: number, final: boolean): ReadRecord | null {
  const n = text.length;
  const cells: string[] = [];
  let error: string | null = null;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      // Quoted cell: up to the next quote that is not doubled.
      let cell = "";
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1 || (q + 1 === n && !final)) {
          if (!final) return null;
          return { next: n, cells, error: "a quoted cell is never closed (a missing closing quote)", last: true };
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
        error = `cell ${cells.length} has text after its closing quote; quote the whole cell and double the quotes inside`;
        const eol = text.indexOf("\n", i);
        if (eol === -1 && !final) return null;
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
    if (i >= n && !final) return null;
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    if (c === 13) {
      if (i + 1 >= n && !final) return null;
      i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else if (c === 10) i++;
    break;
  }
  return { next: i, cells, error, last: false };
}

/**
 * Every record of a small CSV at once (tests, short files). Imports use readCsv instead, which
 * never holds more than one record.
 */
export function parseCsv(input: string | Uint8Array): { records: CsvRecord[]; errors: RowError[] } {
  const records: CsvRecord[] = [];
  const errors: RowError[] = [];
  for (const item of readCsv(typeof input === "string" ? new TextEncoder().encode(input) : input)) {
    if ("error" in item) errors.push(item);
    else records.push(item);
  }
  return { records, errors };
}

/** What scanCsv counts. */
export interface CsvCounts {
  /** records, blank lines included: the row number of the last one (the header is row 1) */
  rows: number;
  /** records that are not blank (readCsv yields each, as a record or as a RowError), the header included */
  records: number;
}

/**
 * Counts what readCsv would read from `bytes`, stopping after `stopAt` rows: the same quoting
 * rules on the bytes themselves, building no string, so that a file over a row limit is refused
 * before it is read, and an import knows its row count (progress, plan limits) up front.
 * Works on UTF-8 bytes directly: the bytes of `"` `,` CR and LF never occur inside a
 * multi-byte character, and the byte order mark holds none of them.
 */
export function scanCsv(bytes: Uint8Array, stopAt = Infinity): CsvCounts {
  const n = bytes.length;
  let rows = 0;
  let records = 0;
  let i = 0;
  // readCsv drops up to two byte order marks (TextDecoder one, the parser one more).
  for (let k = 0; k < 2 && bytes[i] === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf; k++) i += 3;
  while (i < n && rows < stopAt) {
    rows++;
    const start = i;
    let blank = false;
    for (;;) {
      if (bytes[i] === 34) {
        // Quoted cell: to the next quote that is not doubled; never closed = the rest of the bytes.
        let q = i;
        for (;;) {
          q = bytes.indexOf(34, q + 1);
          if (q === -1) return { rows, records: records + 1 };
          if (bytes[q + 1] !== 34) break;
          q++;
        }
        // `""` alone on its line reads as one empty cell: a blank line.
        blank = i === start && q === i + 1;
        i = q + 1;
        const c = bytes[i];
        if (i < n && c !== 44 && c !== 10 && c !== 13) {
          // Text after the closing quote: readCsv skips to the next LF.
          blank = false;
          const eol = bytes.indexOf(10, i);
          i = eol === -1 ? n : eol;
        }
      } else {
        blank = i === start;
        while (i < n) {
          const c = bytes[i];
          if (c === 44 || c === 10 || c === 13) break;
          i++;
        }
        if (i > start) blank = false;
      }
      const c = bytes[i];
      if (c === 44) {
        blank = false;
        i++;
        continue;
      }
      if (c === 13 && bytes[i + 1] === 10) i += 2;
      else if (c === 13 || c === 10) i++;
      break;
    }
    if (!blank) records++;
  }
  return { rows, records };
}

/** The number of rows scanCsv counts in `input` (blank lines included), at most `stopAt`. */
export function countRecords(input: string | Uint8Array, stopAt: number): number {
  return scanCsv(typeof input === "string" ? new TextEncoder().encode(input) : input, stopAt).rows;
}
