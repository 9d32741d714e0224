/**
 * What an event is, for both dialects (pure: no I/O). Every activity entry is one event: the
 * activity row carries its feed position `seq` (drizzle/0012), the change feed lists those
 * rows (GET /api/v1/events), and each webhook whose patterns match its type gets one outbox
 * row carrying the event's JSON (src/store/{sqlite,pg}/activity.ts write both in the
 * transaction that records the entry).
 *
 * Ordering. `seq` counts per organization from 1 with no holes, and seq order is commit
 * order: the writer bumps its organization's row in `event_counters`, and that row stays
 * locked until its transaction ends (SQLite: one writer at a time anyway; PostgreSQL: the
 * row lock of the UPSERT). A later transaction of the same organization waits for the lock,
 * so it can only take seq n+1 once the holder of n has committed (n is then visible) or
 * rolled back (n is handed out again). A reader that sees n+1 therefore already sees n: the
 * feed's cursor never skips a committed change. A plain sequence would not do: on
 * PostgreSQL `nextval` order is not commit order, and a reader could pass n+1 while n is
 * still in flight and miss it for good. The price is that an organization's writes take
 * turns for the last moment of their transaction (record is the last call of every
 * write body): one round trip and the COMMIT.
 */
import type { ActivityEntry, ActivityRecord, Actor } from "./store";

/** The JSON every feed item and every webhook delivery carries. */
export interface EventPayload {
  /** unique per event: receivers dedupe by it (a delivery may arrive more than once) */
  id: string;
  /** position in the organization's feed; 0 for a ping */
  seq: number;
  /** the activity action, `<target type>.<verb>`, e.g. address.create */
  type: string;
  at: string;
  organization_id: string;
  actor: Actor;
  target: { type: string; id: string | null; label: string };
  changes: Record<string, [unknown, unknown]>;
}

/** The event of an entry being written: its activity row's id, seq and time. */
export function eventPayload(entry: ActivityEntry, id: string, seq: number, at: string): EventPayload {
  return {
    id,
    seq,
    type: entry.action,
    at,
    organization_id: entry.orgId,
    actor: entry.actor,
    target: entry.target,
    changes: entry.changes ?? {},
  };
}

/** An activity row of the feed, as both dialects read it (`at` as ISO text). */
export interface FeedRow extends ActivityRecord {
  seq: number;
}

/** The event of a stored entry: the same JSON its webhooks were sent when it was written. */
export function eventOfRow(orgId: string, row: FeedRow): EventPayload {
  return {
    id: row.id,
    seq: row.seq,
    type: row.action,
    at: row.at,
    organization_id: orgId,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    target: { type: row.target_type, id: row.target_id, label: row.target_label },
    changes: JSON.parse(row.changes) as EventPayload["changes"],
  };
}

/** Entries grouped by organization, each group in the given order (one counter bump per group). */
export function byOrganization<T extends { orgId: string }>(entries: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const list = groups.get(entry.orgId);
    if (list) list.push(entry);
    else groups.set(entry.orgId, [entry]);
  }
  return groups;
}

/** An active webhook as both writers match it: its id and its parsed patterns. */
export interface Hook {
  id: string;
  patterns: string[];
}

/** Webhook rows as stored (`events`: a JSON array of patterns) → hooks to match. */
export function hooksOf(rows: readonly { id: string; events: string }[]): Hook[] {
  return rows.map((h) => ({ id: h.id, patterns: JSON.parse(h.events) as string[] }));
}

/**
 * The outbox rows one entry needs: the hooks that want its type, each with the event's JSON.
 * The body is built only when a hook wants it (the feed builds its items from the row).
 */
export function deliveriesOf(hooks: readonly Hook[], entry: ActivityEntry, id: string, seq: number, at: string): { hookId: string; body: string }[] {
  const out: { hookId: string; body: string }[] = [];
  let body: string | undefined;
  for (const hook of hooks) {
    if (!wantsEvent(hook.patterns, entry.action)) continue;
    body ??= JSON.stringify(eventPayload(entry, id, seq, at));
    out.push({ hookId: hook.id, body });
  }
  return out;
}

/**
 * Whether a webhook subscribed with `patterns` wants an event of `type`: `*` (everything),
 * `address.*` (every verb of one target type) or an exact type (`subnet.create`).
 */
export function wantsEvent(patterns: readonly string[], type: string): boolean {
  for (const p of patterns) {
    if (p === "*" || p === type) return true;
    if (p.endsWith(".*") && type.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}
