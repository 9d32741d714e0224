/**
 * `ipcraft export` and `ipcraft import` (API.md §12): the same CSV as the API, run on the
 * database directly, through the same Store code as the API (a SQLite file or a postgres://
 * URL). No server lock: on SQLite WAL lets them run beside a server, and the server's
 * registry notices their commits (PRAGMA data_version) before its next request; on
 * PostgreSQL the import is one IPAM write like any replica's, which the replicas follow.
 * `--email` names a user; the command works on that user's organization and the import's
 * activity entry names them.
 *
 * Progress goes to stderr: a redrawn bar on a terminal, plain lines otherwise (logs, CI),
 * then one summary line. Exit codes: 0 done, 1 failed (bad rows listed one per line), 2 usage.
 */
import { isUtf8 } from "node:buffer";
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { ConfigError, databaseKind, type FlagTable } from "../config";
import { openDatabase, type OpenDatabase } from "../db/client";
import { assertWritable, cannotWrite } from "../db/server-lock";
import { ApiError } from "../http/errors";
import { IpamRegistry } from "../ipam/registry";
import { normaliseEmail } from "../auth/accounts";
import type { Actor } from "../features/activity/record";
import { addressesCsv, organizationJson, subnetsCsv } from "../features/io/export";
import { importAddresses } from "../features/io/import-addresses";
import type { ImportDeps } from "../features/io/import-run";
import { importSubnets } from "../features/io/import-subnets";
import { openPgStore } from "../store/pg/store";
import { createSqliteStore } from "../store/sqlite/store";
import type { SignInUser, Store } from "../store/store";
import type { Command, CommandContext } from "../main";

const EMAIL_FLAG = { email: { kind: "string", help: "a user of the organization to export from / import into" } } satisfies FlagTable;

/** The two commands, for the COMMANDS table in main.ts. */
export const IO_COMMANDS: Command[] = [
  {
    words: ["export"],
    usage: "ipcraft export subnets|addresses|json [FILE] --email <user email> [--force]",
    summary: "write an organization's subnets or addresses as CSV (or everything as JSON) to FILE or stdout",
    flags: { ...EMAIL_FLAG, force: { kind: "boolean", default: false, help: "overwrite FILE if it exists" } },
    run: exportCommand,
  },
  {
    words: ["import"],
    usage: "ipcraft import subnets|addresses FILE --email <user email> [--dry-run]",
    summary: "import a CSV file, all or nothing; bad rows are listed and nothing is written",
    flags: { ...EMAIL_FLAG, "dry-run": { kind: "boolean", default: false, help: "check the file and report; write nothing" } },
    run: importCommand,
  },
];

class IoError extends Error {}

/** The database `--db` names, opened for one command: its Store, and on SQLite the connection too. */
interface Opened {
  store: Store;
  /** SQLite only: the import builds its IPAM memory for one organization over it */
  database?: OpenDatabase;
  close(): Promise<void>;
}

async function openExisting(db: string): Promise<Opened> {
  if (databaseKind(db) === "postgres") {
    const store = await openPgStore(db);
    return { store, close: () => store.close() };
  }
  if (!existsSync(db)) throw new IoError(`no database at ${db}; pass --db`);
  // Even a read (export) writes beside the file (WAL, shared memory, migrations): say so
  // plainly on a read-only filesystem instead of SQLite's "unable to open database file".
  assertWritable(db);
  const database = openDatabase(db);
  return { store: createSqliteStore(database), database, close: async () => database.close() };
}

/** The member `--email` names, in whatever organization holds the email (a pre-authentication lookup). */
async function userOf(store: Store, email: unknown): Promise<SignInUser> {
  if (typeof email !== "string" || !email.includes("@")) throw new ConfigError("--email <user email> is required: it picks the organization");
  const normalised = normaliseEmail(email);
  const user = await store.read({ orgId: null }, (q) => q.signIn.userByEmail(normalised));
  if (!user) throw new IoError(`no user with the email ${normalised}`);
  return user;
}

function kindOf<K extends string>(value: string | undefined, kinds: readonly K[], usage: string): K {
  if (!value || !(kinds as readonly string[]).includes(value)) throw new ConfigError(`usage: ${usage}`);
  return value as K;
}

/** `ipcraft export subnets|addresses|json [FILE]`. */
async function exportCommand({ flags, args, out, err }: CommandContext): Promise<number> {
  const usage = IO_COMMANDS[0]!.usage;
  if (args.length > 2) throw new ConfigError(`usage: ${usage}`);
  const kind = kindOf(args[0], ["subnets", "addresses", "json"] as const, usage);
  const file = args[1];
  if (file && existsSync(file) && !flags.force) throw new IoError(`${file} already exists; pass --force to overwrite it`);
  const opened = await openExisting(flags.db as string);
  try {
    const { store } = opened;
    const user = await userOf(store, flags.email);
    const usage = await store.read({ orgId: user.org_id }, (q) => q.organizations.usage(user.org_id));
    const total = kind === "subnets" ? usage.subnets : kind === "addresses" ? usage.addresses : usage.subnets + usage.addresses;
    const chunks =
      kind === "subnets" ? subnetsCsv(store, user.org_id) : kind === "addresses" ? addressesCsv(store, user.org_id) : organizationJson(store, user.org_id);
    const started = performance.now();
    const progress = createProgress(`exporting ${kind === "json" ? "rows" : kind}`, total, err);
    let fd = 1;
    if (file) {
      try {
        fd = openSync(file, "w");
      } catch (error) {
        throw cannotWrite(file, error);
      }
    }
    let rows = 0;
    try {
      for await (const chunk of chunks) {
        writeAll(fd, chunk.text);
        rows += chunk.rows;
        progress.update(Math.min(rows, total));
      }
    } catch (error) {
      if (file) {
        closeSync(fd);
        unlinkSync(file);
      }
      // `ipcraft export addresses | head`: the reader has all it wanted. Stop quietly, as
      // Unix tools do, instead of reporting the closed pipe as a failure.
      if (!file && (error as { code?: string })?.code === "EPIPE") return 0;
      throw error;
    }
    if (file) closeSync(fd);
    progress.done();
    const summary = `exported ${total} ${kind === "json" ? "subnets and addresses" : kind}${file ? ` to ${file}` : ""} in ${seconds(started)}`;
    // On stdout the data is the output: the summary goes to stderr.
    (file ? out : err)(summary);
    return 0;
  } finally {
    await opened.close();
  }
}

/** `ipcraft import subnets|addresses FILE [--dry-run]`. */
async function importCommand({ flags, args, out, err }: CommandContext): Promise<number> {
  const usage = IO_COMMANDS[1]!.usage;
  if (args.length !== 2) throw new ConfigError(`usage: ${usage}`);
  const kind = kindOf(args[0], ["subnets", "addresses"] as const, usage);
  const file = args[1]!;
  if (!existsSync(file)) throw new IoError(`no file ${file}`);
  if (statSync(file).isDirectory()) throw new IoError(`${file} is a directory; give the CSV file to import`);
  // The bytes, not a decoded copy: the import decodes and reads them a piece at a time.
  const csv = readFileSync(file);
  if (!isUtf8(csv)) throw new IoError(`${file} is not UTF-8 text; save it as CSV UTF-8`);
  const dryRun = flags.dryRun as boolean;
  const opened = await openExisting(flags.db as string);
  try {
    const user = await userOf(opened.store, flags.email);
    if (user.role === "viewer") throw new IoError(`${user.email} is a viewer and may not change data`);
    const actor: Actor = { type: "user", id: user.id, label: `${user.email} (CLI)` };
    const started = performance.now();
    // SQLite: memory for this one organization only (the Store's own would load them all),
    // its writes logged so that a running server replays them instead of rebuilding.
    const deps: ImportDeps = opened.database ? { database: opened.database, registry: IpamRegistry.load(opened.database, user.org_id, { logChanges: true }) } : { store: opened.store };
    let progress: Progress | undefined;
    const onProgress = (done: number, total: number) => {
      progress ??= createProgress(`${dryRun ? "checking" : "importing"} ${kind}`, total, err);
      progress.update(done);
    };
    const input = { orgId: user.org_id, actor, csv, dryRun, onProgress };
    try {
      const result = await (kind === "subnets" ? importSubnets(deps, input) : importAddresses(deps, input));
      progress?.done();
      const made = Object.entries(result.created).map(([what, n]) => `${n} ${n === 1 ? singular(what) : what}`).join(" and ");
      out(
        dryRun
          ? `dry run: ${result.rows} rows are fine; the import would create ${made}; nothing was written (${seconds(started)})`
          : `imported ${result.rows} rows from ${file}: created ${made} in ${seconds(started)}`,
      );
      return 0;
    } catch (error) {
      progress?.done();
      if (!(error instanceof ApiError)) throw error;
      const rows = (error.details?.rows as { row: number; error: string }[] | undefined) ?? [];
      for (const bad of rows) err(`row ${bad.row}: ${bad.error}`);
      err(rows.length > 0 ? `nothing was imported: ${rows.length} bad row${rows.length === 1 ? "" : "s"} in ${file}` : `nothing was imported: ${error.message}`);
      return 1;
    }
  } finally {
    await opened.close();
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(2)} s`;
}

/** Progress of a long step on stderr. */
export interface Progress {
  update(done: number): void;
  done(): void;
}

/**
 * A bar redrawn in place when stderr is a terminal (at most ~10 times a second), else a
 * plain line at every 10 %. Nothing for an empty job.
 */
export function createProgress(label: string, total: number, err: (line: string) => void, tty = Boolean(process.stderr.isTTY)): Progress {
  let lastDraw = 0;
  let lastTenth = 0;
  let current = 0;
  let finished = false;
  const draw = () => writeSync(2, `\r${progressBar(label, current, total)}`);
  return {
    update(done) {
      current = done;
      if (total === 0) return;
      if (tty) {
        const now = performance.now();
        if (now - lastDraw >= 100 || done === total) {
          lastDraw = now;
          draw();
        }
        return;
      }
      const tenth = Math.floor((done * 10) / total);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        err(`${label}: ${done}/${total} rows (${tenth * 10}%)`);
      }
    },
    done() {
      if (finished || total === 0) return;
      finished = true;
      if (tty) {
        draw();
        writeSync(2, "\n");
      }
    },
  };
}

/** `importing addresses [##########----------]  50% 50000/100000` */
export function progressBar(label: string, done: number, total: number, width = 30): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total}`;
}

/** "subnets" → "subnet", "addresses" → "address", "sections" → "section". */
function singular(plural: string): string {
  return plural.endsWith("sses") ? plural.slice(0, -2) : plural.replace(/s$/, "");
}
