-- Hand-written (drizzle-kit generate --custom): the session lookup that starts every request
-- of the web app, as one statement, as 0015 made the API key's. The same steps as the unit
-- src/store/pg/auth.ts ran, in order: run as ipcraft_app, declare no organization, open the
-- sessions window on the token hash, then the users window on that session's user, declare
-- the user's organization and close the window, then read session ⋈ user ⋈ organization
-- under tenant isolation. Called on its own (autocommit), the settings are local to that
-- statement's transaction and vanish with it.
-- Invoker's rights: the function can do nothing its caller could not (SET ROLE needs
-- membership in ipcraft_app). Columns are qualified: the OUT columns are plpgsql variables.
CREATE FUNCTION ipcraft_session_credential(token_hash_in text)
RETURNS TABLE (
  "id" text, "tokenHash" text, "expiresAt" timestamp (3) with time zone, "lastSeenAt" timestamp (3) with time zone,
  "userId" text, "email" text, "role" text, "orgId" text, "plan" text
)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM set_config('role', 'ipcraft_app', true), set_config('app.org_id', '', true), set_config('app.lookup', token_hash_in, true);
  PERFORM set_config('app.lookup', coalesce((SELECT s.user_id FROM sessions s WHERE s.token_hash = token_hash_in), ''), true);
  PERFORM set_config('app.org_id', coalesce((SELECT u.org_id FROM users u WHERE u.id = current_setting('app.lookup', true)), ''), true),
          set_config('app.lookup', '', true);
  RETURN QUERY
    SELECT s.id, s.token_hash, s.expires_at, s.last_seen_at, u.id, u.email, u.role, o.id, o.plan
      FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id
     WHERE s.token_hash = token_hash_in AND u.org_id = current_setting('app.org_id', true);
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ipcraft_session_credential(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION ipcraft_session_credential(text) TO ipcraft_app;
