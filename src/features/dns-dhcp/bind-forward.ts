/**
 * A BIND forward zone (RFC 1035 master file): SOA, NS, then one A or AAAA record per
 * address record whose hostname lands inside the zone. Pure.
 *
 * A name with several addresses (dual stack, or two records sharing a name) becomes an
 * RRset; the same name and address twice (two VRFs) is written once. Names outside the
 * zone, and names that are not valid host names, are skipped and listed at the top.
 */
import { ApiError } from "../../http/errors";
import { dnsEntries, type Generated, type HostRecord, skip, skippedComments, type Skipped } from "./model";
import { inDomain } from "./names";
import { relativeTo, type SoaOptions, zoneHead } from "./soa";

export interface ForwardOptions extends SoaOptions {
  /** addresses for the first name server when it is inside the zone and ipcraft has no record for it */
  nsAddresses: { ip: string; family: 4 | 6 }[];
}

interface Rr {
  owner: string;
  type: "A" | "AAAA";
  ip: string;
}

export function bindForwardZone(records: readonly HostRecord[], o: ForwardOptions): Generated {
  const { entries, skipped } = dnsEntries(records, o.zone);
  const all: Skipped[] = [...skipped];
  const rrs: Rr[] = [];
  for (const { record, name } of entries) {
    const fqdn = name.fqdn!; // always set: a domain was given
    if (!inDomain(fqdn, o.zone)) {
      all.push(skip(record, `${fqdn}. is outside the zone ${o.zone}.`));
      continue;
    }
    rrs.push({ owner: relativeTo(fqdn, o.zone), type: record.family === 4 ? "A" : "AAAA", ip: record.ip });
  }
  o.ns.forEach((ns, index) => {
    if (!inDomain(ns, o.zone)) return;
    const owner = relativeTo(ns, o.zone);
    if (index === 0) {
      for (const a of o.nsAddresses) {
        if (!rrs.some((r) => r.owner === owner && r.ip === a.ip)) rrs.push({ owner, type: a.family === 4 ? "A" : "AAAA", ip: a.ip });
      }
    }
    if (!rrs.some((r) => r.owner === owner)) {
      throw new ApiError(
        "invalid_request",
        `the name server ${ns}. is inside the zone but has no address: give a host of that name an address in ipcraft, ` +
          `pass ns_address=<its IP>, or name a server outside the zone with ns=`,
        { field: "ns", ns: `${ns}.` },
      );
    }
  });
  // Apex first, then by name; A before AAAA; addresses in the order read (numeric per VRF).
  const order = (r: Rr) => (r.owner === "@" ? "" : r.owner);
  rrs.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : a.type === b.type ? 0 : a.type === "A" ? -1 : 1));
  const head = zoneHead(o, `forward zone ${o.zone}.`, skippedComments(all, ";"));
  return { text: head + rrs.map((r) => `${r.owner}\tIN\t${r.type}\t${r.ip}\n`).join(""), skipped: all };
}
