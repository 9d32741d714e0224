/**
 * The storage interface services speak: asynchronous, dialect-free, and the only door to
 * the database for every converted feature. Two implementations sit behind it:
 * src/store/sqlite/ (bun:sqlite, one connection, the default) and src/store/pg/ (Bun.SQL,
 * any number of replicas over one PostgreSQL). Services never see SQL or a dialect; each
 * query lives in its dialect's repository file, named for what it answers
 * (`q.sections.get(orgId, id)`, `q.auth.keyByHash(hash)`).
 *
 * A unit of work is one `read` or one `write`:
 *
 *     store.write({ orgId }, async (q) => {       one transaction, all or nothing
 *       await q.plans.count(orgId, "sections");   every q-call is async
 *       await q.sections.insert(orgId, …);
 *       await q.activity.record({ orgId, … });
 *     })                                          COMMIT, or ROLLBACK if fn throws
 *
 * Scope. `{ orgId }` names the organization the unit works for: PostgreSQL declares it to
 * row-level security before anything else runs, so a query that forgot its `org_id` filter
 * still sees nothing of another organization. `{ orgId: null }` is for system work and the
 * lookups made before anyone is authenticated (a key or a session by the hash of its secret);
 * on PostgreSQL it sees no tenant row except through the narrow lookup windows
 * (drizzle/pg/0003_pre_auth_lookups.sql, 0004_invitation_lookup.sql) and, for pruning, the
 * maintenance window (0005_retention_window.sql). Repository methods still take `orgId` explicitly
 * and filter on it: row-level security is the second wall, not the first.
 *
 * Rules for a unit's body:
 * - await only q-calls (and pure computation). On SQLite the body runs while holding the one
 *   connection, inside BEGIN IMMEDIATE: awaiting I/O there would stall every other request
 *   (the SQLite store refuses to COMMIT a body that crossed a turn of the event loop).
 * - do not start another unit from inside a body (it would wait for the one it is in).
 * - throw ApiError for a refusal: the unit rolls back and the error reaches the client.
 *
 * The storage split is complete. On the store: authentication (API keys and sessions in
 * auth/guard.ts, with the debounced last-used/last-seen touches), sections (all of
 * features/sections) with their activity rows and plan limit, API-key management (all of
 * features/api-keys, and the CLI's `keys create|list|revoke`), the organization (all of
 * features/organization), users and invitations (all of features/users: members, invitations
 * and their links, seat counts, owner rules), sign-in (all of features/auth: send-link with
 * its per-email limit, verify and invitation links, logout, me), the activity
 * feed and its pruning (features/activity; once across replicas on PostgreSQL), subnets and
 * addresses with allocation (features/subnets, features/addresses over the IPAM facet,
 * store/ipam.ts: the SQLite side keeps the registry and GroupCommit, the PostgreSQL side the
 * per-subnet lock, alloc_seq and change log of SCALE.md), operations (health, readiness,
 * metrics and storage health through `ping`/`storage`/`ops.totals`; the CLI's accounts
 * commands; `check` and `copy` on both, ops/*; organization rate limits shared across
 * replicas, `rateLimits`), the change feed and webhooks (features/changes, features/webhooks:
 * born on the store; every activity row, wherever it is written — activity.record, SQLite's
 * GroupCommit, PostgreSQL's per-subnet batches — takes its feed seq and appends its outbox rows in the
 * same transaction: store/sqlite/activity.ts insertActivity, store/pg/activity.ts
 * insertPgActivity; store/events.ts), VRFs (all of features/vrfs; subnet create checks a subnet's VRF
 * with `assertVrf` of features/vrfs/check.ts inside its IPAM write), import/export (all of
 * features/io and the CLI's `import`/`export`: each import one `ipam.write`, subnets placed by
 * subnets/placement.ts `placeSubnet` as POST /subnets places them, exports a keyset page per
 * read through `exportPage`; SQLite API imports still run in the import worker, over a Store
 * of its own connection), and the DNS, DHCP and Ansible files (features/dns-dhcp: keyset pages
 * of address records and the zone serial, `dnsDhcp`). Every feature is on the store: `serve`
 * on a postgres:// URL (server.ts) mounts the same routes as on SQLite.
 */
import type { Role, Scope as KeyScope } from "../auth/principal";
import type { StorageHealth } from "../db/storage-health";
import type { AddressFilters, AddressRow, ExpiredRow, NewAddress } from "../features/addresses/repo";
import type { NewSubnet, SubnetRow, SubnetSortKey } from "../features/subnets/repo";
import type { HostRecord } from "../features/dns-dhcp/model";
import type { EventPayload } from "./events";
import type { IdempotencyQueries } from "./idempotency";
import type { IpamStore } from "./ipam";

/** Which organization a unit of work is for; null before authentication and for system work. */
export type Scope = { orgId: string } | { orgId: null };

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Runs `fn` to read; on PostgreSQL one read-only-in-spirit transaction. */
  read<T>(scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one write transaction: everything it wrote commits, or nothing does. A request
   * with an Idempotency-Key stores its answer in its first write unit's transaction
   * (store/idempotency.ts; so do `ipam.write` and `ipam.addresses`, never `tryWrite`).
   */
  write<T>(scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T>;
  /**
   * A bookkeeping write that must not delay or fail the request it rides on (a key's
   * last use): when the store cannot take it at once (SQLite: another process holds the
   * write lock; either: the disk is full) it is skipped and resolves `undefined`.
   */
  tryWrite<T>(scope: Scope, fn: (q: Queries) => Promise<T>): Promise<T | undefined>;
  /**
   * Subnets and addresses: units of work that keep the in-memory trees and allocators in
   * step with the rows (store/ipam.ts). Built on first use (SQLite loads every organization
   * then; PostgreSQL loads each organization when it is first asked for).
   */
  readonly ipam: IpamStore;
  /**
   * The API key whose secret hashes to `hash`, with its user and organization (null: none):
   * what every API request looks up first. The same answer as `auth.keyByHash` in a unit of
   * scope `{ orgId: null }`, without the unit (PostgreSQL: one statement instead of five).
   */
  keyCredential(hash: string): Promise<KeyCredential | null>;
  /** The session whose token hashes to `hash`, likewise: what every request of the web app looks up first. */
  sessionCredential(hash: string): Promise<SessionCredential | null>;
  /** One real round trip to the database (health checks); rejects when it cannot be read. */
  ping(): Promise<void>;
  /** Whether the database had room at the last write (SQLite: its file's disk; PostgreSQL: class 53). */
  readonly storage: StorageHealth;
  close(): Promise<void>;
}

/** One repository object per feature; every method is async and names what it answers. */
export interface Queries {
  auth: AuthQueries;
  apiKeys: ApiKeyQueries;
  organizations: OrganizationQueries;
  users: UserQueries;
  signIn: SignInQueries;
  sections: SectionQueries;
  vrfs: VrfQueries;
  activity: ActivityQueries;
  plans: PlanQueries;
  tenants: TenantQueries;
  subnets: SubnetQueries;
  addresses: AddressQueries;
  ops: OpsQueries;
  rateLimits: RateLimitQueries;
  events: EventQueries;
  webhooks: WebhookQueries;
  dnsDhcp: DnsDhcpQueries;
  phpipam: PhpipamQueries;
  idempotency: IdempotencyQueries;
}

// ── phpIPAM-compatible API (features/phpipam): rows by their integer `number` ───────────────

export type NumberedKind = "section" | "subnet" | "address";

export interface PhpSectionRow {
  id: string;
  number: number;
  name: string;
  description: string;
  updated_at: string;
}

export interface PhpSubnetRow {
  id: string;
  number: number;
  cidr: string;
  prefix_length: number;
  vrf: string;
  description: string;
  name: string;
  vlan: number | null;
  section_number: number | null;
  parent_number: number | null;
  updated_at: string;
}

export interface PhpAddressRow {
  id: string;
  number: number;
  subnet_number: number;
  ip: string;
  hostname: string;
  status: string;
  owner: string;
  mac: string | null;
  description: string;
  updated_at: string;
}

/** Reads of the phpIPAM subset; writes go through the native services. Every query filters on org_id. */
export interface PhpipamQueries {
  /** The id of this organization's row of `kind` numbered `number`, or null. */
  idOf(orgId: string, kind: NumberedKind, number: number): Promise<string | null>;
  sections(orgId: string, number?: number): Promise<PhpSectionRow[]>;
  /** By id, or every subnet whose canonical CIDR is `cidr` (any VRF). */
  subnets(orgId: string, by: { id: string } | { cidr: string }): Promise<PhpSubnetRow[]>;
  /** By id, by canonical IP (any VRF), by stored MAC, or a subnet's records (IP order, at most `limit`). */
  addresses(orgId: string, by: { id: string } | { ip: string } | { mac: string } | { subnetId: string }, limit: number): Promise<PhpAddressRow[]>;
}

// ── authentication ─────────────────────────────────────────────────────────────────────

/** An API key found by the hash of its secret, with its user and organization. */
export interface KeyCredential {
  id: string;
  name: string;
  prefix: string;
  keyHash: string;
  scope: KeyScope;
  expiresAt: string | null;
  lastUsedAt: string | null;
  userId: string;
  email: string;
  role: Role;
  orgId: string;
  plan: string;
}

/** A browser session found by the hash of its token, with its user and organization. */
export interface SessionCredential {
  id: string;
  tokenHash: string;
  expiresAt: string;
  lastSeenAt: string;
  userId: string;
  email: string;
  role: Role;
  orgId: string;
  plan: string;
}

export interface AuthQueries {
  /** Pre-authentication (scope `{ orgId: null }`): the key whose SHA-256 hex is `hash`. */
  keyByHash(hash: string): Promise<KeyCredential | null>;
  /** Pre-authentication (scope `{ orgId: null }`): the session whose token's SHA-256 hex is `hash`. */
  sessionByHash(hash: string): Promise<SessionCredential | null>;
  /** Records a key's use (debounced by the caller). */
  touchKey(orgId: string, keyId: string, at: string): Promise<void>;
  /** Slides a session's expiry (debounced by the caller). */
  touchSession(orgId: string, sessionId: string, seenAt: string, expiresAt: string): Promise<void>;
  /** Ends a session (logout): the very next request with its cookie is 401. */
  deleteSession(orgId: string, sessionId: string): Promise<boolean>;
  /** Revokes a key: the very next request with it is 401. Returns whether it existed. */
  deleteKey(orgId: string, keyId: string): Promise<boolean>;
}

// ── API keys (management; the lookup by hash is auth.keyByHash) ──────────────────────────

/** A key as listed: never its secret nor its hash. */
export interface StoredKey {
  id: string;
  org_id: string;
  user_id: string;
  /** the email of the user the key belongs to */
  email: string;
  name: string;
  prefix: string;
  scope: KeyScope;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface NewKey {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  prefix: string;
  hash: string;
  scope: KeyScope;
  createdAt: string;
  expiresAt: string | null;
}

export interface ApiKeyPage {
  rows: StoredKey[];
  more: boolean;
  total: number;
}

export interface ApiKeyQueries {
  get(orgId: string, id: string): Promise<StoredKey | null>;
  insert(key: NewKey): Promise<void>;
  /** Newest first (created_at, then id); `userId`: only that user's keys; `after`: the (created_at, id) of the previous page's last row. */
  list(orgId: string, opts: { userId?: string; limit: number; after?: { createdAt: string; id: string } }): Promise<ApiKeyPage>;
  /** The ids of a user's keys (removal revokes each one). */
  idsOfUser(orgId: string, userId: string): Promise<string[]>;
}

// ── organization ───────────────────────────────────────────────────────────────────────

export interface OrganizationRecord {
  id: string;
  name: string;
  plan: string;
  created_at: string;
  updated_at: string;
}

/** What an organization holds (users: members plus pending invitations, as plan limits count them). */
export interface OrganizationUsage {
  users: number;
  sections: number;
  subnets: number;
  addresses: number;
  api_keys: number;
}

export interface OrganizationQueries {
  get(orgId: string): Promise<OrganizationRecord | null>;
  rename(orgId: string, name: string, at: string): Promise<void>;
  usage(orgId: string): Promise<OrganizationUsage>;
}

// ── users and invitations ──────────────────────────────────────────────────────────────

/** A member (row of `users`) or a pending invitation (row of `invitations`, `pending: 1`). */
export interface PersonRecord {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
  last_login_at: string | null;
  /** 1 for a pending invitation */
  pending?: number;
}

export interface PeoplePage {
  rows: PersonRecord[];
  more: boolean;
  total: number;
}

export interface UserQueries {
  member(orgId: string, id: string): Promise<PersonRecord | null>;
  invitation(orgId: string, id: string): Promise<PersonRecord | null>;
  /** This organization's member with this (normalised) email; other organizations are never looked at. */
  memberByEmail(orgId: string, email: string): Promise<PersonRecord | null>;
  invitationByEmail(orgId: string, email: string): Promise<PersonRecord | null>;
  insertInvitation(invitation: Omit<PersonRecord, "last_login_at" | "pending">): Promise<void>;
  updateInvitation(orgId: string, id: string, fields: { role: Role; name: string }, at: string): Promise<void>;
  updateMember(orgId: string, id: string, fields: { role: Role; name: string }, at: string): Promise<void>;
  countOwners(orgId: string): Promise<number>;
  /** Members and invitations, oldest first (created_at, then id); `after`: the previous page's last (created_at, id). */
  list(orgId: string, opts: { limit: number; after?: { createdAt: string; id: string } }): Promise<PeoplePage>;
  /**
   * Deletes a member with everything that could still let them in: sessions, API keys and
   * their plain sign-in links. Returns how many sessions ended.
   */
  removeMember(orgId: string, member: { id: string; email: string }): Promise<number>;
  /** Deletes an invitation and its links: the link stops working at once. */
  removeInvitation(orgId: string, id: string): Promise<void>;
}

// ── sign-in links (login_tokens: keyed by email, outside row-level security) ─────────────

export interface NewSignInToken {
  hash: string;
  email: string;
  createdAt: string;
  expiresAt: string;
  invitationId: string | null;
}

/** A member found by email before sign-in, in whatever organization holds the email. */
export interface SignInUser {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
}

/** A pending invitation found by the id its link carries. */
export interface InvitationRecord {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
}

/**
 * Sign-in runs before anyone is known: in a unit with scope `{ orgId: null }`. The lookups
 * marked pre-auth see across organizations (on PostgreSQL through the narrow windows of
 * drizzle/pg/0003 and 0004); once the organization is learnt from the row a secret led to,
 * `enter(orgId)` declares it and the rest of the unit works under tenant isolation.
 */
export interface SignInQueries {
  /** Stores a link's hash (and drops expired links as it goes). */
  insertToken(token: NewSignInToken): Promise<void>;
  /** Drops an invitation's links (re-inviting sends a fresh one: one live link per invitation). */
  dropInvitationLinks(invitationId: string): Promise<void>;
  /** The plain links issued for `email` after `since`: how many, and when the oldest was issued. */
  linksSince(email: string, since: string): Promise<{ n: number; oldest: string | null }>;
  /** Spends a link (a conditional UPDATE: single use even when two sign-ins race); null when unknown, spent or expired. */
  spendToken(hash: string, at: string): Promise<{ email: string; invitationId: string | null } | null>;
  /** Pre-auth: the member with this (normalised) email, in any organization. */
  userByEmail(email: string): Promise<SignInUser | null>;
  /** Pre-auth: the invitation with this id, in any organization. */
  invitationById(id: string): Promise<InvitationRecord | null>;
  /**
   * Pre-auth: the pending invitation of this email when it has exactly one, in any
   * organization; null when it has none or several (which one a plain link joins would be a guess).
   */
  onlyInvitationFor(email: string): Promise<InvitationRecord | null>;
  /** Pre-auth, once: the organization the rest of this unit works for (learnt from the rows above). */
  enter(orgId: string): Promise<void>;
  /** A member of `orgId` (an accepted invitation, under the invitation's id). */
  insertMember(orgId: string, user: { id: string; email: string; name: string; role: Role; at: string }): Promise<void>;
  markSignedIn(orgId: string, userId: string, at: string): Promise<void>;
  insertSession(orgId: string, session: { id: string; tokenHash: string; userId: string; at: string; expiresAt: string }): Promise<void>;
}

// ── sections ───────────────────────────────────────────────────────────────────────────

export interface SectionRecord {
  id: string;
  name: string;
  description: string;
  subnet_count: number;
  /** integer id per organization (the phpIPAM API's id), taken on insert */
  number: number;
  created_at: string;
  updated_at: string;
}

export interface SectionPage {
  items: SectionRecord[];
  total: number;
  /** the keyset (name_key, id) of the page's last row when more follow, else null */
  last: [string, string] | null;
}

export interface SectionQueries {
  get(orgId: string, id: string): Promise<SectionRecord | null>;
  /** The section whose lowercased name is `nameKey` (names are unique case-insensitively). */
  byNameKey(orgId: string, nameKey: string): Promise<{ id: string; name: string } | null>;
  /** Throws ApiError duplicate_name when the name is taken (the UNIQUE index decides). */
  insert(orgId: string, s: { id: string; name: string; description: string; at: string }): Promise<void>;
  /** Throws ApiError duplicate_name when the new name is taken. */
  update(orgId: string, id: string, s: { name: string; description: string; at: string }): Promise<void>;
  /** Deletes the section; its subnets stay, unfiled. Returns how many were unfiled. */
  remove(orgId: string, id: string): Promise<number>;
  /** A page in name order (case-insensitive, then id), `q`: name contains. */
  list(orgId: string, opts: { limit: number; after?: [string, string]; q?: string }): Promise<SectionPage>;
}

/** The ApiError a duplicate section name gets, from either dialect's unique violation. */
export const DUPLICATE_SECTION_SENTENCE = (name: string) => `A section named "${name}" already exists`;

// ── VRFs ───────────────────────────────────────────────────────────────────────────────

export interface VrfRecord {
  id: string;
  name: string;
  description: string;
  /** subnets naming this VRF */
  subnet_count: number;
  created_at: string;
  updated_at: string;
}

export interface VrfPage {
  items: VrfRecord[];
  total: number;
  /** the keyset (name, id) of the page's last row when more follow, else null */
  last: [string, string] | null;
}

/** The VRF every organization has (API.md §6): created with it, never deleted or renamed. */
export const DEFAULT_VRF = "default";

export interface VrfQueries {
  get(orgId: string, id: string): Promise<VrfRecord | null>;
  /** The VRF named exactly `name`, or null. */
  byName(orgId: string, name: string): Promise<VrfRecord | null>;
  /** Every VRF name of the organization (few: a "did you mean" looks among them). */
  names(orgId: string): Promise<string[]>;
  /** Throws ApiError duplicate_name when the name is taken (the UNIQUE index decides). */
  insert(orgId: string, v: { id: string; name: string; description: string; at: string }): Promise<void>;
  /**
   * Renames and describes. Subnets hold the name, so the service renames only a VRF no subnet
   * uses. Throws ApiError duplicate_name when the new name is taken.
   */
  update(orgId: string, id: string, v: { name: string; description: string; at: string }): Promise<void>;
  remove(orgId: string, id: string): Promise<void>;
  /** Creates `default` when the organization lacks it (older fixtures); no-op otherwise. */
  ensureDefault(orgId: string, at: string): Promise<void>;
  /** A page in name order (bytewise, then id). */
  list(orgId: string, opts: { limit: number; after?: [string, string] }): Promise<VrfPage>;
}

/** The ApiError a duplicate VRF name gets, from either dialect's unique violation. */
export const DUPLICATE_VRF_SENTENCE = (name: string) => `A VRF named "${name}" already exists`;

// ── activity ───────────────────────────────────────────────────────────────────────────

export interface Actor {
  type: "user" | "api_key" | "system";
  id: string | null;
  label: string;
}

export interface ActivityEntry {
  orgId: string;
  actor: Actor;
  /** `<target type>.<verb>`, e.g. subnet.create, address.update, api_key.revoke */
  action: string;
  target: { type: string; id: string | null; label: string };
  /** field → [old, new]; never a secret (key, token, hash) */
  changes?: Record<string, [unknown, unknown]>;
  at?: string;
}

/** A stored entry, as the feed lists it (`changes` still JSON text). */
export interface ActivityRecord {
  id: string;
  at: string;
  actor_type: "user" | "api_key" | "system";
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string;
  changes: string;
}

export interface ActivityFilter {
  targetId?: string;
  /** an actor's id or label */
  actor?: string;
  action?: string;
  /** what kind of object the entry is about: subnet, section, address, vrf, user, ... */
  targetType?: string;
}

export interface ActivityQueries {
  /** Appends one entry; call it inside the write it records. */
  record(entry: ActivityEntry): Promise<void>;
  /**
   * Appends many entries, in order, as `record` would one by one (each with its event and
   * outbox rows), for bulk writers such as the expiry sweep: the change-feed counter is bumped
   * once per organization and the webhooks read once, instead of once per entry.
   */
  recordMany(entries: ActivityEntry[]): Promise<void>;
  /** Newest first (at, then id); `after`: the previous page's last (at, id). */
  list(orgId: string, filter: ActivityFilter, opts: { limit: number; after?: [string, string] }): Promise<{ rows: ActivityRecord[]; more: boolean; total: number }>;
  /**
   * System work (scope `{ orgId: null }`): deletes, in every organization, the entries older
   * than its plan's cutoff (`cutoffs`: plan → ISO time; a plan not named uses `otherwise`).
   * Returns how many went, or null when another replica is pruning right now (PostgreSQL:
   * one transaction-level advisory lock; SQLite: one server per database, never null).
   */
  prune(cutoffs: Record<string, string>, otherwise: string): Promise<number | null>;
}

// ── plans ──────────────────────────────────────────────────────────────────────────────

export type CountedResource = "users" | "sections" | "subnets" | "addresses";

export interface PlanQueries {
  /** The organization's plan name, or null when it does not exist. */
  planOf(orgId: string): Promise<string | null>;
  /** How many of `resource` the organization holds (users: members plus pending invitations). */
  count(orgId: string, resource: CountedResource): Promise<number>;
}

// ── tenants (provisioning; used by test fixtures, later by sign-up and the CLI) ─────────

export interface NewTenant {
  at: string;
  organization: { id: string; name: string; plan: string };
  user: { id: string; email: string; name: string; role: Role };
  apiKey?: { id: string; name: string; prefix: string; hash: string; scope: KeyScope };
  session?: { id: string; tokenHash: string; expiresAt: string };
}

export interface TenantQueries {
  /** Creates an organization with one user and, optionally, an API key and a session. Scope: the new organization. */
  create(tenant: NewTenant): Promise<void>;
}

// ── subnets and addresses (rows only: the in-memory side is store/ipam.ts) ──────────────

export interface SubnetListFilter {
  sectionId?: string;
  vrf?: string;
  parentId?: string;
  /**
   * With `parentId`, the parent's address range (its children lie inside it): the page walks
   * that range of the (org, vrf, family, network) index, not the organization's subnets.
   */
  within?: { vrf: string; family: number; first: Uint8Array; last: Uint8Array };
  root?: boolean;
  family?: number;
  ids?: string[];
  q?: string;
}

export interface SubnetQueries {
  get(orgId: string, id: string): Promise<SubnetRow | null>;
  /** Inserts subnets (a split inserts up to 65,536 at once). */
  /** Inserts with consecutive integer numbers taken for them; answers the first (rows[i] took first + i). */
  insertMany(orgId: string, rows: NewSubnet[]): Promise<number>;
  /** Sets the parent of each of `ids`. */
  setParent(orgId: string, ids: string[], parentId: string | null): Promise<void>;
  reparentChildren(orgId: string, fromId: string, toId: string | null): Promise<void>;
  update(orgId: string, id: string, s: { name: string; description: string; sectionId: string | null; vlan: number | null; at: string }): Promise<void>;
  remove(orgId: string, id: string): Promise<void>;
  /** A parent's children in address order, keyset after (networkKey, prefixLength). */
  childrenAfter(orgId: string, parentId: string, vrf: string, family: number, after: [Uint8Array, number], limit: number): Promise<SubnetRow[]>;
  /** A page in (vrf, family, network, prefix_length) order, keyset after `after`. */
  list(orgId: string, f: SubnetListFilter, limit: number, after?: SubnetSortKey): Promise<{ rows: SubnetRow[]; total: number; more: boolean }>;
  /**
   * Exports (features/io/export.ts): up to `limit` subnets with their section's name, in
   * nesting order (vrf bytewise, family, network, prefix length: containers first), keyset
   * after `after`. No count, no filter: one indexed range scan per page.
   */
  exportPage(orgId: string, limit: number, after?: SubnetSortKey): Promise<SubnetExportRow[]>;
}

/** A subnet as exports write it: its row plus its section's name. */
export interface SubnetExportRow extends SubnetRow {
  section: string | null;
}

/** An address record's place: enough to move or count it. */
export interface AddressKey {
  id: string;
  ip: string;
  ip_key: Uint8Array;
}

export interface AddressQueries {
  /** A record by id; with `liveAt` (ISO now) one expired by then is absent (its row awaits the sweep). */
  get(orgId: string, id: string, liveAt?: string): Promise<AddressRow | null>;
  getByKey(orgId: string, vrf: string, key: Uint8Array): Promise<AddressRow | null>;
  /**
   * Inserts records (their memory side is already taken, store/ipam.ts) with consecutive
   * integer numbers taken for them; answers the first (rows[i] took first + i).
   */
  insertMany(orgId: string, rows: NewAddress[]): Promise<number>;
  /** Records of a subnet between two keys (inclusive), in IP order. */
  keysInRange(subnetId: string, first: Uint8Array, last: Uint8Array): Promise<AddressKey[]>;
  keysOfSubnet(subnetId: string): Promise<AddressKey[]>;
  moveRange(toId: string, fromId: string, first: Uint8Array, last: Uint8Array): Promise<void>;
  moveAll(toId: string, fromId: string): Promise<void>;
  /** Deletes a subnet's records; returns how many. */
  deleteAll(subnetId: string): Promise<number>;
  remove(orgId: string, id: string): Promise<void>;
  update(orgId: string, id: string, a: { hostname: string; status: string; owner: string; mac: string | null; description: string; expires_at: string | null; at: string }): Promise<void>;
  /** Expiry: deletes the row at (vrf, key) if it expired by `now` (an allocation takes its address again); its id and ip. */
  removeExpiredKey(orgId: string, vrf: string, key: Uint8Array, now: string): Promise<{ id: string; ip: string } | null>;
  /** Expiry: deletes up to `limit` records of `orgId` expired by `now` (the sweep). */
  removeExpired(orgId: string, now: string, limit: number): Promise<ExpiredRow[]>;
  /** A page in IP order (by ip_key in one subnet, by (vrf, ip_key) across the organization). */
  list(orgId: string, f: AddressFilters, limit: number, after?: [string, Uint8Array]): Promise<{ rows: AddressRow[]; total: number; more: boolean }>;
  /** Exports: up to `limit` records in (vrf bytewise, ip_key) order, keyset after `after`; no count. */
  exportPage(orgId: string, limit: number, after?: [string, Uint8Array]): Promise<AddressRow[]>;
  /** The records of `vrf` at these keys (in any order; keys without a record are left out). */
  byKeys(orgId: string, vrf: string, keys: Uint8Array[]): Promise<AddressRow[]>;
}

// ── operations (the CLI's lookups across organizations; system work, scope { orgId: null }) ──

export interface OrganizationSummary {
  id: string;
  name: string;
  plan: string;
}

export interface OpsQueries {
  /** Whether any organization has a user (none: `login-link` creates the first owner). */
  hasUsers(): Promise<boolean>;
  /** Up to `limit` organizations, oldest first (created_at, then id). */
  organizations(limit: number): Promise<OrganizationSummary[]>;
  /** The keys of any organization whose id is `id` or whose display prefix is `prefix` (`keys revoke`). */
  keysMatching(match: { id: string } | { prefix: string }): Promise<StoredKey[]>;
  /** Sets an organization's plan. Scope: that organization. */
  setPlan(orgId: string, plan: string, at: string): Promise<void>;
  /**
   * Rows stored in all organizations (metrics). SQLite: exact counts; PostgreSQL: the live-row
   * statistics (`pg_stat_user_tables.n_live_tup`), which row-level security does not hide and
   * which cost nothing to read, a few seconds behind the commits.
   */
  totals(): Promise<{ organizations: number; subnets: number; addresses: number }>;
}

// ── rate limits shared by replicas (auth/request-limits.ts; PostgreSQL only uses it) ───────

export interface RateLimitQueries {
  /**
   * Grants up to `want` requests of `orgId` in fixed window number `window`, never more than
   * `cap` in the window across all callers; returns how many were granted (0: the window is
   * full) and the window's count after it. Drops the organization's older windows when a new
   * one starts.
   */
  take(orgId: string, window: number, cap: number, want: number): Promise<{ granted: number; hits: number }>;
}

// ── events (the change feed) and webhooks (the outbox) ─────────────────────────────────

/**
 * One stored event: `activity.record` appends it in the same transaction as the activity row
 * (and the outbox rows of the matching webhooks with it), so a rolled-back write leaves none.
 * `seq` counts per organization from 1, without holes, in commit order (store/events.ts).
 */
export interface EventQueries {
  /**
   * The organization's events (activity entries with a feed seq) with `seq > after`,
   * ascending, at most `limit`; `oldest`: the lowest seq still kept (null when none is),
   * `head`: the last seq ever handed out (0: none).
   */
  after(orgId: string, after: number, limit: number): Promise<{ rows: EventPayload[]; oldest: number | null; head: number }>;
}

/** A webhook as stored; `secret` never leaves the service except once, at creation. */
export interface WebhookRecord {
  id: string;
  org_id: string;
  url: string;
  /** the patterns, e.g. ["address.*", "subnet.create"] */
  events: string[];
  secret: string;
  active: boolean;
  description: string;
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed";

/** One row of the outbox / delivery log, as listed (the body is not listed). */
export interface DeliveryRecord {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  completed_at: string | null;
}

/** A due delivery claimed by the worker, with what it needs to send and sign it. */
export interface ClaimedDelivery {
  id: string;
  orgId: string;
  webhookId: string;
  url: string;
  secret: string;
  eventId: string;
  eventType: string;
  body: string;
  /** attempts so far, this one included */
  attempts: number;
  createdAt: string;
}

/** How an attempt ended: done (succeeded or failed for good), or pending again at `nextAttemptAt`. */
export interface DeliveryOutcome {
  status: DeliveryStatus;
  at: string;
  nextAttemptAt: string | null;
  httpStatus: number | null;
  error: string | null;
}

export interface WebhookQueries {
  get(orgId: string, id: string): Promise<WebhookRecord | null>;
  insert(webhook: WebhookRecord): Promise<void>;
  update(orgId: string, id: string, fields: Pick<WebhookRecord, "url" | "events" | "secret" | "active" | "description" | "updated_at">): Promise<void>;
  /** Deletes the webhook and its deliveries (pending ones are never sent). */
  remove(orgId: string, id: string): Promise<boolean>;
  /** Oldest first (created_at, then id). */
  list(orgId: string, opts: { limit: number; after?: [string, string] }): Promise<{ rows: WebhookRecord[]; more: boolean; total: number }>;
  /** A webhook's deliveries, newest first (ids are time-ordered); `after`: the previous page's last id. */
  deliveries(orgId: string, webhookId: string, opts: { limit: number; after?: string; status?: DeliveryStatus }): Promise<{ rows: DeliveryRecord[]; more: boolean; total: number }>;
  /** Records a delivery made outside the outbox (a ping), already settled. */
  insertDelivery(orgId: string, d: { id: string; webhookId: string; eventId: string; eventType: string; body: string; createdAt: string; outcome: DeliveryOutcome }): Promise<void>;
  /**
   * System work (scope `{ orgId: null }`): claims up to `limit` deliveries due at `now`, in
   * every organization, oldest first, and leases them until `leaseUntil` (they are not due
   * again before then, so no other worker takes them meanwhile; if this one dies, they come
   * back). PostgreSQL: `FOR UPDATE SKIP LOCKED`, so replicas claiming at once split the rows.
   */
  claimDue(now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]>;
  /** System work: records the attempt's outcome. */
  settle(id: string, outcome: DeliveryOutcome): Promise<void>;
  /** System work: deletes settled deliveries older than `cutoff`; returns how many went (the feed's events go with the activity log's retention). */
  prune(cutoff: string): Promise<number>;
}

// ── DNS, DHCP and Ansible files (features/dns-dhcp; read-only) ──────────────────────────

/** The records of one subnet and its descendants: a VRF, a family and an inclusive ip_key range. */
export interface RecordRange {
  vrf: string;
  family: 4 | 6;
  first: Uint8Array;
  last: Uint8Array;
}

export interface DnsDhcpQueries {
  /**
   * A page of the organization's address records (or those in `range`) in (vrf bytewise,
   * ip_key) order, after the keyset `after`; `last`: the keyset of the page's last row when
   * the page is full (more may follow), else null.
   */
  records(orgId: string, range: RecordRange | undefined, limit: number, after?: [string, Uint8Array]): Promise<{ rows: HostRecord[]; last: [string, Uint8Array] | null }>;
  /**
   * The zone serial: unix seconds (32 bits until 2106) that grow by at least one with every
   * change of the organization (a logical clock over its change history; each dialect's file
   * says over which), and repeat while nothing changes.
   */
  zoneSerial(orgId: string): Promise<number>;
}
