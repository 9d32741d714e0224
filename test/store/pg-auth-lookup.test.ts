/**
 * Issue 12: every request's credential lookup on PostgreSQL declares the hash it looks for in
 * the unit's opening statement (scope `{ orgId: null, lookup }`, store/pg/store.ts inScope)
 * instead of in a statement of its own. It must find exactly what the separate statement
 * found, open the pre-authentication window on that one hash only, and a scope naming
 * another hash must not change what a lookup answers. The API key's lookup is one function
 * (drizzle/pg/0015_key_credential.sql), also called on its own (Store.keyCredential): the
 * same answer, revocation seen at once, and nothing of it left on the connection.
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

describe("the credential lookup declared with the scope", () => {
  test("finds what the separate statement finds, sees only its own key, and a crossed scope changes nothing", async () => {
    db = await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql);
    const one = await createTenantIn(store);
    const two = await createTenantIn(store);
    const hash1 = sha256Hex(one.key);
    const hash2 = sha256Hex(two.key);

    const viaScope = await store.read({ orgId: null, lookup: hash1 }, (q) => q.auth.keyByHash(hash1));
    const separate = await store.read({ orgId: null }, (q) => q.auth.keyByHash(hash1));
    expect(viaScope).not.toBeNull();
    expect(viaScope).toEqual(separate);
    expect(viaScope!.orgId).toBe(one.orgId);

    // A scope naming the other key: the lookup declares its own hash and answers for it alone.
    expect((await store.read({ orgId: null, lookup: hash2 }, (q) => q.auth.keyByHash(hash1)))!.orgId).toBe(one.orgId);
    expect(await store.read({ orgId: null, lookup: hash2 }, (q) => q.auth.keyByHash(sha256Hex("ipc_not_a_key")))).toBeNull();

    // The window the scope opens, seen raw as the application role: that one key, nothing else.
    const seen = await inScope(db.sql, { orgId: null, lookup: hash1 }, (tx) => tx`SELECT org_id FROM api_keys`);
    expect([...seen]).toEqual([{ org_id: one.orgId }]);
    expect([...(await inScope(db.sql, { orgId: null }, (tx) => tx`SELECT org_id FROM api_keys`))]).toEqual([]);

    // Sessions take the same path.
    const session = await store.read({ orgId: null, lookup: sha256Hex(two.session) }, (q) => q.auth.sessionByHash(sha256Hex(two.session)));
    expect(session!.orgId).toBe(two.orgId);
  });

  test("Store.keyCredential: one statement, the unit's answer, revocation at once, nothing left on the connection", async () => {
    db ??= await freshPgDatabase({ migrated: true });
    const store = createPgStore(db.sql);
    const one = await createTenantIn(store);
    const two = await createTenantIn(store);
    const hash1 = sha256Hex(one.key);

    const alone = await store.keyCredential(hash1);
    expect(alone).toEqual(await store.read({ orgId: null }, (q) => q.auth.keyByHash(hash1)));
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
      const [after] = await single`SELECT current_user AS who, coalesce(current_setting('app.org_id', true), '') AS org, coalesce(current_setting('app.lookup', true), '') AS lookup`;
      expect(after).toEqual({ who: owner, org: "", lookup: "" });
    } finally {
      await single.close();
    }

    // Revoked (deleted) by another connection: the very next lookup finds nothing.
    await store.write({ orgId: one.orgId }, (q) => q.auth.deleteKey(one.orgId, alone!.id));
    expect(await store.keyCredential(hash1)).toBeNull();
  });
});
