/**
 * Applies the migrations embedded in this build to an open database.
 *
 * Order matters (../shared/STACK.md, both traps reproduced there):
 * 1. foreign keys OFF while migrating — drizzle-kit rebuilds tables with
 *    `DROP TABLE`, which would fire ON DELETE CASCADE and silently delete child rows;
 * 2. `PRAGMA foreign_key_check` afterwards, failing loudly on any dangling reference;
 * 3. foreign keys ON for the life of the connection.
 * A database migrated by a newer ipcraft (a migration this build does not know) is refused,
 * because this build would misread its tables.
 */
import type { Database } from "bun:sqlite";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { embedMigrations } from "./migrations.macro" with { type: "macro" };

/** Every migration this build knows, oldest first. */
export const EMBEDDED_MIGRATIONS: MigrationMeta[] = embedMigrations() as MigrationMeta[];

export class SchemaTooNewError extends Error {}

/**
 * A migration the database refused. drizzle's own message quotes the migration's whole SQL
 * (dozens of lines on a terminal); the database's words, its `cause`, say what failed.
 */
export class MigrationFailedError extends Error {
  constructor(error: unknown) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    super(`the database could not be brought up to this version's schema: ${cause instanceof Error ? cause.message : String(cause)}`, { cause: error });
  }
}

/** Applies `migrations` (default: all embedded ones) that the database has not seen yet. */
export function migrateDatabase(
  sqlite: Database,
  db: BunSQLiteDatabase<any>,
  migrations: MigrationMeta[] = EMBEDDED_MIGRATIONS,
): void {
  const appliedBefore = refuseNewerSchema(sqlite, migrations);
  sqlite.run("PRAGMA foreign_keys = OFF");
  // drizzle's public migrate() reads a folder from disk; the dialect's migrate takes the
  // parsed list. Internal API: drizzle-orm is pinned and test/db covers it, including the
  // compiled binary starting in an empty folder.
  const internal = db as unknown as { dialect: { migrate: Function }; session: unknown };
  try {
    internal.dialect.migrate(migrations, internal.session, { migrationsFolder: "(embedded)" });
  } catch (error) {
    throw new MigrationFailedError(error);
  }
  // Only after a migration ran (foreign keys were off): the check reads every row of every
  // table with a foreign key, ~0.2 s per million addresses at each boot for nothing.
  const ranNow = appliedCount(sqlite) !== appliedBefore;
  const dangling = ranNow ? sqlite.query("PRAGMA foreign_key_check").all() : [];
  if (dangling.length > 0) {
    throw new Error(`migration left ${dangling.length} dangling foreign key(s): ${JSON.stringify(dangling.slice(0, 3))}`);
  }
  sqlite.run("PRAGMA foreign_keys = ON");
}

/** How many migrations the database records as applied (-1: not even the table). */
function appliedCount(sqlite: Database): number {
  const table = sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!table) return -1;
  return (sqlite.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
}

/** drizzle records each applied migration's folder timestamp in `created_at`. Returns appliedCount. */
function refuseNewerSchema(sqlite: Database, known: MigrationMeta[]): number {
  const applied = appliedCount(sqlite);
  if (applied === -1) return applied;
  const row = sqlite.query("SELECT MAX(created_at) AS newest FROM __drizzle_migrations").get() as {
    newest: number | null;
  };
  const newestKnown = Math.max(0, ...EMBEDDED_MIGRATIONS.map((m) => m.folderMillis), ...known.map((m) => m.folderMillis));
  if (row.newest !== null && Number(row.newest) > newestKnown) {
    throw new SchemaTooNewError(
      "this database was written by a newer ipcraft (its schema is newer than this binary knows); upgrade ipcraft or restore a backup",
    );
  }
  return applied;
}
