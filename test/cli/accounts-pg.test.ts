/**
 * The accounts commands opened the SQLite file synchronously, so `--db postgres://…` could
 * not make the first owner, print a sign-in link, manage keys or set a plan. They now run on
 * the Store: the same commands, output and activity entries on PostgreSQL (row-level security
 * forced, the lookups across organizations through the maintenance listing), and the link
 * and key they print work against an app serving that database.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { sha256Hex } from "../../src/auth/tokens";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { runCli } from "../../src/main";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";

usePgCluster();

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {}, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err: err.join("\n") };
}

describe("accounts commands on PostgreSQL", () => {
  let pg: TestPgDatabase;
  beforeAll(async () => {
    pg = await freshPgDatabase();
  });
  afterAll(() => pg?.drop());

  test("login-link makes the first owner, then links; keys create/list/revoke; org set-plan", async () => {
    const db = pg.url;
    const first = await cli(["login-link", "Admin@Example.org", "--db", db, "--public-url", "https://ipam.lan"]);
    expect(first.code).toBe(0);
    expect(first.out).toHaveLength(1);
    expect(first.out[0]).toMatch(/^https:\/\/ipam\.lan\/auth\/verify\?token=[A-Za-z0-9]{43}$/);
    expect(first.err).toContain(`created the organization "admin's organization" with admin@example.org as its owner`);
    const users = await pg.sql`SELECT email, role, org_id FROM users`;
    expect(users.map((u: { email: string; role: string }) => [u.email, u.role])).toEqual([["admin@example.org", "owner"]]);
    const orgId = users[0].org_id as string;
    const token = first.out[0]!.split("token=")[1]!;
    expect((await pg.sql`SELECT token_hash FROM login_tokens`).map((r: { token_hash: string }) => r.token_hash)).toEqual([sha256Hex(token)]);

    // The link signs in on an app serving this database.
    const app = createApp({ store: createPgStore(pg.sql), config: defaultServerConfig({ rateLimit: 0 }), logger: createMemoryLogger() });
    // (the page at the link posts the token here)
    const verify = await app.handle(
      new Request("http://localhost/api/v1/auth/verify", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) }),
    );
    expect(verify.status).toBe(200);
    expect(verify.headers.get("set-cookie") ?? "").toContain("session=");

    const again = await cli(["login-link", "admin@example.org", "--db", db]);
    expect([again.code, again.out[0]!.startsWith("http://127.0.0.1:8080/auth/verify?token=")]).toEqual([0, true]);
    const stranger = await cli(["login-link", "stranger@example.org", "--db", db]);
    expect(stranger.code).toBe(1);
    expect(stranger.err).toBe("ipcraft: no user with the email stranger@example.org (only the first user is created here; invite others from the app)");

    const created = await cli(["keys", "create", "--email", "admin@example.org", "--name", "CI", "--db", db]);
    expect(created.code).toBe(0);
    const key = created.out[0]!;
    expect(key).toMatch(/^ipc_[A-Za-z0-9]{40}$/);
    const me = await app.handle(new Request("http://localhost/api/v1/auth/me", { headers: { authorization: `Bearer ${key}` } }));
    expect(me.status).toBe(200);
    const listed = await cli(["keys", "list", "--email", "admin@example.org", "--db", db]);
    expect(listed.out).toHaveLength(2);
    expect(listed.out[1]).toContain(key.slice(0, 12));
    const revoked = await cli(["keys", "revoke", key.slice(0, 12), "--db", db]);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toBe(`revoked ${key.slice(0, 12)}… "CI" of admin@example.org`);
    const after = await app.handle(new Request("http://localhost/api/v1/auth/me", { headers: { authorization: `Bearer ${key}` } }));
    expect(after.status).toBe(401);
    expect((await cli(["keys", "revoke", "ipc_nosuchkey", "--db", db])).err).toBe("ipcraft: no API key with the id or prefix ipc_nosuchkey");

    const plan = await cli(["org", "set-plan", "pro", "--db", db]);
    expect(plan.code).toBe(0);
    expect(plan.out).toEqual([`organization "admin's organization": plan unlimited → pro`]);
    expect((await pg.sql`SELECT plan FROM organizations WHERE id = ${orgId}`)[0].plan).toBe("pro");
    const actions = (await pg.sql`SELECT action, actor_label FROM activity WHERE org_id = ${orgId} ORDER BY at, id`).map(
      (r: { action: string; actor_label: string }) => `${r.action} by ${r.actor_label}`,
    );
    expect(actions).toEqual(expect.arrayContaining(["organization.create by ipcraft CLI", "api_key.revoke by ipcraft CLI", "organization.update by ipcraft CLI"]));
  });
});
