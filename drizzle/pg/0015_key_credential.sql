-- Hand-written (drizzle-kit generate --custom): the API-key lookup that starts every API
-- request, as one statement (issue 12). It takes exactly the steps of the lookup unit that
-- 0003_pre_auth_lookups.sql describes, in order, inside one function: run as ipcraft_app,
-- declare no organization, open the api_keys window on the hash, learn the key's
-- organization, declare it and close the window, then read key ⋈ user ⋈ organization under
-- tenant isolation. Called on its own (autocommit), the settings are local to that
-- statement's transaction and vanish with it; called inside a unit, they are what the unit's
-- own lookup statements used to leave (src/store/pg/auth.ts). One round trip instead of
-- BEGIN, setup, lookup, read and COMMIT (~270–320 µs → ~50 µs per request here).
-- Invoker's rights: the function can do nothing its caller could not (SET ROLE needs
-- membership in ipcraft_app). Columns are qualified: the OUT columns are plpgsql variables.
CREATE FUNCTION ipcraft_key_credential(key_hash_in text)
RETURNS TABLE (
  "id" text, "name" text, "prefix" text, "keyHash" text, "scope" text,
  "expiresAt" timestamp (3) with time zone, "lastUsedAt" timestamp (3) with time zone,
  "userId" text, "email" text, "role" text, "orgId" text, "plan" text
)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM set_config('role', 'ipcraft_app', true), set_config('app.org_id', '', true), set_config('app.lookup', key_hash_in, true);
  PERFORM set_config('app.org_id', coalesce((SELECT k.org_id FROM api_keys k WHERE k.key_hash = key_hash_in), ''), true),
          set_config('app.lookup', '', true);
  RETURN QUERY
    SELECT k.id, k.name, k.prefix, k.key_hash, k.scope, k.expires_at, k.last_used_at, u.id, u.email, u.role, o.id, o.plan
      FROM api_keys k JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = k.org_id
     WHERE k.key_hash = key_hash_in AND k.org_id = current_setting('app.org_id', true);
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ipcraft_key_credential(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION ipcraft_key_credential(text) TO ipcraft_app;
