-- Hand-written (drizzle-kit generate --custom): the narrow windows for the lookups made before
-- the organization is known, which 0001_row_level_security.sql left for the store split.
--
-- A request's organization comes from its credential, so the credential must be found first,
-- in a transaction that declared no organization (`app.org_id` = '': every tenant row hidden).
-- The store (src/store/pg/auth.ts) then sets `app.lookup` to a value it already holds and
-- reads through exactly one of these windows:
--   * api_keys  — the row whose key_hash is the SHA-256 of the key the client sent;
--   * sessions  — the row whose token_hash is the SHA-256 of the session cookie;
--   * users     — the row whose email is being signed in, or whose id is the user of the
--                 session just found by its token hash (sessions carry no org_id).
-- Having learnt the organization from that row, the store declares it (`app.org_id`), clears
-- `app.lookup`, and reads the rest under the ordinary tenant policy.
--
-- The windows are SELECT-only (FOR SELECT): nothing can be written through them. An empty or
-- unset `app.lookup` matches nothing (no hash, email or id is ''). Permissive policies are
-- OR-ed, so each table's tenant_isolation policy is unchanged. The users window must not
-- mention sessions: sessions' own policy reads users, and PostgreSQL refuses a cycle of
-- policies ("infinite recursion detected in policy").
CREATE POLICY "pre_auth_lookup" ON "api_keys" FOR SELECT
  USING ("key_hash" = current_setting('app.lookup', true));
--> statement-breakpoint
CREATE POLICY "pre_auth_lookup" ON "sessions" FOR SELECT
  USING ("token_hash" = current_setting('app.lookup', true));
--> statement-breakpoint
CREATE POLICY "pre_auth_lookup" ON "users" FOR SELECT
  USING ("email" = current_setting('app.lookup', true) OR "id" = current_setting('app.lookup', true));
