/**
 * Applies the PostgreSQL migrations embedded in this build, exactly once however many
 * replicas boot at the same moment.
 *
 * drizzle's PostgreSQL migrator takes no lock: four replicas starting together all read
 * "nothing applied", all run 0000, and three fail on "relation already exists"
 * (../shared/SCALE.md, traps). So, on ONE reserved connection:
 *
 *   pg_advisory_lock(MIGRATION_LOCK_KEY)        -- the others queue here
 *     refuse a schema newer than this build
 *     drizzle: CREATE SCHEMA/TABLE drizzle.__drizzle_migrations IF NOT EXISTS,
 *              BEGIN; each migration newer than the last recorded one; COMMIT
 *   pg_advisory_unlock(MIGRATION_LOCK_KEY)
 *
 * A replica that got the lock second finds everything recorded and applies nothing. The lock
 * is a session lock, so it must be taken, used and released on the same connection: a pooled
 * query could land elsewhere. If the connection dies mid-way, PostgreSQL rolls the migration
 * transaction back and releases the lock, and the next replica starts clean.
 *
 * The caller connects as the role that owns (or will own) the tables; the server's own work
 * then runs as `ipcraft_app` (drizzle/pg/0001_row_level_security.sql).
 */
import type { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { MigrationFailedError, SchemaTooNewError } from "../../db/migrate";
import { embedPgMigrations } from "./migrations.macro" with { type: "macro" };

/** Every PostgreSQL migration this build knows, oldest first. */
export const EMBEDDED_PG_MIGRATIONS: MigrationMeta[] = embedPgMigrations() as MigrationMeta[];

/** The advisory lock every ipcraft migrator takes: the bytes of "ipcraft1" as a bigint. */
export const MIGRATION_LOCK_KEY = "7597681914285552689";

/** Applies what the database has not seen yet; returns how many migrations this call applied. */
export async function migratePostgres(sql: SQL, migrations: MigrationMeta[] = EMBEDDED_PG_MIGRATIONS): Promise<number> {
  const conn = await sql.reserve();
  try {
    await conn`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`;
    try {
      const before = await appliedCount(conn);
      await refuseNewerSchema(conn, migrations);
      // drizzle's public migrate() reads a folder from disk; the dialect's migrate takes the
      // parsed list (internal API, drizzle-orm is pinned; test/store/pg-migrate.test.ts covers it).
      const db = drizzle({ client: conn });
      const internal = db as unknown as { dialect: { migrate: Function }; session: unknown };
      await internal.dialect.migrate(migrations, internal.session, { migrationsFolder: "(embedded)" }).catch((error: unknown) => {
        throw new MigrationFailedError(error);
      });
      return (await appliedCount(conn)) - before;
    } finally {
      // Best effort: if the connection is broken the server has already dropped the lock,
      // and the migration's own error is the one worth reporting.
      await conn`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`.catch(() => undefined);
    }
  } finally {
    conn.release();
  }
}

async function appliedCount(conn: SQL): Promise<number> {
  const [row] = await conn`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`;
  if (!row.present) return 0;
  const [count] = await conn`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
  return count.n as number;
}

/** drizzle records each applied migration's folder timestamp in `created_at`. */
async function refuseNewerSchema(conn: SQL, known: MigrationMeta[]): Promise<void> {
  const [row] = await conn`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`;
  if (!row.present) return;
  const [newest] = await conn`SELECT max(created_at)::text AS at FROM drizzle.__drizzle_migrations`;
  const newestKnown = Math.max(0, ...EMBEDDED_PG_MIGRATIONS.map((m) => m.folderMillis), ...known.map((m) => m.folderMillis));
  if (newest.at !== null && Number(newest.at) > newestKnown) {
    throw new SchemaTooNewError(
      "this database was written by a newer ipcraft (its schema is newer than this binary knows); upgrade ipcraft or restore a backup",
    );
  }
}
