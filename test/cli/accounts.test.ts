import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { sha256Hex } from "../../src/auth/tokens";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { runCli } from "../../src/main";
import { startServer } from "../../src/server";
import { tempDir } from "../helpers/tmp";

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, env, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err: err.join("\n") };
}

function freshDb(): string {
  return `${tempDir()}/ipcraft.db`;
}

function query<T>(db: string, sql: string): T[] {
  const database = openDatabase(db);
  try {
    return database.sqlite.query(sql).all() as T[];
  } finally {
    database.close();
  }
}

describe("ipcraft login-link", () => {
  test("on an empty database: creates the owner and organization, prints only the URL", async () => {
    const db = freshDb();
    const r = await cli(["login-link", "Admin@Example.org", "--db", db, "--public-url", "https://ipam.lan"]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^https:\/\/ipam\.lan\/auth\/verify\?token=[A-Za-z0-9]{43}$/);
    const users = query<{ email: string; role: string }>(db, "SELECT email, role FROM users");
    expect(users).toEqual([{ email: "admin@example.org", role: "owner" }]);
    const token = r.out[0]!.split("token=")[1]!;
    const stored = query<{ token_hash: string }>(db, "SELECT token_hash FROM login_tokens");
    expect(stored).toEqual([{ token_hash: sha256Hex(token) }]);
  });

  test("for an existing user: a link, no new user; an unknown email on a used database is refused", async () => {
    const db = freshDb();
    await cli(["login-link", "admin@example.org", "--db", db]);
    const again = await cli(["login-link", "admin@example.org", "--db", db]);
    expect(again.code).toBe(0);
    expect(again.out[0]).toStartWith("http://127.0.0.1:8080/auth/verify?token=");
    const stranger = await cli(["login-link", "stranger@example.org", "--db", db]);
    expect(stranger.code).toBe(1);
    expect(stranger.err).toContain("no user");
    expect(query(db, "SELECT id FROM users")).toHaveLength(1);
    // Two emails: refused, not the first one's link with the second ignored.
    const two = await cli(["login-link", "admin@example.org", "other@example.org", "--db", db]);
    expect([two.code, two.out.length, two.err.includes("takes one email")]).toEqual([2, 0, true]);
  });

  test("beside a running server, the link names that server's URL (here a random port); after it stops, the default", async () => {
    const db = freshDb();
    await cli(["login-link", "admin@example.org", "--db", db]);
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
    try {
      const link = await cli(["login-link", "admin@example.org", "--db", db]);
      expect(link.out[0]).toStartWith(`http://127.0.0.1:${server.port}/auth/verify?token=`);
      // and it works there: the verify page answers
      expect((await fetch(link.out[0]!)).status).toBe(200);
    } finally {
      await server.stop();
    }
    expect((await cli(["login-link", "admin@example.org", "--db", db])).out[0]).toStartWith("http://127.0.0.1:8080/");
  });

  test("a missing or bad email is a usage error (exit 2)", async () => {
    expect((await cli(["login-link", "--db", freshDb()])).code).toBe(2);
    expect((await cli(["login-link", "nope", "--db", freshDb()])).code).toBe(2);
  });
});

describe("ipcraft keys and org, beside a running server", () => {
  test("create prints only a key that works at once; list shows prefixes only; revoke stops it on the next request", async () => {
    const db = freshDb();
    await cli(["login-link", "admin@example.org", "--db", db]);
    const logger = createMemoryLogger();
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), logger);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const created = await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "CI/CD Pipeline", "--expires-days", "30"]);
      expect(created.code).toBe(0);
      expect(created.out).toHaveLength(1);
      const key = created.out[0]!;
      expect(key).toMatch(/^ipc_[0-9A-Za-z]{40}$/);
      const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { scope: string }).scope).toBe("write");

      const listed = await cli(["keys", "list", "--db", db, "--email", "admin@example.org"]);
      expect(listed.code).toBe(0);
      const text = listed.out.join("\n");
      expect(text).toContain(key.slice(0, 12));
      expect(text).toContain("CI/CD Pipeline");
      expect(text).not.toContain(key.slice(12));

      const revoked = await cli(["keys", "revoke", "--db", db, key.slice(0, 12)]);
      expect(revoked.code).toBe(0);
      const after = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } });
      expect(after.status).toBe(401);
      expect((await cli(["keys", "revoke", "--db", db, key.slice(0, 12)])).code).toBe(1);
      expect(logger.lines.join("\n")).not.toContain(key);
    } finally {
      await server.stop();
    }
    const actions = query<{ action: string; actor_type: string }>(db, "SELECT action, actor_type FROM activity ORDER BY at");
    expect(actions.map((a) => a.action)).toEqual(["organization.create", "api_key.create", "api_key.revoke"]);
    expect(actions.every((a) => a.actor_type === "system")).toBe(true);
  });

  test("revoke by id; a read key; the key is not in the database file", async () => {
    const db = freshDb();
    await cli(["login-link", "admin@example.org", "--db", db]);
    const key = (await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "ro", "--scope", "read"])).out[0]!;
    const [row] = query<{ id: string; scope: string }>(db, "SELECT id, scope FROM api_keys");
    expect(row!.scope).toBe("read");
    const bytes = ["", "-wal"].map((s) => (existsSync(db + s) ? readFileSync(db + s).toString("latin1") : "")).join("");
    expect(bytes).toContain(sha256Hex(key));
    expect(bytes).not.toContain(key.slice(12));
    expect((await cli(["keys", "revoke", "--db", db, row!.id])).code).toBe(0);
    expect(query(db, "SELECT id FROM api_keys")).toHaveLength(0);
  });

  test("bad usage: unknown user (1), missing name (2), bad scope (2), no database (1)", async () => {
    const db = freshDb();
    await cli(["login-link", "admin@example.org", "--db", db]);
    expect((await cli(["keys", "create", "--db", db, "--email", "who@example.org", "--name", "x"])).code).toBe(1);
    expect((await cli(["keys", "create", "--db", db, "--email", "admin@example.org"])).code).toBe(2);
    expect((await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "x", "--scope", "admin"])).code).toBe(2);
    // The API's rules for a name, and a flag given twice is pointed out rather than settled silently.
    const control = await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "a\u0001b"]);
    expect([control.code, control.err.includes("control characters")]).toEqual([2, true]);
    const twice = await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "n", "--name", "m"]);
    expect([twice.code, twice.err.includes("--name is given more than once")]).toEqual([2, true]);
    // An expiry beyond the API's 3,650 days made a key that was expired at once (its date +010240-…).
    const farOff = await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "x", "--expires-days", "3000000"]);
    expect(farOff.code).not.toBe(0);
    expect(farOff.err).toContain("1 to 3650");
    expect(query(db, "SELECT id FROM api_keys")).toHaveLength(0);
    const missing = await cli(["keys", "list", "--db", `${tempDir()}/none.db`, "--email", "admin@example.org"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no database");
  });

  test("org set-plan changes the limits; a free plan then refuses write keys with the plan's sentence", async () => {
    const db = freshDb();
    await cli(["login-link", "admin@example.org", "--db", db]);
    const set = await cli(["org", "set-plan", "free", "--db", db]);
    expect(set.code).toBe(0);
    expect(set.out[0]).toContain("unlimited → free");
    expect(query<{ plan: string }>(db, "SELECT plan FROM organizations")).toEqual([{ plan: "free" }]);
    const write = await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "x", "--scope", "write"]);
    expect(write.code).toBe(1);
    expect(write.err).toContain("read-only");
    expect((await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "x", "--scope", "read"])).code).toBe(0);
    // No --scope on a read-only plan: a read key, not a refusal.
    const plain = await cli(["keys", "create", "--db", db, "--email", "admin@example.org", "--name", "plain"]);
    expect(plain.code).toBe(0);
    expect(query<{ scope: string }>(db, "SELECT scope FROM api_keys WHERE name = 'plain'")).toEqual([{ scope: "read" }]);
    expect((await cli(["org", "set-plan", "gold", "--db", db])).code).toBe(2);
    expect((await cli(["org", "set-plan", "pro", "--db", db, "--email", "admin@example.org"])).code).toBe(0);
    expect(query<{ plan: string }>(db, "SELECT plan FROM organizations")).toEqual([{ plan: "pro" }]);
  });
});
