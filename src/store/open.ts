/**
 * Opening the store `--db` names: a SQLite file (the default; over db/client.ts, so PRAGMAs,
 * the server lock and migrations stay exactly as they are) or a postgres:// URL.
 */
import { databaseKind } from "../config";
import { openDatabase, type OpenOptions } from "../db/client";
import { openPgStore } from "./pg/store";
import { createSqliteStore } from "./sqlite/store";
import type { Store } from "./store";

export async function openStore(dbSetting: string, sqliteOptions: OpenOptions = {}): Promise<Store> {
  if (databaseKind(dbSetting) === "postgres") return openPgStore(dbSetting);
  return createSqliteStore(openDatabase(dbSetting, sqliteOptions), { ownsDatabase: true });
}
