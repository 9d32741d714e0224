/**
 * A throw-away PostgreSQL for tests: one cluster per test run, a fresh database per test.
 *
 * The cluster comes from `IPCRAFT_TEST_PG_URL` when set (CI may start one around the whole
 * run), else this helper starts one with `scripts/pg-cluster start` in a temporary folder
 * (installing Debian's postgresql first if it is missing); the script stops it after this
 * process is gone.
 * `bun test` runs every file in one process, so the whole run shares one cluster.
 * There is no skipping: when PostgreSQL cannot be started, every test that asks for it fails
 * with the script's own output. Call `usePgCluster()` at the top of a test file: it starts
 * the cluster in a `beforeAll` with a timeout long enough for an apt-get install.
 */
import { SQL } from "bun";
import { beforeAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import { migratePostgres } from "../../src/store/pg/migrate";

const SCRIPT = `${import.meta.dir}/../../scripts/pg-cluster`;

let cluster: Promise<string> | undefined;
let admin: SQL | undefined;
let migratedTemplate: Promise<string> | undefined;
let counter = 0;

/** Starts (or reuses) the run's cluster before this file's tests. */
export function usePgCluster(): void {
  beforeAll(() => pgClusterUrl().then(() => undefined), 15 * 60_000);
}

/** The URL of the run's cluster, connected to its `postgres` database as a superuser. */
export function pgClusterUrl(): Promise<string> {
  cluster ??= startCluster();
  return cluster;
}

async function startCluster(): Promise<string> {
  const given = process.env.IPCRAFT_TEST_PG_URL;
  if (given) return given;
  // Short path under /tmp: the Unix socket's path is limited to ~107 bytes.
  // bun test runs no exit hooks: the script's watcher stops the cluster and removes the
  // folder within a second or so of this process ending, even when it is killed.
  const dir = mkdtempSync("/tmp/ipcraft-pg-");
  const proc = Bun.spawn([SCRIPT, "start", dir, "--owner-pid", String(process.pid)], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) {
    throw new Error(`could not start a throw-away PostgreSQL (scripts/pg-cluster start ${dir}, exit ${code}):\n${err}`);
  }
  return out.trim();
}

/** `base` with its database name replaced. */
export function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminSql(): Promise<SQL> {
  admin ??= new SQL(await pgClusterUrl(), { max: 2 });
  return admin;
}

export interface TestPgDatabase {
  name: string;
  /** Connection URL, as the cluster's superuser (the owner of everything migrated). */
  url: string;
  /** A client on it (superuser; RLS tests switch role per transaction). */
  sql: SQL;
  /** Closes `sql` and drops the database (and any connection still on it). */
  drop(): Promise<void>;
}

/**
 * A new, empty database (`migrated: true`: with every embedded migration applied, copied
 * from a template migrated once per run).
 */
export async function freshPgDatabase(options: { migrated?: boolean } = {}): Promise<TestPgDatabase> {
  const base = await pgClusterUrl();
  const root = await adminSql();
  const name = `t_${process.pid}_${++counter}`;
  const template = options.migrated ? await migratedTemplateName() : "template1";
  // FILE_COPY: 2-3× faster than the default WAL_LOG for small databases (no fsync here).
  await root.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
  const url = withDatabase(base, name);
  const sql = new SQL(url, { max: 4 });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.close();
      await root.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

function migratedTemplateName(): Promise<string> {
  migratedTemplate ??= (async () => {
    const root = await adminSql();
    const name = `ipcraft_template_${process.pid}`;
    await root.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await root.unsafe(`CREATE DATABASE "${name}" TEMPLATE template1`);
    const sql = new SQL(withDatabase(await pgClusterUrl(), name), { max: 1 });
    await migratePostgres(sql);
    await sql.close(); // CREATE DATABASE … TEMPLATE needs the template without connections
    return name;
  })();
  return migratedTemplate;
}

/**
 * Makes a non-superuser `role` own `db` and its public schema, and returns one connection as
 * it: migrations run as such an owner in production, under the FORCE row-level security they
 * set up (an upgrade's backfill must work there, not only as the test cluster's superuser).
 */
export async function ownerConnection(db: TestPgDatabase, role: string): Promise<SQL> {
  await db.sql.unsafe(`DO $$ BEGIN CREATE ROLE ${role} LOGIN CREATEROLE; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await db.sql.unsafe(`ALTER DATABASE "${db.name}" OWNER TO ${role}`);
  await db.sql.unsafe(`ALTER SCHEMA public OWNER TO ${role}`);
  const url = new URL(withDatabase(db.url, db.name));
  url.username = role;
  url.password = "";
  return new SQL(url.toString(), { max: 1 });
}
