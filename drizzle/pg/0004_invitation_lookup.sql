-- Hand-written (drizzle-kit generate --custom): one more narrow window for the lookups made
-- before the organization is known (see 0003_pre_auth_lookups.sql for the rules).
--
-- Spending an invitation's sign-in link (src/store/pg/sign-in.ts) learns the invitation's id
-- from the link's row (login_tokens, found by the SHA-256 of the token the invitee holds) and
-- must read that invitation to learn which organization it joins. The store sets
-- `app.lookup` to that id, reads the one row, and clears `app.lookup` again; it then declares
-- the organization and does the rest under the ordinary tenant policy. SELECT-only: nothing
-- can be written through it; an empty or unset `app.lookup` matches nothing.
CREATE POLICY "pre_auth_lookup" ON "invitations" FOR SELECT
  USING ("id" = current_setting('app.lookup', true));
