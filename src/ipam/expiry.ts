/**
 * Address expiry in memory (issue 13): which records of an organization have a deadline, and
 * which have passed it but may still have a row (not swept yet).
 *
 *     record with expires_at ──▶ index (deadline by key)
 *          │ deadline ≤ now, at the next use of the organization (`IpamMemory.settle`)
 *          ▼
 *     released from its subnet's allocator, key in `lapsed`: free for first-free, counts,
 *     allocation — while its row may still exist (reads hide it by `expires_at > now`)
 *          │ the sweep deletes the row (activity address.expire), or an allocation takes the
 *          ▼ value again and deletes the old row in its own transaction (`replace`)
 *     gone from `lapsed`
 *
 * Kept beside an OrgIpam in a WeakMap rather than inside it, so that whenever a loader builds a
 * new OrgIpam (boot, rebuild, replica reload) the deadlines are loaded with it (`expiryOf`) and
 * the old ones go with the old state. Keys name (vrf, family, value): a record's subnet can
 * change (a split moves it) while its address does not.
 */
import { ExpiryIndex, type Family } from "../ip";
import type { OrgIpam } from "./org-loader";

export class OrgExpiry {
  /** key → deadline in epoch milliseconds */
  readonly index = new ExpiryIndex<string>();
  /** keys past their deadline, released from memory, whose rows may still exist */
  readonly lapsed = new Set<string>();
}

const byOrg = new WeakMap<OrgIpam, OrgExpiry>();

/** The expiry state of an organization (created empty). */
export function expiryOf(org: OrgIpam): OrgExpiry {
  let e = byOrg.get(org);
  if (!e) byOrg.set(org, (e = new OrgExpiry()));
  return e;
}

export function expiryKey(vrf: string, family: Family, value: bigint): string {
  return `${family}|${value}|${vrf}`;
}

export function parseExpiryKey(key: string): { vrf: string; family: Family; value: bigint } {
  const a = key.indexOf("|");
  const b = key.indexOf("|", a + 1);
  return { family: Number(key.slice(0, a)) as Family, value: BigInt(key.slice(a + 1, b)), vrf: key.slice(b + 1) };
}

/** Epoch milliseconds of a stored deadline (ISO text, or a Date from PostgreSQL). */
export function deadlineMs(at: string | Date): number {
  return at instanceof Date ? at.getTime() : Date.parse(at);
}
