-- Hand-written (drizzle-kit generate --custom): tenant isolation by row-level security, and
-- the role the server works as. Explicit `org_id` filters in every query stay; this is the
-- second wall, so that a query that forgets its filter still returns nothing of another
-- organization.
--
-- * Every tenant table (one with `org_id`, plus `organizations` itself) has RLS ENABLED and
--   FORCED (FORCE: the owner too is subject to it; drizzle's .enableRLS() emits only ENABLE)
--   and one policy: a row is visible and writable only when its organization is the one the
--   transaction declared with `SELECT set_config('app.org_id', $1, true)`. Unset (NULL) or
--   reset ('' on a pooled connection after a SET LOCAL) matches nothing: it fails closed.
-- * `sessions` has no `org_id`: its policy admits a row when its user is visible (users is
--   itself under RLS). `login_tokens` is the one table outside: keyed by email, used before
--   anyone is signed in, and holding nothing of an organization.
-- * Still to add with the store split (a later migration): the narrow windows for lookups
--   made before the organization is known (API key by hash, session by hash, user by email at
--   sign-in) and for periodic work across organizations, e.g. permissive SELECT policies on a
--   secret the caller already holds (`key_hash = current_setting('app.key_hash', true)`).
-- * `ipcraft_app` owns nothing and may only read and write rows. The server connects as the
--   owner (which migrates), and each transaction starts with
--   `SELECT set_config('role', 'ipcraft_app', true), set_config('app.org_id', $1, true)`;
--   an operator may instead give the role LOGIN and a password and connect as it directly.
--   Roles are per cluster, so creating it tolerates an existing one (another database, or a
--   replica migrating a sibling database at the same moment).
-- * Referential actions (ON DELETE CASCADE) and foreign-key checks bypass RLS by design.
-- * A later data migration run by a non-superuser owner sees no rows under FORCE: it sets
--   app.org_id per organization or briefly ALTERs the table to NO FORCE in its transaction.
-- * A new tenant table needs the same three statements and the DML grant:
--   test/store/pg-rls.test.ts fails for any table with `org_id` that lacks them.
DO $$
BEGIN
  CREATE ROLE ipcraft_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
GRANT ipcraft_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO ipcraft_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "organizations", "users", "login_tokens", "sessions", "api_keys", "sections", "subnets", "addresses", "activity", "subnet_changes" TO ipcraft_app;
--> statement-breakpoint
ALTER TABLE "organizations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "organizations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "organizations"
  USING ("id" = current_setting('app.org_id', true))
  WITH CHECK ("id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "users"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "api_keys"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "sections" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "sections" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sections"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "subnets" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subnets" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "subnets"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "addresses" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "addresses" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "addresses"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "activity" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "activity" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "activity"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "subnet_changes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subnet_changes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "subnet_changes"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
ALTER TABLE "sessions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "sessions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sessions"
  USING (EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "sessions"."user_id"))
  WITH CHECK (EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "sessions"."user_id"));
