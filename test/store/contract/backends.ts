/**
 * The backends every contract suite runs against: the real app (createApp, app.handle) over
 * a fresh SQLite database, and over a fresh migrated PostgreSQL database (test/helpers/pg.ts,
 * the server working as ipcraft_app under row-level security). Suites call
 * `describe.each(BACKENDS)` and get, per test, an app, its store, request builders and a few
 * raw probes for what the API does not show yet (activity rows, subnet rows).
 *
 * On PostgreSQL the app mounts only the features already on the store (app.ts): a contract
 * suite may only drive those. The probes write and read as the database owner, outside RLS.
 */
import { SQL } from "bun";
import { afterEach } from "bun:test";
import { createApp } from "../../../src/app";
import { generateOpaqueToken } from "../../../src/auth/tokens";
import { defaultServerConfig } from "../../../src/config";
import { openDatabase } from "../../../src/db/client";
import { createMemoryLogger } from "../../../src/logger";
import { PRUNE_LOCK } from "../../../src/store/pg/activity";
import { createPgStore } from "../../../src/store/pg/store";
import { createSqliteStore } from "../../../src/store/sqlite/store";
import type { Store } from "../../../src/store/store";
import { freshPgDatabase } from "../../helpers/pg";
import { createTenantIn, type Tenant, type TenantOptions } from "../../helpers/tenant";

export interface ActivityRow {
  action: string;
  actor_type: string;
  actor_id: string | null;
  target_id: string | null;
  target_label: string;
  changes: string;
}

/** Raw access to the backend's database, for what the converted API cannot show yet. */
interface Probes {
  activity(orgId: string): Promise<ActivityRow[]>;
  /** Inserts a subnet row straight into the database, behind the app's back (the sections suite uses it). */
  insertSubnet(orgId: string, sectionId: string | null, octet: number, vrf?: string): Promise<string>;
  sectionOfSubnet(subnetId: string): Promise<string | null>;
  /** Adds a user with a session to an existing organization, straight into the database. */
  insertMember(orgId: string, m: { id: string; email: string; role: string; sessionId: string; tokenHash: string }): Promise<void>;
  /** Another Store over the same database, as a second replica would have (PostgreSQL: its own pool). */
  secondStore(): Promise<{ store: Store; close(): Promise<void> }>;
  /** PostgreSQL only: another replica's prune holding the lock until the returned function is called. */
  pruneByAnotherReplica?(): Promise<() => Promise<void>>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  open(): Promise<{ store: Store; probes: Probes; close(): Promise<void> }>;
}

const NOW = "2026-01-02T03:04:05.123Z";

/** The 16-byte key of 10.0.<octet>.0 (IPv4-mapped), as both schemas store it. */
function networkKey(octet: number): Buffer {
  return Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, octet, 0]);
}

export const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    async open() {
      const database = openDatabase(":memory:");
      const store = createSqliteStore(database, { ownsDatabase: true });
      const { sqlite } = database;
      return {
        store,
        probes: {
          activity: async (orgId) =>
            sqlite
              .query("SELECT action, actor_type, actor_id, target_id, target_label, changes FROM activity WHERE org_id = ? ORDER BY at, rowid")
              .all(orgId) as ActivityRow[],
          async insertSubnet(orgId, sectionId, octet, vrf = "default") {
            const id = crypto.randomUUID();
            sqlite.run(
              `INSERT INTO subnets (id, org_id, section_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at)
               VALUES (?, ?, ?, ?, 4, ?, 24, ?, ?, ?)`,
              [id, orgId, sectionId, vrf, networkKey(octet), `10.0.${octet}.0/24`, NOW, NOW],
            );
            return id;
          },
          secondStore: async () => ({ store: createSqliteStore(database), close: async () => undefined }),
          sectionOfSubnet: async (id) => (sqlite.query("SELECT section_id FROM subnets WHERE id = ?").get(id) as { section_id: string | null }).section_id,
          async insertMember(orgId, m) {
            const later = new Date(Date.now() + 86400_000).toISOString();
            sqlite.run("INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", [m.id, orgId, m.email, m.email, m.role, NOW, NOW]);
            sqlite.run("INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", [m.sessionId, m.tokenHash, m.id, NOW, NOW, later]);
          },
        },
        close: () => store.close(),
      };
    },
  },
  {
    name: "postgres",
    async open() {
      const db = await freshPgDatabase({ migrated: true });
      const store = createPgStore(db.sql);
      return {
        store,
        probes: {
          activity: (orgId) =>
            db.sql`SELECT action, actor_type, actor_id, target_id, target_label, changes FROM activity WHERE org_id = ${orgId} ORDER BY at, id`,
          async insertSubnet(orgId, sectionId, octet, vrf = "default") {
            const id = crypto.randomUUID();
            await db.sql`INSERT INTO subnets (id, org_id, section_id, vrf, family, network_key, prefix_length, cidr, created_at, updated_at)
                         VALUES (${id}, ${orgId}, ${sectionId}, ${vrf}, 4, ${networkKey(octet)}, 24, ${`10.0.${octet}.0/24`}, ${NOW}, ${NOW})`;
            return id;
          },
          async sectionOfSubnet(id) {
            const [row] = await db.sql`SELECT section_id FROM subnets WHERE id = ${id}`;
            return row.section_id as string | null;
          },
          async secondStore() {
            const sql = new SQL(db.url, { max: 4 });
            return { store: createPgStore(sql), close: () => sql.close() };
          },
          async pruneByAnotherReplica() {
            const other = await db.sql.reserve();
            await other`BEGIN`;
            await other`SELECT pg_advisory_xact_lock(${PRUNE_LOCK})`;
            return async () => {
              await other`COMMIT`;
              other.release();
            };
          },
          async insertMember(orgId, m) {
            const later = new Date(Date.now() + 86400_000).toISOString();
            await db.sql`INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (${m.id}, ${orgId}, ${m.email}, ${m.email}, ${m.role}, ${NOW}, ${NOW})`;
            await db.sql`INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (${m.sessionId}, ${m.tokenHash}, ${m.id}, ${NOW}, ${NOW}, ${later})`;
          },
        },
        close: () => db.drop(),
      };
    },
  },
];

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
}

/** The app over `backend`, with a tenant-aware request builder. */
export async function openApp(backend: Backend, config: Parameters<typeof defaultServerConfig>[0] = {}) {
  const { store, probes, close } = await backend.open();
  const logger = createMemoryLogger();
  const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0, ...config }), logger });
  async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<CallResult> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const response = await app.handle(new Request(`http://localhost/api/v1${path}`, init));
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }
  const as = (who: Tenant) => ({
    get: (path: string) => call("GET", path, who.bearer),
    post: (path: string, body: unknown) => call("POST", path, who.bearer, body),
    patch: (path: string, body: unknown) => call("PATCH", path, who.bearer, body),
    del: (path: string) => call("DELETE", path, who.bearer),
    /** as the browser: session cookie + CSRF header */
    browser: (method: string, path: string, body?: unknown) => call(method, path, who.browser, body),
  });
  return {
    /** the app itself, for paths outside /api/v1 (/healthz, /metrics) */
    app,
    store,
    probes,
    /** the app's log: without SMTP, sign-in and invitation links are delivered here */
    logger,
    call,
    as,
    newTenant: (options: TenantOptions = {}) => createTenantIn(store, options),
    secondStore: () => probes.secondStore(),
    /** Another user of `orgId`, signed in: headers for browser requests. */
    async newMember(orgId: string, role: string) {
      const { token, hash } = generateOpaqueToken();
      const id = crypto.randomUUID();
      const email = `member-${id.slice(0, 8)}@example.org`;
      await probes.insertMember(orgId, { id, email, role, sessionId: crypto.randomUUID(), tokenHash: hash });
      return { id, email, browser: { cookie: `session=${token}`, "x-requested-with": "XMLHttpRequest" } };
    },
    close,
  };
}

export type OpenedApp = Awaited<ReturnType<typeof openApp>>;

/**
 * For a describe block on one backend: `fresh(options)` opens the app on a fresh database with
 * one new tenant and its API client; the app is closed after each test.
 */
export function freshTenantApps(backend: Backend) {
  let opened: OpenedApp | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  return async function fresh(options: Parameters<OpenedApp["newTenant"]>[0] = {}) {
    opened = await openApp(backend);
    const tenant = await opened.newTenant(options);
    return { ...opened, tenant, api: opened.as(tenant) };
  };
}
