/**
 * Host names as DNS and DHCP files need them, from the free-text `hostname` of an address
 * record. Pure: no I/O.
 *
 * Rules (README "DNS, DHCP and Ansible files"):
 * - trimmed and lower-cased; an empty hostname means "no name" (not an error);
 * - every label is a host name label (RFC 952/1123: letters, digits, inner hyphens,
 *   1–63 characters); the whole name at most 253 characters. Underscores, spaces and
 *   non-ASCII text are refused (write internationalised names as punycode, `xn--…`), and
 *   so is a dotted name whose last label is all digits (`10.0.1.5`: it reads as an address);
 * - a trailing dot makes the name absolute (`web.lab.example.`);
 * - with a `domain`: a name equal to it or ending in `.domain` is already qualified;
 *   any other name without a trailing dot is relative to the domain (like `$ORIGIN` in a
 *   zone file: `web.rack1` → `web.rack1.lab.example`); an absolute name outside the
 *   domain stays what it is (the forward zone skips it as out of zone).
 */

/** A usable name: `fqdn` is absolute without its trailing dot (undefined when nothing qualifies a bare label). */
export interface HostName {
  fqdn?: string;
  /** the first label: what DHCP clients are told and /etc/hosts lists as the alias */
  short: string;
  /** the name as written (lower-cased, no trailing dot) */
  name: string;
}

export type NameResult = { ok: true; value: HostName } | { ok: false; reason: string } | { ok: true; value: null };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;

/** Why `label` is not a host name label, or null when it is one. */
function labelProblem(label: string): string | null {
  if (label === "") return "has an empty label (two dots in a row, or a leading dot)";
  if (label.length > 63) return `has a label longer than 63 characters (${label.length})`;
  if (label.includes("_")) return `label "${label}" has an underscore, which host names may not contain`;
  if (!LABEL.test(label)) return `label "${label}" is not letters, digits and inner hyphens`;
  return null;
}

/**
 * A domain or zone name given as a parameter (`lab.example.` or `lab.example`), lower-cased
 * without its trailing dot, or the reason it is not one.
 */
export function parseDomain(text: string): { ok: true; value: string } | { ok: false; reason: string } {
  const name = text.trim().toLowerCase().replace(/\.$/, "");
  if (name === "") return { ok: false, reason: "is empty" };
  if (/[^\x21-\x7e]/.test(name)) return { ok: false, reason: "has spaces or non-ASCII characters (use punycode, xn--...)" };
  if (name.length > MAX_NAME) return { ok: false, reason: `is longer than ${MAX_NAME} characters` };
  for (const label of name.split(".")) {
    const problem = labelProblem(label);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, value: name };
}

/** True when `name` is `domain` or inside it (both without trailing dots). */
export function inDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** The names of a hostname, `null` for an empty one, or why it cannot be used. */
export function hostNameOf(hostname: string, domain?: string): NameResult {
  const trimmed = hostname.trim();
  if (trimmed === "") return { ok: true, value: null };
  if (/[^\x00-\x7f]/.test(trimmed)) {
    return { ok: false, reason: "has non-ASCII characters (write it as punycode, xn--..., to publish it)" };
  }
  if (/\s/.test(trimmed)) return { ok: false, reason: "has spaces" };
  const lower = trimmed.toLowerCase();
  const absolute = lower.endsWith(".");
  const name = absolute ? lower.slice(0, -1) : lower;
  const labels = name.split(".");
  for (const label of labels) {
    const problem = labelProblem(label);
    if (problem) return { ok: false, reason: problem };
  }
  // An all-numeric last label reads as an address (`10.0.1.5`), not a name (RFC 3696 §2).
  if (labels.length > 1 && /^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, reason: "ends in an all-numeric label, so it reads as an address" };
  }
  let fqdn: string | undefined;
  if (domain !== undefined && !absolute && !inDomain(name, domain)) fqdn = `${name}.${domain}`;
  else if (domain !== undefined || absolute || labels.length > 1) fqdn = name;
  if ((fqdn ?? name).length > MAX_NAME) return { ok: false, reason: `is longer than ${MAX_NAME} characters once qualified` };
  return { ok: true, value: { fqdn, short: labels[0]!, name } };
}

/**
 * Text safe inside a one-line comment of any of the files: JSON-quoted (so control
 * characters and newlines are escaped) and ASCII-only (\uXXXX for the rest).
 */
export function commentText(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
