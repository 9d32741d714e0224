/**
 * Issue 12: every request's credential lookup on PostgreSQL declares the hash it looks for in
 * the unit's opening statement (scope `{ orgId: null, lookup }`, store/pg/store.ts inScope)
 * instead of in a statement of its own. It must find exactly what the separate statement
 * found, open the pre-authentication window on that one hash only, and a scope naming
 * another hash must not change what a lookup answers.
 */
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
});
