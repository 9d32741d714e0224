/**
 * A BIND reverse zone (in-addr.arpa or ip6.arpa, see reverse-zone.ts for how zones are
 * cut): SOA, NS, then one PTR per address inside the zone whose hostname is usable,
 * pointing at its fully qualified name (short names are qualified with `domain`). Pure.
 *
 * One address has one PTR: when the same IP is named twice (two VRFs), the first is kept
 * and the others are listed.
 */
import { compareIp, parseIp } from "../../ip/address";
import { containsIp, type Prefix } from "../../ip/prefix";
import { dnsEntries, type Generated, type HostRecord, skip, skippedComments, type Skipped } from "./model";
import { ptrOwner } from "./reverse-zone";
import { type SoaOptions, zoneHead } from "./soa";

export interface ReverseOptions extends SoaOptions {
  /** the label-aligned prefix the zone stands for */
  prefix: Prefix;
  /** forward domain that qualifies short host names, lower-case, no trailing dot */
  domain: string;
}

export function bindReverseZone(records: readonly HostRecord[], o: ReverseOptions): Generated {
  const { entries, skipped } = dnsEntries(records, o.domain);
  const all: Skipped[] = [...skipped];
  const ptrs = new Map<string, { owner: string; target: string; ip: ReturnType<typeof parseIp> & { ok: true } }>();
  for (const { record, name } of entries) {
    const ip = parseIp(record.ip);
    if (!ip.ok || !containsIp(o.prefix, ip.value)) continue;
    const target = `${name.fqdn!}.`;
    const existing = ptrs.get(record.ip);
    if (existing) {
      if (existing.target !== target) all.push(skip(record, `${record.ip} already points to ${existing.target}`));
      continue;
    }
    ptrs.set(record.ip, { owner: ptrOwner(ip.value, o.prefix), target, ip });
  }
  const sorted = [...ptrs.values()].sort((a, b) => compareIp(a.ip.value, b.ip.value));
  const head = zoneHead(o, `reverse zone ${o.zone}.`, skippedComments(all, ";"));
  return { text: head + sorted.map((p) => `${p.owner}\tIN\tPTR\t${p.target}\n`).join(""), skipped: all };
}
