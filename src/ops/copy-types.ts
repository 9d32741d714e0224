/** The two ends of `ipcraft copy` (src/ops/copy.ts), one implementation per dialect. */
import type { CopyTable } from "./copy-plan";

export type Row = Record<string, unknown>;

/** Where rows come from: one consistent snapshot of the whole deployment. */
export interface CopySource {
  /** Runs `fn` inside one read snapshot; everything `rows` yields comes from it. */
  snapshot<T>(fn: (read: SourceReader) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SourceReader {
  /** The table's rows in batches, parents before children, values as this dialect returns them. */
  rows(table: CopyTable): AsyncIterable<Row[]>;
}

/** Where rows go: one transaction that commits everything or nothing. */
export interface CopyTarget {
  /** Runs `fn` in one write transaction on the target; a throw rolls all of it back. */
  transaction<T>(fn: (write: TargetWriter) => Promise<T>): Promise<T>;
  /** Closes the connection; `failed`: the copy did not commit (a file made for it is removed). */
  close(failed: boolean): Promise<void>;
}

export interface TargetWriter {
  /** Rows per table as the target sees them now (inside the transaction). */
  count(table: string): Promise<number>;
  /** Inserts rows of `table` (values as the source returned them; the writer converts). */
  insert(table: CopyTable, rows: Row[]): Promise<void>;
}
