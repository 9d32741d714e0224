/**
 * SQLite: a subnet's record by hostname or MAC, for `"reuse"` (store/ipam.ts ReuseLookup).
 * Runs inside GroupCommit's transaction, so it sees every earlier job of the batch, and no
 * other writer can slip in between the lookup and the allocation. The `<> ''` / `IS NOT NULL`
 * terms match the partial indexes (drizzle/0007_idempotency.sql) so SQLite may use them.
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
      `SELECT ${COLUMNS} FROM addresses WHERE subnet_id = ? AND hostname = ? AND hostname <> '' AND (expires_at IS NULL OR expires_at > ?) ORDER BY ip_key LIMIT 1`,
    );
    const byMac = sqlite.query<AddressRow, [string, string, string]>(
      `SELECT ${COLUMNS} FROM addresses WHERE subnet_id = ? AND mac = ? AND mac IS NOT NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY ip_key LIMIT 1`,
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
