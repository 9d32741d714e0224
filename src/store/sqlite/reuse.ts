/**
 * SQLite: a subnet's record by hostname or MAC, for `"reuse"` (store/ipam.ts ReuseLookup).
 * Runs inside GroupCommit's transaction, so it sees every earlier job of the batch, and no
 * other writer can slip in between the lookup and the allocation.
 *
 * Hostnames compare without regard to ASCII case, as DNS compares names (RFC 4343): NOCASE,
 * which the hostname index collates (drizzle/0013_hostname_nocase.sql). The `<> ''` /
 * `IS NOT NULL` terms match the partial indexes, which the lookups name: without statistics
 * (no ANALYZE) SQLite preferred the (subnet, ip_key) index for the ORDER BY and read every
 * record of the subnet — 2.6 ms per lookup in a subnet of 50,000, inside the write
 * transaction. INDEXED BY also makes a query the index cannot serve fail when it is prepared.
 */
import type { Database } from "bun:sqlite";
import { toAddress, type AddressRow } from "../../features/addresses/repo";
import type { Address } from "../../features/addresses/model";
import type { ReuseLookup } from "../ipam";

const COLUMNS = "id, subnet_id, vrf, ip, ip_key, hostname, status, owner, mac, description, created_at, updated_at";
const cache = new WeakMap<Database, (subnetId: string, lookup: ReuseLookup, now: string) => Address | null>();

export function reuseLookup(sqlite: Database): (subnetId: string, lookup: ReuseLookup, now: string) => Address | null {
  let find = cache.get(sqlite);
  if (!find) {
    const byHostname = sqlite.query<AddressRow, [string, string, string]>(
      `SELECT ${COLUMNS} FROM addresses INDEXED BY addresses_subnet_hostname_idx
        WHERE subnet_id = ? AND hostname = ? COLLATE NOCASE AND hostname <> '' AND (expires_at IS NULL OR expires_at > ?) ORDER BY ip_key LIMIT 1`,
    );
    const byMac = sqlite.query<AddressRow, [string, string, string]>(
      `SELECT ${COLUMNS} FROM addresses INDEXED BY addresses_subnet_mac_idx
        WHERE subnet_id = ? AND mac = ? AND mac IS NOT NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY ip_key LIMIT 1`,
    );
    // An expired record (its row not swept yet) is free: never reused.
    find = (subnetId, lookup, now) => {
      const row = (lookup.field === "hostname" ? byHostname : byMac).get(subnetId, lookup.value, now);
      return row ? toAddress(row) : null;
    };
    cache.set(sqlite, find);
  }
  return find;
}
