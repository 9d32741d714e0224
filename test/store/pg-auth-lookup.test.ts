/**
 * Issue 12: the credential lookups that start every request on PostgreSQL are one statement
 * each, a function taking the lookup's steps in order (drizzle/pg/0015_key_credential.sql,
 * 0017_session_credential.sql): called on their own (Store.keyCredential /
 * sessionCredential) or inside a unit of scope `{ orgId: null }` (auth.keyByHash /
 * sessionByHash), they answer the same, for their own hash only; revocation is seen on the
 * very next call, and nothing of a lookup is left on the connection.
 */
import { SQL } from "bun";
import { afterAll, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../src/auth/tokens";
import { createPgStore, inScope } from "../../src/store/pg/store";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn } from "../helpers/tenant";

usePgCluster();

let db: TestPgDatabase | undefined;
afterAll(() => db?.drop());

describe("the credential lookups", () => {
  test("in a unit and on their own they answer the same, each for its own hash only", async () => {
    db = await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql);
    const one = await createTenantIn(store);
    const two = await createTenantIn(store);
    const hash1 = sha256Hex(one.key);

    const inUnit = await store.read({ orgId: null }, (q) => q.auth.keyByHash(hash1));
    expect(inUnit).not.toBeNull();
    expect(inUnit!.orgId).toBe(one.orgId);
    expect(await store.keyCredential(hash1)).toEqual(inUnit);
    expect(await store.read({ orgId: null }, (q) => q.auth.keyByHash(sha256Hex("ipc_not_a_key")))).toBeNull();

    // Before a lookup, a pre-authentication unit sees no tenant row at all.
    expect([...(await inScope(db.sql, { orgId: null }, (tx) => tx`SELECT org_id FROM api_keys`))]).toEqual([]);
    expect([...(await inScope(db.sql, { orgId: null }, (tx) => tx`SELECT id FROM sessions`))]).toEqual([]);

    // Sessions take the same path, through two windows (the session, then its user).
    const sessionHash = sha256Hex(two.session);
    const session = await store.read({ orgId: null }, (q) => q.auth.sessionByHash(sessionHash));
    expect(session!.orgId).toBe(two.orgId);
    expect(await store.sessionCredential(sessionHash)).toEqual(session);
    expect(await store.sessionCredential(sha256Hex("not a session"))).toBeNull();
    expect(await store.sessionCredential(hash1)).toBeNull(); // a key's hash is no session
    expect(await store.keyCredential(sessionHash)).toBeNull(); // and a session's is no key
  });

  test("on their own: revocation at once, nothing left on the connection", async () => {
    db ??= await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql);
    const one = await createTenantIn(store);
    const two = await createTenantIn(store);
    const hash1 = sha256Hex(one.key);

    const alone = await store.keyCredential(hash1);
    expect(alone!.orgId).toBe(one.orgId);
    expect((await store.keyCredential(sha256Hex(two.key)))!.orgId).toBe(two.orgId);
    expect(await store.keyCredential(sha256Hex("ipc_not_a_key"))).toBeNull();
    expect(await store.keyCredential("")).toBeNull();

    // On one connection: after the call, no role switch, no declared organization, no open
    // window survive into the next statement (they were local to the call's own transaction).
    const single = new SQL(db.url, { max: 1 });
    try {
      const owner = (await single`SELECT current_user AS who`)[0].who;
      expect((await single`SELECT * FROM ipcraft_key_credential(${hash1})`).length).toBe(1);
      expect((await single`SELECT * FROM ipcraft_session_credential(${sha256Hex(two.session)})`).length).toBe(1);
      const [after] = await single`SELECT current_user AS who, coalesce(current_setting('app.org_id', true), '') AS org, coalesce(current_setting('app.lookup', true), '') AS lookup`;
      expect(after).toEqual({ who: owner, org: "", lookup: "" });
    } finally {
      await single.close();
    }

    // Revoked (deleted) by another connection: the very next lookup finds nothing.
    await store.write({ orgId: one.orgId }, (q) => q.auth.deleteKey(one.orgId, alone!.id));
    expect(await store.keyCredential(hash1)).toBeNull();
    const session = (await store.sessionCredential(sha256Hex(two.session)))!;
    await store.write({ orgId: two.orgId }, (q) => q.auth.deleteSession(two.orgId, session.id));
    expect(await store.sessionCredential(sha256Hex(two.session))).toBeNull();
  });
});
