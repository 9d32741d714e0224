/**
 * PostgreSQL: a subnet's records by hostname or MAC for `"reuse"` (store/ipam.ts ReuseLookup),
 * read by the address batch (ipam.ts) under the subnet's row lock; the batch adds the records
 * its earlier jobs made, whose rows are not inserted yet. An expired record (its row not swept
 * yet) is free, never reused. The `<> ''` / `IS NOT NULL` terms
 * match the partial indexes (drizzle/pg/0011_idempotency.sql). Hostnames compare without regard
 * to ASCII case, as DNS compares names (RFC 4343): `lower(hostname COLLATE "C")`, which folds
 * A-Z only, as SQLite's NOCASE does and as the index is built (drizzle/pg/0020_hostname_nocase.sql).
 */
import type { TransactionSQL } from "bun";
import type { Address } from "../../features/addresses/model";
import type { ReuseLookup } from "../ipam";
import { iso } from "./errors";

/**
 * `"reuse"` lookups of a batch, in one statement under the subnet's lock: "field\nvalue" → the
 * subnet's record with it (the lowest IP when several have it, as on SQLite).
 */
export async function reuseIndex(tx: TransactionSQL, orgId: string, subnetId: string, lookups: (ReuseLookup | undefined)[], now: string): Promise<Map<string, Address>> {
  const index = new Map<string, Address>();
  const hostnames: string[] = [];
  const macs: string[] = [];
  for (const lookup of lookups) {
    if (lookup?.field === "hostname") hostnames.push(asciiLower(lookup.value));
    else if (lookup?.field === "mac") macs.push(lookup.value);
  }
  if (hostnames.length === 0 && macs.length === 0) return index;
  const rows = (await tx`
    SELECT id, subnet_id, ip, hostname, status, owner, mac, description, number, expires_at, created_at, updated_at FROM addresses
     WHERE org_id = ${orgId} AND subnet_id = ${subnetId}
       AND ((lower(hostname COLLATE "C") = ANY(${tx.array(hostnames, "TEXT")}::text[]) AND hostname <> '')
         OR (mac = ANY(${tx.array(macs, "TEXT")}::text[]) AND mac IS NOT NULL))
       AND (expires_at IS NULL OR expires_at > ${now})
     ORDER BY ip_key`) as (Omit<Address, "expires_at" | "created_at" | "updated_at"> & { expires_at: Date | null; created_at: Date; updated_at: Date })[];
  for (const r of rows) rememberForReuse(index, { ...r, expires_at: r.expires_at && iso(r.expires_at), created_at: iso(r.created_at), updated_at: iso(r.updated_at) });
  return index;
}

/** Adds `a` under its hostname and MAC unless a lower record already holds them. */
export function rememberForReuse(index: Map<string, Address>, a: Address): void {
  const keep = (lookup: ReuseLookup) => {
    const key = reuseKey(lookup);
    if (!index.has(key)) index.set(key, a);
  };
  if (a.hostname !== "") keep({ field: "hostname", value: a.hostname });
  if (a.mac !== null) keep({ field: "mac", value: a.mac });
}

/** Where `reuseIndex` keeps the record a lookup finds: "field\nvalue", a hostname in ASCII lower case. */
export function reuseKey(lookup: ReuseLookup): string {
  return `${lookup.field}\n${lookup.field === "hostname" ? asciiLower(lookup.value) : lookup.value}`;
}

/** A-Z to a-z and nothing else: DNS's case-insensitivity (and SQLite's NOCASE). */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
