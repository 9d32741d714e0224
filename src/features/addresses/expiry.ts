/**
 * The expiry sweep (issue 13): deletes the rows of records whose deadline passed, with activity
 * address.expire (actor system), one transaction per organization. Memory freed those
 * addresses already at their deadline (IpamMemory.settle), so the sweep only tidies rows and
 * the log; it runs from the server's housekeeping, and tests call it with their clock.
 */
import { ipFromKey } from "../../ip";
import { valueOfKey } from "../../ipam/codec";
import { expiryKey } from "../../ipam/expiry";
import { expireEntry } from "../../store/ipam";
import type { Store } from "../../store/store";

/** How often housekeeping sweeps. Reads never wait for it: an expired address is free at once. */
export const SWEEP_EVERY_MS = 15_000;

/** Sweeps every organization at the IPAM clock's now; returns how many records went. */
export async function sweepExpired(store: Pick<Store, "ipam">): Promise<number> {
  const { ipam } = store;
  const now = new Date(ipam.memory.clock()).toISOString();
  let swept = 0;
  for (const orgId of await ipam.expiringOrgs(now)) {
    swept += await ipam.write(orgId, async (q, journal) => {
      const rows = await q.addresses.removeExpired(orgId, now);
      for (const row of rows) {
        const state = ipam.memory.subnet(orgId, row.subnet_id);
        const family = state?.prefix.family ?? ipFromKey(row.ip_key).family;
        ipam.memory.expired(journal, state, expiryKey(row.vrf, family, valueOfKey(row.ip_key, family)));
        await q.activity.record(expireEntry(orgId, row, now));
      }
      return rows.length;
    });
  }
  return swept;
}
