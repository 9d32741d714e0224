/**
 * Command-line flags and their IPCRAFT_<NAME> environment twins, validated.
 * A flag on the command line wins over the environment; anything invalid is a
 * ConfigError whose message is one line the CLI prints as is.
 */
import ipaddr from "ipaddr.js";
import { isIP } from "node:net";
import { parseSmtpUrl } from "./auth/smtp";

export class ConfigError extends Error {}

type Kind = "string" | "port" | "nonneg-number" | "url" | "boolean" | "cidr-list" | "positive-int";

export interface FlagSpec {
  kind: Kind;
  default?: string | number | boolean | string[];
  /** allowed values for string flags */
  choices?: readonly string[];
  help: string;
}

export type FlagTable = Record<string, FlagSpec>;

/** Flags shared by every command. */
export const COMMON_FLAGS = {
  db: { kind: "string", default: "./ipcraft.db", help: "the SQLite database file (serve and login-link create it)" },
} satisfies FlagTable;

export const SERVE_FLAGS = {
  ...COMMON_FLAGS,
  host: { kind: "string", default: "127.0.0.1", help: "address to listen on" },
  port: { kind: "port", default: 8080, help: "TCP port (0 picks a free one)" },
  "public-url": { kind: "url", help: "URL users reach the server at (sign-in links, Secure cookies)" },
  // 100/s with bursts of 2 s' worth (200): a UI page load or a script's back-to-back calls never
  // notice it; a runaway loop does. Plans with their own rate (free/pro/teams) use theirs.
  "rate-limit": { kind: "nonneg-number", default: 100, help: "requests per second per organization or client IP, bursts of 2 s (0 = off)" },
  signup: { kind: "string", default: "closed", choices: ["closed", "open"], help: "who may sign in: closed = known and invited emails" },
  "smtp-url": { kind: "url", help: "smtp://user:pass@host:port to mail sign-in links (else they are logged)" },
  "trusted-proxy": { kind: "cidr-list", default: [], help: "proxy allowed to set X-Forwarded-For (repeatable)" },
  metrics: { kind: "boolean", default: false, help: "serve Prometheus metrics at /metrics" },
  "idle-timeout": {
    kind: "positive-int",
    default: 30,
    help: "seconds a connection may stay silent mid-request or between requests before it is closed (1-255)",
  },
  "activity-retention-days": {
    kind: "positive-int",
    help: "days of activity kept for organizations on the unlimited plan, the self-hosted default (default: kept forever)",
  },
  // Few connections, each busy: every connection prepares and plans its own statements and
  // wakes its own PostgreSQL process (store/pg/store.ts DEFAULT_POOL).
  "db-connections": {
    kind: "positive-int",
    default: 4,
    help: "PostgreSQL: connections this server opens at most (2-100), plus one for the lookups every request starts with; ignored on SQLite",
  },
  // FULL fsyncs every commit: an acknowledged write survives a power cut (db/client.ts).
  synchronous: {
    kind: "string",
    default: "full",
    choices: ["full", "normal"],
    help: "full = every acknowledged write survives a power cut; normal = faster, a power cut may lose the last writes",
  },
} satisfies FlagTable;


export interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
}

/** Parses `argv` (after the command words) against `table`, reading IPCRAFT_* from `env`. */
export function parseFlags(table: FlagTable, argv: string[], env: Record<string, string | undefined>): Parsed {
  const raw = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = table[name];
    if (!spec) throw new ConfigError(`unknown flag --${name}`);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (spec.kind === "boolean") value = "true";
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new ConfigError(`--${name} needs a value`);
      value = next;
      i++;
    }
    const earlier = raw.get(name) ?? [];
    // Only lists repeat (--trusted-proxy a --trusted-proxy b); any other flag given twice is
    // a mistake to point out, not a choice to make silently (`--name n --name m`).
    if (earlier.length > 0 && spec.kind !== "cidr-list") throw new ConfigError(`--${name} is given more than once; give it once`);
    raw.set(name, [...earlier, value]);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const envName = `IPCRAFT_${name.toUpperCase().replace(/-/g, "_")}`;
    const fromFlag = raw.get(name);
    const fromEnv = env[envName];
    const source = fromFlag ? `--${name}` : envName;
    const texts = fromFlag ?? (fromEnv !== undefined && fromEnv !== "" ? splitEnv(spec, fromEnv) : undefined);
    values[camel(name)] = texts === undefined ? spec.default : convert(spec, texts, source);
  }
  return { values, positionals };
}

function splitEnv(spec: FlagSpec, text: string): string[] {
  return spec.kind === "cidr-list" ? text.split(/[,\s]+/).filter(Boolean) : [text];
}

function camel(name: string): string {
  return name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

function convert(spec: FlagSpec, texts: string[], source: string): unknown {
  const text = texts[texts.length - 1]!;
  switch (spec.kind) {
    case "string":
      if (text === "") throw new ConfigError(`${source} must not be empty`);
      if (spec.choices && !spec.choices.includes(text)) {
        throw new ConfigError(`${source} must be one of ${spec.choices.join(", ")} (got "${text}")`);
      }
      return text;
    case "port": {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n > 65535) throw new ConfigError(`${source} must be a port number 0-65535 (got "${text}")`);
      return n;
    }
    case "positive-int": {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < 1) throw new ConfigError(`${source} must be a positive whole number (got "${text}")`);
      return n;
    }
    case "nonneg-number": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n) || n < 0) {
        throw new ConfigError(`${source} must be a number >= 0 (got "${text}")`);
      }
      return n;
    }
    case "boolean":
      if (!["true", "false", "1", "0", "yes", "no"].includes(text)) {
        throw new ConfigError(`${source} must be true or false (got "${text}")`);
      }
      return ["true", "1", "yes"].includes(text);
    case "url": {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new ConfigError(`${source} must be a URL such as https://ipam.example.org (got "${text}")`);
      }
      return url.toString().replace(/\/$/, "");
    }
    case "cidr-list":
      return texts.flatMap((t) => splitEnv(spec, t)).map((cidr) => {
        if (!ipaddr.isValidCIDR(cidr) && !ipaddr.isValid(cidr)) {
          throw new ConfigError(`${source} must be an IP or CIDR such as 10.0.0.1 or 10.0.0.0/8 (got "${cidr}")`);
        }
        return cidr;
      });
  }
}

/** Settings of a running server, as createApp and the server read them. */
export interface ServerConfig {
  db: string;
  host: string;
  port: number;
  publicUrl: string;
  rateLimit: number;
  signup: "closed" | "open";
  smtpUrl?: string;
  trustedProxy: string[];
  metrics: boolean;
  /** Seconds of silence after which a connection is closed (slow or stalled clients). */
  idleTimeout: number;
  /** SQLite's durability: "full" (default) or the opt-in "normal". */
  synchronous: "full" | "normal";
  /** Days of activity the unlimited plan keeps; undefined = forever (plans free/pro/teams keep theirs). */
  activityRetentionDays?: number;
  /** PostgreSQL: the pool's connections (a lookup connection comes on top); unused on SQLite. */
  dbConnections: number;
}

/** The public URL when none is configured: where this machine's own browser reaches the server. */
export function autoPublicUrl(host: string, port: number): string {
  // IPv6 in brackets (once); a zone id ("%eth0") has no place in a URL's host. "::" and
  // 0.0.0.0 listen everywhere: links point at the loopback address.
  const bare = unbracketed(host).replace(/%.*$/, "");
  const shownHost = bare === "::" ? "[::1]" : bare.includes(":") ? `[${bare}]` : bare === "0.0.0.0" ? "127.0.0.1" : bare;
  return `http://${shownHost}:${port}`;
}

/** "[::1]" → "::1": IPv6 as URLs write it, as the address itself. */
function unbracketed(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}

/** A host name: labels of letters, digits, hyphens (and underscores, which /etc/hosts allows), dot-separated. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function serverConfig(values: Record<string, unknown>): ServerConfig {
  const host = values.host as string;
  const port = values.port as number;
  const idleTimeout = values.idleTimeout as number;
  // Bun.serve accepts at most 255 s.
  if (idleTimeout > 255) throw new ConfigError(`--idle-timeout must be at most 255 seconds (got ${idleTimeout})`);
  const dbConnections = values.dbConnections as number;
  if (dbConnections > 100) throw new ConfigError(`--db-connections must be at most 100 (got ${dbConnections})`);
  // Allocation batches may use all but one (store/pg/ipam.ts): with one, a batch waiting on
  // another replica's locks would hold the only connection and stall every request.
  if (dbConnections < 2) throw new ConfigError(`--db-connections must be at least 2: allocations use all but one (got ${dbConnections})`);
  // Checked before anything opens the database (its file and lock were created, then the server refused).
  // "[::1]" is IPv6 as URLs write it (Bun listens on it too); names may hold "_" (/etc/hosts, Docker).
  const bare = unbracketed(host);
  if (isIP(bare) === 0 && (/^[\d.]+$/.test(bare) || !HOST_NAME.test(bare))) {
    throw new ConfigError(`--host must be an IP address or a host name of this machine (got "${host}")`);
  }
  const smtpUrl = values.smtpUrl as string | undefined;
  if (smtpUrl !== undefined) {
    try {
      parseSmtpUrl(smtpUrl);
    } catch (error) {
      throw new ConfigError(`--smtp-url: ${error instanceof Error ? error.message : String(error)} (use smtp://user:pass@host:port or smtps://…)`);
    }
  }
  return {
    db: values.db as string,
    host,
    port,
    publicUrl: (values.publicUrl as string | undefined) ?? autoPublicUrl(host, port),
    rateLimit: values.rateLimit as number,
    signup: values.signup as "closed" | "open",
    smtpUrl,
    trustedProxy: values.trustedProxy as string[],
    metrics: values.metrics as boolean,
    idleTimeout,
    synchronous: values.synchronous as "full" | "normal",
    activityRetentionDays: values.activityRetentionDays as number | undefined,
    dbConnections,
  };
}

/** A configuration for tests and in-process use, with every default filled. */
export function defaultServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config = { ...serverConfig(parseFlags(SERVE_FLAGS, [], {}).values), db: ":memory:", ...overrides };
  if (overrides.publicUrl === undefined) config.publicUrl = autoPublicUrl(config.host, config.port);
  return config;
}

/** Which storage `--db` names: a PostgreSQL URL, or else a SQLite file path (the default). */
export type DatabaseKind = "sqlite" | "postgres";

/**
 * Tells a PostgreSQL URL (`postgres://…`, `postgresql://…`, any letter case) from a SQLite
 * path. Any other `scheme://` is refused rather than created as an oddly named SQLite file;
 * the message names only the scheme, because the URL may hold a password.
 */
export function databaseKind(db: string): DatabaseKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(db)?.[1]?.toLowerCase();
  if (scheme === undefined) return "sqlite";
  if (scheme !== "postgres" && scheme !== "postgresql") {
    throw new ConfigError(`--db must be a SQLite file path or a postgres:// URL (got a ${scheme}:// URL)`);
  }
  try {
    new URL(db);
  } catch {
    throw new ConfigError("--db is not a valid postgres:// URL (expected postgres://user:password@host:5432/database)");
  }
  return "postgres";
}
