/**
 * Where the DNS, DHCP and Ansible files get their input, on either backend: the subnet a
 * file is limited to, the address records in scope and the zone serial, all through the
 * Store (`q.subnets`, `q.dnsDhcp`). No SQL and no dialect here.
 */
import { ipKey } from "../../ip/address";
import { lastAddress, parseCidr, type Prefix } from "../../ip/prefix";
import type { RecordRange, Store } from "../../store/store";
import { EXPORT_PAGE } from "../io/export";
import type { HostRecord } from "./model";

/** A subnet the files are limited to: its own records and its descendants'. */
export interface SubnetScope {
  id: string;
  cidr: string;
  vrf: string;
  prefix: Prefix;
}

export function dnsDhcpSource(store: Store) {
  return {
    /** The subnet `id` of the organization, or null (unknown, or another organization's). */
    async subnetScope(orgId: string, id: string): Promise<SubnetScope | null> {
      const row = await store.read({ orgId }, (q) => q.subnets.get(orgId, id));
      if (!row) return null;
      const parsed = parseCidr(row.cidr);
      if (!parsed.ok) return null; // stored CIDRs are canonical; never happens
      return { id: row.id, cidr: row.cidr, vrf: row.vrf, prefix: parsed.value };
    },

    /**
     * The serial and every address record of the organization (or of one subnet and its
     * descendants), in (vrf, numeric IP) order, read a keyset page at a time in one read unit.
     * The formatters need the whole set at once (duplicates, sorting), so it is an array.
     * The serial is read first: a change landing between the two reads is then at worst in
     * the file without being counted (the next download repeats the file with a higher
     * serial), never counted without being in it (a sync script comparing serials would skip
     * the file that has it).
     */
    read(orgId: string, scope?: SubnetScope): Promise<{ serial: number; records: HostRecord[] }> {
      return store.read({ orgId }, async (q) => {
        const serial = await q.dnsDhcp.zoneSerial(orgId);
        const range = scope ? rangeOf(scope) : undefined;
        const records: HostRecord[] = [];
        let after: [string, Uint8Array] | undefined;
        for (;;) {
          const page = await q.dnsDhcp.records(orgId, range, EXPORT_PAGE, after);
          for (const r of page.rows) records.push(r);
          if (!page.last) break;
          after = page.last;
        }
        return { serial, records };
      });
    },
  };
}

function rangeOf(scope: SubnetScope): RecordRange {
  const { family, network } = scope.prefix;
  return { vrf: scope.vrf, family, first: ipKey({ family, value: network }), last: ipKey({ family, value: lastAddress(scope.prefix) }) };
}
