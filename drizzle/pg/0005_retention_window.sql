-- Hand-written (drizzle-kit generate --custom): the window for periodic work across
-- organizations (activity retention), which 0001_row_level_security.sql left for the store split.
--
-- Pruning (src/store/pg/activity.ts) must know every organization and its plan. In its one
-- transaction it sets `app.maintenance` to 'retention', reads `organizations` through this
-- window, and clears it again; it then declares each organization in turn (`app.org_id`) and
-- deletes that organization's expired entries under the ordinary tenant policy. SELECT-only,
-- on `organizations` only: nothing else is visible and nothing can be written through it;
-- an empty or unset `app.maintenance` matches nothing.
CREATE POLICY "maintenance_listing" ON "organizations" FOR SELECT
  USING (current_setting('app.maintenance', true) = 'retention');
