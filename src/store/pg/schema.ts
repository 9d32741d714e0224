/**
 * The PostgreSQL twin of src/db/schema.ts: the same tables, columns, indexes, UNIQUE
 * constraints and foreign keys, in drizzle's pg dialect. drizzle-kit generates
 * `drizzle/pg/*.sql` from this file (`bun run db:generate:pg`); row-level security and the
 * application role are hand-written in a custom migration there (drizzle's `.enableRLS()`
 * emits ENABLE without FORCE). test/store/pg-schema-parity.test.ts proves both schemas hold
 * the same tables and columns; change them together.
 *
 * Type choices, so that a row read here looks like the same row read from SQLite:
 * - ids stay `text` (UUID text in SQLite too; no cast needed anywhere).
 * - timestamps are `timestamptz(3)` read and written as ISO-8601 UTC strings
 *   (`2026-01-02T03:04:05.123Z`, what SQLite stores and the API returns): millisecond
 *   precision makes the round trip exact, and real timestamps compare and prune correctly.
 * - `ip_key` / `network_key` are `bytea` holding the same 16-byte big-endian key; bytea
 *   compares bytewise, so the UNIQUE index and `BETWEEN first AND last` range scans work as
 *   on SQLite.
 * - Text sorts bytewise in SQLite. Create the database with `LOCALE 'C'` (scripts/pg-cluster
 *   does) so that name orderings and string cursors agree across both dialects.
 *
 * PostgreSQL-only, for allocation across replicas (../shared/SCALE.md, "The design that won"):
 * `subnets.alloc_seq` and the `subnet_changes` log. SQLite gains them when the store split
 * needs them; until then the parity test lists them as the only pg-only columns.
 */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** 16-byte order-preserving IP key. drizzle 0.45 has no bytea column type. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * ISO-8601 UTC text in the application, `timestamptz(3)` in the database. Bun.SQL returns
 * a `Date`; PostgreSQL parses the ISO string parameter itself.
 */
const isoTimestamp = customType<{ data: string; driverData: Date | string }>({
  dataType: () => "timestamp (3) with time zone",
  toDriver: (value) => value,
  fromDriver: (value) => (value instanceof Date ? value : new Date(value)).toISOString(),
});

const timestamps = {
  createdAt: isoTimestamp("created_at").notNull(),
  updatedAt: isoTimestamp("updated_at").notNull(),
};

/** The tenant boundary: nothing of one organization is visible to another. */
export const organizations = pgTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** free | pro | teams | unlimited — a named limit set (API.md §3). */
  plan: text("plan").notNull().default("unlimited"),
  ...timestamps,
});

/** A person; belongs to exactly one organization. `email` is stored lowercased. */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    /** owner | admin | member | viewer */
    role: text("role").notNull(),
    lastLoginAt: isoTimestamp("last_login_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email), index("users_org_idx").on(t.orgId)],
);

/** One-time sign-in links. Only the SHA-256 of the token is kept. Not a tenant table. */
export const loginTokens = pgTable(
  "login_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    email: text("email").notNull(),
    createdAt: isoTimestamp("created_at").notNull(),
    expiresAt: isoTimestamp("expires_at").notNull(),
    usedAt: isoTimestamp("used_at"),
    invitationId: text("invitation_id").references((): AnyPgColumn => invitations.id, { onDelete: "cascade" }),
  },
  (t) => [index("login_tokens_email_idx").on(t.email)],
);

/**
 * A pending membership: the person joins only through the invitation's link (SQLite twin:
 * src/db/schema.ts). It does not claim the email, so several organizations may invite one.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    /** the role they get on joining */
    role: text("role").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("invitations_org_email_unique").on(t.orgId, t.email), index("invitations_email_idx").on(t.email)],
);

/** Browser sessions (cookie `session`). Only the SHA-256 of the cookie value is kept. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: isoTimestamp("created_at").notNull(),
    lastSeenAt: isoTimestamp("last_seen_at").notNull(),
    expiresAt: isoTimestamp("expires_at").notNull(),
  },
  (t) => [uniqueIndex("sessions_token_hash_unique").on(t.tokenHash), index("sessions_user_idx").on(t.userId)],
);

/** API keys: `prefix` identifies a key in lists, `key_hash` (SHA-256 hex) authenticates it. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    /** read | write */
    scope: text("scope").notNull(),
    createdAt: isoTimestamp("created_at").notNull(),
    lastUsedAt: isoTimestamp("last_used_at"),
    expiresAt: isoTimestamp("expires_at"),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_unique").on(t.keyHash),
    index("api_keys_org_idx").on(t.orgId),
    index("api_keys_prefix_idx").on(t.prefix),
  ],
);

/** Folders in the UI. Names are unique per organization, case-insensitively (`name_key` = lowercased name). */
export const sections = pgTable(
  "sections",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    description: text("description").notNull().default(""),
    /** The integer id per organization (see src/db/schema.ts numberCounters); set by a BEFORE INSERT trigger. */
    number: integer("number"),
    ...timestamps,
  },
  (t) => [uniqueIndex("sections_org_name_unique").on(t.orgId, t.nameKey), uniqueIndex("sections_org_number_unique").on(t.orgId, t.number)],
);


/**
 * VRFs (see src/db/schema.ts).
 */
export const vrfs = pgTable(
  "vrfs",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    ...timestamps,
  },
  (t) => [uniqueIndex("vrfs_org_name_unique").on(t.orgId, t.name)],
);
/** Subnets, nested automatically (see src/db/schema.ts). */
export const subnets = pgTable(
  "subnets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    sectionId: text("section_id").references(() => sections.id, { onDelete: "set null" }),
    parentId: text("parent_id").references((): AnyPgColumn => subnets.id),
    vrf: text("vrf").notNull().default("default"),
    family: integer("family").notNull(),
    /** 16-byte order-preserving key of the network address. */
    networkKey: bytea("network_key").notNull(),
    prefixLength: integer("prefix_length").notNull(),
    /** Canonical CIDR text, e.g. `10.0.1.0/24`, `2001:db8::/48`. */
    cidr: text("cidr").notNull(),
    name: text("name").notNull().default(""),
    description: text("description").notNull().default(""),
    vlan: integer("vlan"),
    /** The integer id per organization (see src/db/schema.ts numberCounters); taken by the inserting code (store/pg/numbers.ts). */
    number: integer("number"),
    /**
     * pg only. The subnet's allocation version: bumped by every transaction that takes or
     * frees addresses in it (or changes its shape), read under `FOR NO KEY UPDATE` so that a
     * replica learns inside its own transaction whether its in-memory allocator is current.
     */
    allocSeq: bigint("alloc_seq", { mode: "number" }).notNull().default(0),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("subnets_org_number_unique").on(t.orgId, t.number),
    uniqueIndex("subnets_org_vrf_net_unique").on(t.orgId, t.vrf, t.family, t.networkKey, t.prefixLength),
    index("subnets_parent_idx").on(t.parentId),
    index("subnets_section_idx").on(t.sectionId),
  ],
);

/** Address records. "Available" is the absence of a row; UNIQUE (org, vrf, ip_key) is the backstop. */
export const addresses = pgTable(
  "addresses",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    subnetId: text("subnet_id").notNull().references(() => subnets.id),
    vrf: text("vrf").notNull(),
    ip: text("ip").notNull(),
    ipKey: bytea("ip_key").notNull(),
    hostname: text("hostname").notNull().default(""),
    /** assigned | gateway | reserved | dhcp */
    status: text("status").notNull().default("assigned"),
    owner: text("owner").notNull().default(""),
    /** lowercase aa:bb:cc:dd:ee:ff, or null */
    mac: text("mac"),
    description: text("description").notNull().default(""),
    /** The integer id per organization (see src/db/schema.ts numberCounters); taken by the inserting code (store/pg/numbers.ts). */
    number: integer("number"),
    /** the address is free from then on (issue 13 expiry), or null (kept) */
    expiresAt: isoTimestamp("expires_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("addresses_org_number_unique").on(t.orgId, t.number),
    uniqueIndex("addresses_org_vrf_ip_unique").on(t.orgId, t.vrf, t.ipKey),
    index("addresses_subnet_ip_idx").on(t.subnetId, t.ipKey),
    // `"reuse": "hostname" | "mac"` finds a subnet's record by either (features/addresses):
    // partial, so that the many records with neither cost no index entry. Hostnames compare
    // without regard to ASCII case, as DNS compares names: lower() under the C collation folds
    // A-Z only, as SQLite's NOCASE does (store/pg/reuse.ts).
    index("addresses_subnet_hostname_idx").on(t.subnetId, sql`lower(${t.hostname} COLLATE "C")`).where(sql`hostname <> ''`),
    index("addresses_subnet_mac_idx").on(t.subnetId, t.mac).where(sql`mac IS NOT NULL`),
    // Partial: only expiring rows (few), for the sweep and the load of deadlines.
    index("addresses_expires_idx").on(t.expiresAt).where(sql`expires_at IS NOT NULL`),
  ],
);

/**
 * The activity log: one row per write, recorded in the write's own transaction, and the change
 * feed (`seq`, see src/db/schema.ts). Kept slim because every allocation writes one (issue 16):
 * one key and two indexes.
 */
export const activity = pgTable(
  "activity",
  {
    id: text("id").notNull(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    at: isoTimestamp("at").notNull(),
    /** user | api_key | system */
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label").notNull(),
    /** e.g. subnet.create, address.update, api_key.revoke */
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    targetLabel: text("target_label").notNull().default(""),
    /** JSON object {field: [old, new]} as text, exactly as SQLite keeps it; never holds secrets. */
    changes: text("changes").notNull().default("{}"),
    /** the change feed's position (see src/db/schema.ts); null only for entries older than the feed */
    seq: bigint("seq", { mode: "number" }),
  },
  (t) => [
    // The log's order and cursor (org, at DESC, id DESC) is the key: no separate key on `id`
    // (a UUIDv7, unique by construction and never looked up alone) and no second copy of it.
    primaryKey({ name: "activity_pk", columns: [t.orgId, t.at, t.id] }),
    index("activity_target_idx").on(t.orgId, t.targetId),
    // The feed's order and cursor.
    uniqueIndex("activity_seq_idx").on(t.orgId, t.seq),
  ],
);

/**
 * pg only. The allocation change log: what each bump of `subnets.alloc_seq` did, so that a
 * replica whose in-memory allocator is at version N catches up by reading rows with
 * `seq > N` instead of reloading the subnet. `kind`: `take` / `free` (one address, `ip_key`
 * set) or `reload` (the subnet was created, split, resized or otherwise reshaped: drop
 * what you know and reload it; `ip_key` null). Old rows are pruned; a replica that finds a
 * gap (its version older than the oldest row kept) reloads, so pruning is always safe.
 */
export const subnetChanges = pgTable(
  "subnet_changes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    subnetId: text("subnet_id").notNull().references(() => subnets.id, { onDelete: "cascade" }),
    /** The subnet's `alloc_seq` after the change. Several rows share one seq (a batch). */
    seq: bigint("seq", { mode: "number" }).notNull(),
    /** take | free | reload */
    kind: text("kind").notNull(),
    ipKey: bytea("ip_key"),
    /** on a `take`: the record's deadline (null: none), so that replicas follow expiries too */
    expiresAt: isoTimestamp("expires_at"),
    at: isoTimestamp("at").notNull().default(sql`now()`),
  },
  (t) => [index("subnet_changes_subnet_seq_idx").on(t.subnetId, t.seq), index("subnet_changes_at_idx").on(t.at)],
);

/**
 * The twin of SQLite's `ipam_versions` (src/db/schema.ts): one counter per organization that
 * every IPAM write transaction bumps, so that an in-memory registry rebuilds only the
 * organizations that changed. Here it exists for parity with the same tenant rules; the
 * PostgreSQL store's replicas follow `subnets.alloc_seq` and `subnet_changes` per subnet
 * (one row per organization would make an organization's writers queue on its row lock).
 */
export const ipamVersions = pgTable("ipam_versions", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  version: integer("version").notNull(),
});

/**
 * pg only. Rate-limit counters shared by every replica (src/store/pg/ops.ts): requests of an
 * organization granted in fixed window number `window_start` (time since the epoch divided
 * by the window's length). Transient: at most two rows per organization, not copied by
 * `ipcraft copy`. SQLite's single process keeps its counts in memory.
 */
export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    windowStart: bigint("window_start", { mode: "number" }).notNull(),
    hits: integer("hits").notNull(),
    /** how many of `hits` the last UPSERT granted (its RETURNING needs the count before it) */
    granted: integer("granted").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.windowStart] })],
);

/** The last `activity.seq` per organization; its row lock orders an organization's feed by commit (store/pg/activity.ts). */
export const eventCounters = pgTable("event_counters", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  seq: bigint("seq", { mode: "number" }).notNull(),
});

/** The next `number` per organization and kind (see src/db/schema.ts). */
export const numberCounters = pgTable(
  "number_counters",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    next: integer("next").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind] })],
);

/** The twin of SQLite's `webhooks`. */
export const webhooks = pgTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: text("events").notNull(),
    secret: text("secret").notNull(),
    active: integer("active").notNull().default(1),
    description: text("description").notNull().default(""),
    ...timestamps,
  },
  (t) => [index("webhooks_org_idx").on(t.orgId, t.createdAt, t.id)],
);

/** The twin of SQLite's `webhook_deliveries`: outbox and delivery log. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    body: text("body").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: isoTimestamp("created_at").notNull(),
    nextAttemptAt: isoTimestamp("next_attempt_at").notNull(),
    lastAttemptAt: isoTimestamp("last_attempt_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    completedAt: isoTimestamp("completed_at"),
  },
  (t) => [index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt), index("webhook_deliveries_log_idx").on(t.webhookId, t.id)],
);

/**
 * Idempotency-Key answers (http/idempotency.ts): a row is written in the same transaction as
 * what the request created, so a retry finds it exactly when the work committed. `response`
 * is the JSON body of the first answer (2xx only: refusals are never stored); a secret the
 * answer held (an API key, a webhook secret) is not stored, and `state` says so ("redacted").
 * Pruned 24 h after `created_at`.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** SHA-256 hex of method, path and body: the same key with another request is refused */
    requestHash: text("request_hash").notNull(),
    status: integer("status").notNull(),
    response: text("response").notNull(),
    /** "done", or "redacted" when a secret was left out of `response` */
    state: text("state").notNull(),
    createdAt: isoTimestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
