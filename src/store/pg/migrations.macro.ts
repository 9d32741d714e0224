/**
 * Bun macro, the PostgreSQL twin of src/db/migrations.macro.ts: runs at bundle time (and under
 * `bun run`/`bun test` at transpile time) and inlines drizzle's parsed `drizzle/pg/` list, so
 * the compiled binary carries its migrations. Kept tiny: Bun's transpiler cache keys on this file.
 */
import { readMigrationFiles } from "drizzle-orm/migrator";

export function embedPgMigrations() {
  return readMigrationFiles({ migrationsFolder: `${import.meta.dir}/../../../drizzle/pg` });
}
