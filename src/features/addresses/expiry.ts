/**
 * The expiry sweep (issue 13): deletes the rows of records whose deadline passed, with activity
 * address.expire (actor system), in transactions of SWEEP_BATCH rows per organization. Memory freed those
 * addresses already at their deadline (IpamMemory.settle), so the sweep only tidies rows and
 * the log; it runs from the server's housekeeping, and tests call it with their clock.
 */
import { valueOfKey } from "../../ipam/codec";
import { expireEntry } from "../../store/ipam";
import type { Store } from "../../store/store";

/**
 * Rows per sweep transaction: each expired address goes with its activity entry in one
 * transaction, but 100,000 of them must not hold the write lock (SQLite) or the organization's
 * locks (PostgreSQL) for seconds while allocations wait.
 */
export const SWEEP_BATCH = 5_000;

/** How often housekeeping sweeps. Reads never wait for it: an expired address is free at once. */
export const SWEEP_EVERY_MS = 15_000;

/** Sweeps every organization at the IPAM clock's now; returns how many records went. */
export async function sweepExpired(store: Pick<Store, "ipam">): Promise<number> {
  const { ipam } = store;
  const now = new Date(ipam.memory.clock()).toISOString();
  let swept = 0;
  for (const orgId of await ipam.expiringOrgs(now)) {
    for (;;) {
      const n = await sweepSome(store, orgId, now);
      swept += n;
      if (n < SWEEP_BATCH) break;
    }
  }
  return swept;
}

/** One transaction: up to SWEEP_BATCH expired rows of one organization, their memory and their activity. */
function sweepSome(store: Pick<Store, "ipam">, orgId: string, now: string): Promise<number> {
  const { ipam } = store;
  return ipam.write(orgId, async (q, journal) => {
    const rows = await q.addresses.removeExpired(orgId, now, SWEEP_BATCH);
    for (const row of rows) {
      // A row whose subnet memory does not hold (gone with its subnet) has nothing to free.
      const state = ipam.memory.subnet(orgId, row.subnet_id);
      if (state) ipam.memory.expired(journal, state, valueOfKey(row.ip_key, state.prefix.family));
    }
    // In one call: the feed's counter bumped and the webhooks read once (SQLite), multi-row INSERTs (PostgreSQL).
    await q.activity.recordMany(rows.map((row) => expireEntry(orgId, row, now)));
    return rows.length;
  });
}
