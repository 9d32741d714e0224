-- Hand-written (drizzle-kit generate --custom): the invitations window of the lookups made
-- before the organization is known (0004_invitation_lookup.sql) also matches by email.
--
-- With signup closed, an invited email may ask the sign-in page for a link (API.md §2: "who
-- may sign in: existing users and invited emails"). send-link must learn whether such an
-- invitation exists, and spending that plain link must find it (src/features/auth/service.ts),
-- before any organization is known. The store sets `app.lookup` to the email taken from the
-- request or the spent link's row, reads that email's invitations, and clears `app.lookup`
-- again (src/store/pg/sign-in.ts). Still SELECT-only; an empty or unset `app.lookup` matches
-- nothing; ids are UUIDs and emails contain "@", so one value never matches both ways.
DROP POLICY "pre_auth_lookup" ON "invitations";
--> statement-breakpoint
CREATE POLICY "pre_auth_lookup" ON "invitations" FOR SELECT
  USING ("id" = current_setting('app.lookup', true) OR "email" = current_setting('app.lookup', true));
