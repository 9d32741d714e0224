/**
 * The whole database schema. drizzle-kit generates `drizzle/*.sql` from this file
 * (`bun run db:generate`); read every generated file before committing it
 * (see ../shared/STACK.md: column additions and table rebuilds go in separate migrations).
 *
 * Conventions:
 * - ids are UUID text; timestamps are ISO-8601 UTC text (they sort as strings).
 * - IP addresses are stored twice: canonical `ip` text for people, and `ip_key`, a 16-byte
 *   big-endian BLOB (IPv4 mapped into ::ffff:0:0/96) whose byte order is numeric order, so
 *   one UNIQUE index serves both families and `BETWEEN first AND last` is an index range scan.
 * - Every tenant-owned row carries `org_id`; queries always filter on it.
 */
import { sql } from "drizzle-orm";
import { type AnySQLiteColumn, blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const timestamps = {
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
};

/** The tenant boundary: nothing of one organization is visible to another. */
export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** free | pro | teams | unlimited — a named limit set (API.md §3). */
  plan: text("plan").notNull().default("unlimited"),
  ...timestamps,
});

/** A person; belongs to exactly one organization. `email` is stored lowercased. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    /** owner | admin | member | viewer */
    role: text("role").notNull(),
    lastLoginAt: text("last_login_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email), index("users_org_idx").on(t.orgId)],
);

/**
 * A pending membership: an organization invites an email; the person joins only by using
 * the invitation's link (their consent). Not a user yet, so it does not claim the email:
 * several organizations may invite the same email, and an email that already has an
 * account elsewhere can be invited like any other (nothing about other tenants leaks).
 */
export const invitations = sqliteTable(
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

/**
 * One-time sign-in links. Only the SHA-256 of the token is kept. `invitation_id` is set on
 * an invitation's link: spending it joins that organization. A plain link joins one only for
 * an invitee with signup closed (features/auth/service.ts completeSignIn).
 */
export const loginTokens = sqliteTable(
  "login_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    email: text("email").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    invitationId: text("invitation_id").references((): AnySQLiteColumn => invitations.id, { onDelete: "cascade" }),
  },
  (t) => [index("login_tokens_email_idx").on(t.email)],
);

/** Browser sessions (cookie `session`). Only the SHA-256 of the cookie value is kept. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [uniqueIndex("sessions_token_hash_unique").on(t.tokenHash), index("sessions_user_idx").on(t.userId)],
);

/**
 * API keys `ipc_` + 40 base62. The plaintext is shown once and never stored:
 * `prefix` (first 12 characters) identifies a key in lists, `key_hash` (SHA-256 hex) authenticates it.
 */
export const apiKeys = sqliteTable(
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
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    expiresAt: text("expires_at"),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_unique").on(t.keyHash),
    index("api_keys_org_idx").on(t.orgId),
    index("api_keys_prefix_idx").on(t.prefix),
  ],
);

/** Folders in the UI. Names are unique per organization, case-insensitively (`name_key` = lowercased name). */
export const sections = sqliteTable(
  "sections",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    description: text("description").notNull().default(""),
    /** The integer id per organization (phpIPAM API); set by the insert trigger (see numberCounters). */
    number: integer("number"),
    ...timestamps,
  },
  (t) => [uniqueIndex("sections_org_name_unique").on(t.orgId, t.nameKey), uniqueIndex("sections_org_number_unique").on(t.orgId, t.number)],
);


/**
 * VRFs (issue 15): routing domains a subnet names by `subnets.vrf`. `default` exists in every
 * organization (created with it, and by migration for older ones). Names are unique per
 * organization exactly; the service also refuses a new name that differs from an existing
 * one only in case (a typo), but a migration keeps whatever distinct names subnets used.
 */
export const vrfs = sqliteTable(
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
/**
 * Subnets, nested automatically: `parent_id` is the smallest subnet of the same
 * (org, vrf) that strictly contains this one. The hierarchy is kept by the service inside
 * each write transaction and verified by `ipcraft check`; nothing here derives it.
 */
export const subnets = sqliteTable(
  "subnets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    sectionId: text("section_id").references(() => sections.id, { onDelete: "set null" }),
    parentId: text("parent_id").references((): AnySQLiteColumn => subnets.id),
    vrf: text("vrf").notNull().default("default"),
    family: integer("family").notNull(),
    /** 16-byte order-preserving key of the network address. */
    networkKey: blob("network_key", { mode: "buffer" }).notNull(),
    prefixLength: integer("prefix_length").notNull(),
    /** Canonical CIDR text, e.g. `10.0.1.0/24`, `2001:db8::/48`. */
    cidr: text("cidr").notNull(),
    name: text("name").notNull().default(""),
    description: text("description").notNull().default(""),
    vlan: integer("vlan"),
    /** The integer id per organization (phpIPAM API); taken on insert (see numberCounters). */
    number: integer("number"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("subnets_org_number_unique").on(t.orgId, t.number),
    uniqueIndex("subnets_org_vrf_net_unique").on(t.orgId, t.vrf, t.family, t.networkKey, t.prefixLength),
    index("subnets_parent_idx").on(t.parentId),
    index("subnets_section_idx").on(t.sectionId),
  ],
);

/**
 * Address records. "Available" is the absence of a row. `vrf` repeats the subnet's VRF so
 * that the UNIQUE (org, vrf, ip_key) index is the backstop against handing out one address twice.
 */
export const addresses = sqliteTable(
  "addresses",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    subnetId: text("subnet_id").notNull().references(() => subnets.id),
    vrf: text("vrf").notNull(),
    ip: text("ip").notNull(),
    ipKey: blob("ip_key", { mode: "buffer" }).notNull(),
    hostname: text("hostname").notNull().default(""),
    /** assigned | gateway | reserved | dhcp */
    status: text("status").notNull().default("assigned"),
    owner: text("owner").notNull().default(""),
    /** lowercase aa:bb:cc:dd:ee:ff, or null */
    mac: text("mac"),
    description: text("description").notNull().default(""),
    /** The integer id per organization (phpIPAM API); taken on insert (see numberCounters). */
    number: integer("number"),
    /** ISO-8601 UTC: the address is free from then on (issue 13 expiry), or null (kept) */
    expiresAt: text("expires_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("addresses_org_number_unique").on(t.orgId, t.number),
    uniqueIndex("addresses_org_vrf_ip_unique").on(t.orgId, t.vrf, t.ipKey),
    index("addresses_subnet_ip_idx").on(t.subnetId, t.ipKey),
    // `"reuse": "hostname" | "mac"` finds a subnet's record by either (features/addresses):
    // partial, so that the many records with neither cost no index entry. Hostnames compare
    // without regard to ASCII case, as DNS compares names (store/sqlite/reuse.ts).
    index("addresses_subnet_hostname_idx").on(t.subnetId, sql`${t.hostname} COLLATE NOCASE`).where(sql`hostname <> ''`),
    index("addresses_subnet_mac_idx").on(t.subnetId, t.mac).where(sql`mac IS NOT NULL`),
    // Partial: only expiring rows (few), for the sweep and the boot load of deadlines.
    index("addresses_expires_idx").on(t.expiresAt).where(sql`expires_at IS NOT NULL`),
  ],
);

/**
 * The activity log: one row per write, recorded in the write's own transaction. Kept slim
 * because every allocation writes one (issue 16): one key and two indexes. It is also the
 * change feed (GET /api/v1/events) and the source of every webhook body: `seq` numbers an
 * organization's entries from 1 with no holes in commit order (event_counters,
 * src/store/events.ts), so an entry is written once, not once more as a feed row (0012).
 */
export const activity = sqliteTable(
  "activity",
  {
    id: text("id").notNull(),
    orgId: text("org_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    at: text("at").notNull(),
    /** user | api_key | system */
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label").notNull(),
    /** e.g. subnet.create, address.update, api_key.revoke */
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    targetLabel: text("target_label").notNull().default(""),
    /** JSON object {field: [old, new]}; never holds secrets. */
    changes: text("changes").notNull().default("{}"),
    /** the change feed's position; null only for entries older than the feed (before 0012) */
    seq: integer("seq"),
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
 * One counter per organization, bumped by every IPAM write transaction before it commits
 * (src/store/sqlite/ipam.ts `write` and src/ipam/group-commit.ts: the server, the CLI and
 * the import Worker all write through them). The server compares it with what its memory
 * holds to rebuild only organizations that really changed (src/ipam/registry.ts). A writer
 * of subnets or addresses outside those paths must bump it too. No row means version 0.
 */
export const ipamVersions = sqliteTable("ipam_versions", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  version: integer("version").notNull(),
});

/**
 * SQLite only, derived (never copied, PostgreSQL has subnet_changes instead): what the IPAM
 * writes of processes other than the server (the CLI import, the API import's Worker)
 * changed, one row per write, keyed by the ipam_versions value the write moved its
 * organization to. The server replays the rows between its memory's version and the stored
 * one instead of rebuilding the organization (src/ipam/registry.ts); a missing row or a
 * NULL `changes` (subnets reshaped, or a bulk write) means rebuild. `changes`: JSON
 * `[[subnet_id, "take" | "free", "<value>"], ...]`. Writers keep the last KEPT_CHANGES
 * versions per organization; the server, which never logs, writes nothing here.
 */
export const ipamChanges = sqliteTable(
  "ipam_changes",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    changes: text("changes"),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.version] })],
);

/** The last `activity.seq` handed out per organization (the row a writer bumps). */
export const eventCounters = sqliteTable("event_counters", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  seq: integer("seq").notNull(),
});

/**
 * The next integer id (`number`) per organization and kind (section | subnet | address), for
 * clients that need integer ids (the phpIPAM API, issue 14). Numbers count from 1 and are never
 * reused, taken in the inserting transaction: sections by an AFTER INSERT trigger (hand-written
 * in drizzle/0008), subnets and addresses by the inserting code, a batch at a time
 * (store/sqlite/numbers.ts; 0011 dropped their triggers, which cost every row). A row inserted
 * with a number (ipcraft copy) keeps it.
 */
export const numberCounters = sqliteTable(
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

/**
 * A receiver of signed event POSTs. `secret` is kept in clear because it signs (HMAC) every
 * delivery; the API shows it once, at creation. `events`: JSON array of patterns.
 */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: text("events").notNull(),
    secret: text("secret").notNull(),
    /** 1 = deliver, 0 = paused */
    active: integer("active").notNull().default(1),
    description: text("description").notNull().default(""),
    ...timestamps,
  },
  (t) => [index("webhooks_org_idx").on(t.orgId, t.createdAt, t.id)],
);

/**
 * The outbox and the delivery log in one: a row per (event, webhook), inserted in the event's
 * own transaction; the delivery worker claims due rows, POSTs `body`, and records the result.
 * status: pending (due at next_attempt_at) | succeeded | failed (gave up after 24 h).
 */
export const webhookDeliveries = sqliteTable(
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
    createdAt: text("created_at").notNull(),
    nextAttemptAt: text("next_attempt_at").notNull(),
    lastAttemptAt: text("last_attempt_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    completedAt: text("completed_at"),
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
export const idempotencyKeys = sqliteTable(
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
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
