/**
 * Bun macro: runs at bundle time (and, under `bun run`/`bun test`, at transpile time) and
 * inlines drizzle's parsed migration list into the code, so the compiled binary carries
 * its migrations without a `drizzle/` folder on disk. Kept tiny on purpose: Bun's
 * transpiler cache keys on this file, so a bigger file would not make it fresher.
 */
import { readMigrationFiles } from "drizzle-orm/migrator";

export function embedMigrations() {
  return readMigrationFiles({ migrationsFolder: `${import.meta.dir}/../../drizzle` });
}
