#!/usr/bin/env bun
/**
 * The `ipcraft` command line. One table lists every command; each entry names its flags
 * (parsed by config.ts, with IPCRAFT_<NAME> environment twins) and its handler.
 * Exit codes: 0 success, 1 failure at run time, 2 bad usage or configuration.
 */
import { keysCreate, keysList, keysRevoke, loginLink, orgSetPlan } from "./cli/accounts";
import { CliError } from "./cli/database";
import { IO_COMMANDS } from "./cli/io";
import { COMMON_FLAGS, ConfigError, databaseKind, type FlagTable, parseFlags, SERVE_FLAGS, serverConfig } from "./config";
import { DatabaseInUseError } from "./db/server-lock";
import { SchemaTooNewError } from "./db/migrate";
import { createBufferedLogger } from "./logger";
import { backupDatabase, OpsError, restoreDatabase } from "./ops/backup";
import { formatCheckReport } from "./ops/check";
import { checkAny } from "./ops/check-any";
import { copyDeployment, describeDb } from "./ops/copy";
import { startPgServer, startServer } from "./server";
import { VERSION } from "./version";

export interface CommandContext {
  flags: Record<string, unknown>;
  args: string[];
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Command {
  /** words after `ipcraft`, e.g. ["keys", "create"] */
  words: string[];
  usage: string;
  summary: string;
  flags: FlagTable;
  /** returns the exit code; a long-running command resolves when it is done */
  run(ctx: CommandContext): Promise<number> | number;
}

/** Every command of the binary (API.md §12). Features add theirs to this list. */
export const COMMANDS: Command[] = [
  {
    words: ["serve"],
    usage: "ipcraft serve [--host 127.0.0.1] [--port 8080] [--db ./ipcraft.db] [--public-url URL] ...",
    summary: "run the server",
    flags: SERVE_FLAGS,
    run: serve,
  },
  {
    words: ["login-link"],
    usage: "ipcraft login-link <email> [--public-url URL]",
    summary: "print a one-time sign-in URL (on an empty database, first create that owner)",
    flags: { "public-url": { kind: "url", help: "the URL users reach the server at (as given to serve)" } },
    run: loginLink,
  },
  {
    words: ["keys", "create"],
    usage: "ipcraft keys create --email <email> --name <name> [--scope read|write] [--expires-days N]",
    summary: "create an API key for a user and print it (only it) on stdout",
    flags: {
      email: { kind: "string", help: "the user who owns the key" },
      name: { kind: "string", help: 'what the key is for, e.g. "CI/CD Pipeline"' },
      scope: {
        kind: "string",
        choices: ["read", "write"],
        help: "read or write (default: write, or read for a viewer or on a read-only plan)",
      },
      "expires-days": { kind: "positive-int", help: "expire after this many days (default: never)" },
    },
    run: keysCreate,
  },
  {
    words: ["keys", "list"],
    usage: "ipcraft keys list --email <email>",
    summary: "list a user's API keys (prefixes, never the keys)",
    flags: { email: { kind: "string", help: "whose keys" } },
    run: keysList,
  },
  {
    words: ["keys", "revoke"],
    usage: "ipcraft keys revoke <id|prefix>",
    summary: "revoke an API key; a running server refuses it from the next request",
    flags: {},
    run: keysRevoke,
  },
  {
    words: ["org", "set-plan"],
    usage: "ipcraft org set-plan <free|pro|teams|unlimited> [--email <owner email>]",
    summary: "set an organization's plan (its limits)",
    flags: { email: { kind: "string", help: "a user of the organization (needed when there are several)" } },
    run: orgSetPlan,
  },
  {
    words: ["backup"],
    usage: "ipcraft backup <file> [--db ./ipcraft.db] [--force]",
    summary: "write a consistent copy of the database (safe while the server runs)",
    flags: { force: { kind: "boolean", default: false, help: "overwrite <file> if it exists" } },
    run: ({ flags, args, out }) => {
      sqliteOnly(flags.db as string, "backup");
      const target = onlyArgument(args, "backup <file>");
      const result = backupDatabase(flags.db as string, target, { force: flags.force as boolean });
      out(`backup written to ${result.file} (${result.bytes} bytes)`);
      return 0;
    },
  },
  {
    words: ["restore"],
    usage: "ipcraft restore <file> [--db ./ipcraft.db]",
    summary: "replace the database with a backup (the server must be stopped)",
    flags: {},
    run: ({ flags, args, out }) => {
      sqliteOnly(flags.db as string, "restore");
      const source = onlyArgument(args, "restore <file>");
      const result = restoreDatabase(flags.db as string, source);
      out(`restored ${flags.db} from ${result.restoredFrom}`);
      if (result.keptAside) out(`the previous database was kept as ${result.keptAside}`);
      return 0;
    },
  },
  ...IO_COMMANDS,
  {
    words: ["check"],
    usage: "ipcraft check [--db ./ipcraft.db] [--max-problems 50]",
    summary: "verify the database: SQLite integrity (or PostgreSQL row-level security), subnet hierarchy, addresses, utilization (safe while the server runs)",
    flags: { "max-problems": { kind: "positive-int", default: 50, help: "problems to print before the total" } },
    run: async ({ flags, out }) => {
      const report = await checkAny(flags.db as string);
      return printCheck(report, flags.maxProblems as number, out);
    },
  },
  {
    words: ["copy"],
    usage: "ipcraft copy --from <db> --to <db>   (a SQLite file or a postgres:// URL, either way)",
    summary: "copy a whole deployment into an empty database (SQLite → PostgreSQL and back), verify counts, run check",
    flags: {
      from: { kind: "string", help: "the database to copy: a SQLite file or a postgres:// URL" },
      to: { kind: "string", help: "an empty database to copy into (a new SQLite file, or a postgres:// URL)" },
    },
    run: async ({ flags, out, err }) => {
      const from = flags.from as string | undefined;
      const to = flags.to as string | undefined;
      if (!from || !to) throw new ConfigError("usage: ipcraft copy --from <db> --to <db>, e.g. --from ./ipcraft.db --to postgres://ipcraft@db/ipcraft");
      err(`copying ${describeDb(from)} → ${describeDb(to)}`);
      const result = await copyDeployment(from, to, (line) => err(`  ${line}`));
      const total = result.tables.reduce((n, t) => n + t.rows, 0);
      out(`copied ${total} rows in ${result.tables.length} tables (${result.tables.map((t) => `${t.name} ${t.rows}`).join(", ")}); counts verified on the target`);
      return printCheck(result.check, 50, out);
    },
  },
  {
    words: ["version"],
    usage: "ipcraft version",
    summary: "print the version",
    flags: {},
    run: ({ out }) => {
      out(`ipcraft ${VERSION}`);
      return 0;
    },
  },
];

/** Prints a check report the way `ipcraft check` does; returns the exit code. */
function printCheck(report: Awaited<ReturnType<typeof checkAny>>, max: number, out: (line: string) => void): number {
  const lines = formatCheckReport(report, max);
  if (report.problems.length === 0) {
    out(`ipcraft check: ${lines[0]}`);
    return 0;
  }
  for (const line of lines) out(line);
  return 1;
}

/** backup and restore copy one SQLite file; on PostgreSQL they say what does the job there. */
function sqliteOnly(db: string, command: "backup" | "restore"): void {
  if (databaseKind(db) !== "postgres") return;
  throw new ConfigError(
    command === "backup"
      ? "backup copies a SQLite file; on PostgreSQL use pg_dump (e.g. pg_dump -Fc -f ipcraft.dump <url>), or `ipcraft copy --from <url> --to ./ipcraft.db` for a SQLite copy"
      : "restore replaces a SQLite file; on PostgreSQL use pg_restore into an empty database (e.g. pg_restore -d <url> ipcraft.dump), or `ipcraft copy --from ./backup.db --to <url>`",
  );
}

/** The one positional argument a command takes, or a usage error. */
export function onlyArgument(args: string[], usage: string): string {
  if (args.length !== 1 || !args[0]) throw new ConfigError(`usage: ipcraft ${usage}`);
  return args[0];
}

async function serve({ flags, out }: CommandContext): Promise<number> {
  const config = serverConfig(flags);
  // Buffered: the access log writes once per batch, not once per request (logger.ts).
  const logger = createBufferedLogger(out);
  // On PostgreSQL the features still on SQLite answer 501 naming themselves (store/store.ts).
  const server = databaseKind(config.db) === "postgres" ? await startPgServer(config, logger) : startServer(config, logger);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info("signal received", { signal });
      server.stop().then(resolve);
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
  });
  logger.flush();
  return 0;
}

function commandList(commands: Command[]): string[] {
  const width = Math.max(...commands.map((c) => c.words.join(" ").length));
  return commands.map((c) => `  ${c.words.join(" ").padEnd(width)}  ${c.summary}`);
}

function helpText(): string {
  return [
    "usage: ipcraft <command> [flags]",
    "",
    "commands:",
    ...commandList(COMMANDS),
    "",
    "Every command takes --db (default ./ipcraft.db); every flag also reads IPCRAFT_<NAME> (e.g. IPCRAFT_PORT, IPCRAFT_DB).",
    'Run "ipcraft <command> --help" for its flags.',
  ].join("\n");
}

/** The environment variable that stands in for `--name` (config.ts reads it). */
function envTwin(name: string): string {
  return `IPCRAFT_${name.toUpperCase().replace(/-/g, "_")}`;
}

function commandHelp(command: Command): string {
  // COMMON_FLAGS (--db) first: every command takes them, so every command's help shows them.
  const flags = Object.entries({ ...COMMON_FLAGS, ...command.flags }).map(([name, spec]) => {
    const fallback = spec.default !== undefined && String(spec.default) !== "" ? ` (default ${String(spec.default)})` : "";
    return `  --${name.padEnd(14)} ${spec.help}${fallback} [${envTwin(name)}]`;
  });
  return [`usage: ${command.usage}`, command.summary, "", "flags:", ...flags].join("\n");
}

/** Commands whose first word is `word` when it names a group (`keys`, `org`), else none. */
function groupOf(word: string | undefined): Command[] {
  return COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === word);
}

/** Finds the longest command whose words start argv. */
function findCommand(argv: string[]): Command | undefined {
  return COMMANDS.filter((c) => c.words.every((w, i) => argv[i] === w)).sort((a, b) => b.words.length - a.words.length)[0];
}

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = (line) => console.log(line),
  err: (line: string) => void = (line) => console.error(line),
): Promise<number> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    (argv.length === 0 ? err : out)(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version") argv = ["version"];
  const command = findCommand(argv);
  if (!command) {
    const group = groupOf(argv[0]);
    if (group.length > 0) {
      // `ipcraft keys` or `ipcraft keys --help`: the group's own commands.
      const asked = argv.slice(1).some((a) => a === "--help" || a === "-h" || a === "help");
      const text = [`usage: ipcraft ${argv[0]} <${group.map((c) => c.words[1]).join("|")}> [flags]`, "", "commands:", ...commandList(group)].join("\n");
      (asked ? out : err)(text);
      return asked ? 0 : 2;
    }
    err(`ipcraft: unknown command "${argv.join(" ")}"; run "ipcraft help" for the list`);
    return 2;
  }
  const rest = argv.slice(command.words.length);
  if (rest.includes("--help") || rest.includes("-h")) {
    out(commandHelp(command));
    return 0;
  }
  try {
    const { values, positionals } = parseFlags({ ...COMMON_FLAGS, ...command.flags }, rest, env);
    return await command.run({ flags: values, args: positionals, env, out, err });
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`ipcraft ${command.words.join(" ")}: ${error.message}`);
      return 2;
    }
    if (error instanceof DatabaseInUseError || error instanceof SchemaTooNewError || error instanceof OpsError || error instanceof CliError) {
      err(`ipcraft: ${error.message}`);
      return 1;
    }
    const code = (error as { code?: string })?.code;
    if (code === "EADDRINUSE") {
      err(`ipcraft: the port is already in use: ${(error as Error).message}`);
      return 1;
    }
    if ((code === "ENOENT" || code === "EADDRNOTAVAIL") && (error as Error).message?.includes("listen")) {
      // Bun's words for a --host that names no address of this machine ("no such file or directory").
      err(`ipcraft: cannot listen on that --host: it is not an address of this machine (${(error as Error).message})`);
      return 1;
    }
    err(`ipcraft: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2));
  process.exit(code);
}
