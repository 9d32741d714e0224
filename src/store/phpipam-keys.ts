/**
 * Both dialects: the index keys of the phpIPAM searches by IP and by CIDR. Their callers pass
 * canonical text (features/phpipam: formatIp, formatCidr), so the parse cannot fail there; a
 * text that does not parse gets a key no row has, and the search stays empty as before.
 */
import { ipKey, parseCidr, parseIp } from "../ip";

/** The ip_key of an address text. */
export function addressKey(text: string): Uint8Array {
  const parsed = parseIp(text);
  return parsed.ok ? ipKey(parsed.value) : NO_KEY;
}

/** A subnet's (family, network_key, prefix_length) for a CIDR text, in the unique index's order. */
export function subnetKey(text: string): [number, Uint8Array, number] {
  const parsed = parseCidr(text);
  if (!parsed.ok) return [0, NO_KEY, -1];
  const { family, network, length } = parsed.value;
  return [family, ipKey({ family, value: network }), length];
}

/** SQLite's condition on those three columns. */
export const SUBNET_KEY = "s.family = ? AND s.network_key = ? AND s.prefix_length = ?";

/** Shorter than any stored key (16 bytes): matches nothing. */
const NO_KEY = new Uint8Array(0);
