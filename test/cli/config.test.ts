import { describe, expect, test } from "bun:test";
import { ConfigError, parseFlags, SERVE_FLAGS, serverConfig } from "../../src/config";
import { COMMANDS, runCli } from "../../src/main";
import { existsSync } from "node:fs";
import { tempDir } from "../helpers/tmp";

describe("serve flags", () => {
  test("defaults bind to localhost:8080 with ./ipcraft.db", () => {
    const config = serverConfig(parseFlags(SERVE_FLAGS, [], {}).values);
    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(8080);
    expect(config.db).toBe("./ipcraft.db");
    expect(config.publicUrl).toBe("http://127.0.0.1:8080");
    expect(config.signup).toBe("closed");
  });

  test("activity is kept forever unless --activity-retention-days (or its env twin) says how many days", () => {
    expect(serverConfig(parseFlags(SERVE_FLAGS, [], {}).values).activityRetentionDays).toBeUndefined();
    expect(serverConfig(parseFlags(SERVE_FLAGS, ["--activity-retention-days", "30"], {}).values).activityRetentionDays).toBe(30);
    expect(serverConfig(parseFlags(SERVE_FLAGS, [], { IPCRAFT_ACTIVITY_RETENTION_DAYS: "365" }).values).activityRetentionDays).toBe(365);
    expect(() => parseFlags(SERVE_FLAGS, ["--activity-retention-days", "0"], {})).toThrow("--activity-retention-days must be a positive whole number");
  });

  test("--db-connections (PostgreSQL's pool): 4 unless the flag or IPCRAFT_DB_CONNECTIONS says, 2 to 100", () => {
    const parse = (argv: string[], env: Record<string, string> = {}) => serverConfig(parseFlags(SERVE_FLAGS, argv, env).values);
    expect(parse([]).dbConnections).toBe(4);
    expect(parse(["--db-connections", "8"]).dbConnections).toBe(8);
    expect(parse([], { IPCRAFT_DB_CONNECTIONS: "2" }).dbConnections).toBe(2);
    expect(() => parse(["--db-connections", "0"])).toThrow("--db-connections must be a positive whole number");
    expect(() => parse(["--db-connections", "101"])).toThrow("--db-connections must be at most 100");
    expect(() => parse(["--db-connections", "1"])).toThrow("--db-connections must be at least 2: allocations use all but one (got 1)");
  });

  test("flags in both --name value and --name=value forms", () => {
    const { values } = parseFlags(SERVE_FLAGS, ["--port", "9000", "--host=0.0.0.0", "--public-url", "https://ipam.example.org/"], {});
    const config = serverConfig(values);
    expect(config.port).toBe(9000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.publicUrl).toBe("https://ipam.example.org");
  });

  test("IPCRAFT_<NAME> environment variables, overridden by flags", () => {
    const env = { IPCRAFT_PORT: "9100", IPCRAFT_DB: "/data/x.db", IPCRAFT_PUBLIC_URL: "http://ipam.lan:9100", IPCRAFT_RATE_LIMIT: "0" };
    const fromEnv = serverConfig(parseFlags(SERVE_FLAGS, [], env).values);
    expect(fromEnv.port).toBe(9100);
    expect(fromEnv.db).toBe("/data/x.db");
    expect(fromEnv.publicUrl).toBe("http://ipam.lan:9100");
    expect(fromEnv.rateLimit).toBe(0);
    const flagWins = serverConfig(parseFlags(SERVE_FLAGS, ["--port", "9200"], env).values);
    expect(flagWins.port).toBe(9200);
  });

  test("repeatable --trusted-proxy collects every value", () => {
    const { values } = parseFlags(SERVE_FLAGS, ["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"], {});
    expect(values.trustedProxy).toEqual(["10.0.0.0/8", "::1"]);
  });

  test("--host and --smtp-url are checked before anything opens the database; a flag given twice is refused", () => {
    const parse = (argv: string[]) => serverConfig(parseFlags(SERVE_FLAGS, argv, {}).values);
    for (const host of ["127.0.0.1", "::1", "[::1]", "0.0.0.0", "localhost", "ipam.lab.example", "my_service", "fe80::1%eth0"]) {
      const config = parse(["--host", host]);
      expect(config.host).toBe(host);
      expect(() => new URL(config.publicUrl)).not.toThrow(); // links are built from it
    }
    expect(parse(["--host", "[::1]"]).publicUrl).toBe("http://[::1]:8080");
    for (const host of ["999.1.1.1", "bad host", "a/b"]) expect(() => parse(["--host", host])).toThrow(`--host must be an IP address or a host name of this machine (got "${host}")`);
    expect(() => parse(["--smtp-url", "http://mail.example"])).toThrow("--smtp-url: unsupported mail URL scheme http:");
    expect(parse(["--smtp-url", "smtp://user:pw@mail.example:587"]).smtpUrl).toBe("smtp://user:pw@mail.example:587");
    expect(() => parse(["--port", "1", "--port", "2"])).toThrow("--port is given more than once; give it once");
  });

  const bad: [string[], Record<string, string>, RegExp][] = [
    [["--port", "abc"], {}, /--port must be a port number/],
    [["--port", "70000"], {}, /--port must be a port number/],
    [["--port", "-1"], {}, /--port needs a value|--port must be/],
    [[], { IPCRAFT_PORT: "http" }, /IPCRAFT_PORT must be a port number/],
    [["--public-url", "not a url"], {}, /--public-url must be a URL/],
    [["--signup", "maybe"], {}, /--signup must be one of closed, open/],
    [["--rate-limit", "-3"], {}, /--rate-limit/],
    [["--trusted-proxy", "proxy.lan"], {}, /--trusted-proxy must be an IP or CIDR/],
    [["--colour", "red"], {}, /unknown flag --colour/],
    [["--port"], {}, /--port needs a value/],
    [["--db", ""], {}, /--db must not be empty/],
  ];
  for (const [argv, env, message] of bad) {
    test(`refuses ${JSON.stringify(argv)} ${JSON.stringify(env)}`, () => {
      expect(() => parseFlags(SERVE_FLAGS, argv, env)).toThrow(ConfigError);
      expect(() => parseFlags(SERVE_FLAGS, argv, env)).toThrow(message);
    });
  }
});

describe("the command line", () => {
  async function cli(argv: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, env, (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  test("version prints the version", async () => {
    const r = await cli(["version"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ipcraft \d+\.\d+\.\d+/);
  });

  test("a bad flag exits 2 with one line naming it", async () => {
    const r = await cli(["serve", "--port", "http"]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toContain("--port must be a port number");
  });

  test("a bad environment value exits 2", async () => {
    const r = await cli(["serve"], { IPCRAFT_SIGNUP: "sometimes" });
    expect(r.code).toBe(2);
    expect(r.err).toContain("IPCRAFT_SIGNUP");
  });

  test("serve with a --smtp-url it cannot use exits 2 and creates no database; a --host of another machine and an import of a directory say so", async () => {
    const dir = tempDir();
    const r = await cli(["serve", "--db", `${dir}/never.db`, "--port", "0", "--smtp-url", "http://mail.example"]);
    expect([r.code, r.err.includes("--smtp-url")]).toEqual([2, true]);
    expect(existsSync(`${dir}/never.db`)).toBe(false);
    const imported = await cli(["import", "subnets", dir, "--db", `${dir}/never.db`]);
    expect([imported.code, imported.err.includes("is a directory")]).toEqual([1, true]);
    // A well-formed address of another machine (TEST-NET-1): Bun says "no such file or directory".
    const elsewhere = await cli(["serve", "--db", `${dir}/elsewhere.db`, "--port", "0", "--host", "192.0.2.1"]);
    expect([elsewhere.code, elsewhere.err.includes("not an address of this machine")]).toEqual([1, true]);
  });

  test("an unknown command exits 2 and points at help", async () => {
    const r = await cli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("ipcraft help");
  });

  test("every command's --help names --db and each flag's IPCRAFT_<NAME> twin", async () => {
    for (const command of COMMANDS) {
      const r = await cli([...command.words, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("--db");
      expect(r.out).toContain("[IPCRAFT_DB]");
      for (const name of Object.keys(command.flags)) {
        expect(r.out).toContain(`--${name}`);
        expect(r.out).toContain(`[IPCRAFT_${name.toUpperCase().replace(/-/g, "_")}]`);
      }
    }
  });

  test("a command group alone lists its commands: with --help on stdout (0), bare on stderr (2)", async () => {
    const help = await cli(["keys", "--help"]);
    expect(help.code).toBe(0);
    for (const sub of ["keys create", "keys list", "keys revoke"]) expect(help.out).toContain(sub);
    expect(help.out).not.toContain("org set-plan");
    const bare = await cli(["org"]);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain("org set-plan");
  });

  test("help lists serve and version", async () => {
    const r = await cli(["help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("serve");
    expect(r.out).toContain("version");
  });
});
