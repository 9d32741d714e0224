/**
 * Opening the database for a CLI command. No server lock: the accounts commands run beside
 * a running server (WAL lets both read and write; busy_timeout makes a writer wait its turn),
 * and the server caches no keys or sessions, so what they change takes effect at once.
 * On PostgreSQL the same holds for every replica (no replica caches keys or sessions).
 */
import { existsSync } from "node:fs";
import { databaseKind } from "../config";
import { openDatabase, type OpenDatabase } from "../db/client";
import { openStore } from "../store/open";
import type { Store } from "../store/store";

export class CliError extends Error {}

/** Runs `fn` with the database at `path` open, and closes it afterwards. */
export async function withDatabase<T>(path: string, options: { create?: boolean }, fn: (database: OpenDatabase) => T | Promise<T>): Promise<T> {
  if (!options.create && !existsSync(path)) {
    throw new CliError(`no database at ${path}; pass --db, or create one with \`ipcraft login-link <email>\``);
  }
  const database = openDatabase(path);
  try {
    return await fn(database);
  } finally {
    database.close();
  }
}

/**
 * Runs `fn` with the Store `--db` names (a SQLite file, created only with `create`, or a
 * postgres:// URL, migrated on open like `serve` does), and closes it afterwards.
 */
export async function withStore<T>(db: string, options: { create?: boolean }, fn: (store: Store) => Promise<T>): Promise<T> {
  if (databaseKind(db) === "sqlite" && !options.create && !existsSync(db)) {
    throw new CliError(`no database at ${db}; pass --db, or create one with \`ipcraft login-link <email>\``);
  }
  const store = await openStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The actor recorded in the activity log for changes made from the command line. */
export const CLI_ACTOR = { type: "system", id: null, label: "ipcraft CLI" } as const;
