/** SQLite: sign-in links (login_tokens), by the hash of the link's token. */
import type { OpenDatabase } from "../../db/client";
import type { NewSignInToken, SignInQueries } from "../store";

/** The synchronous statements; auth/sign-in-tokens.ts (the sign-in routes, the CLI) still calls them directly. */
export function signInStatements(database: OpenDatabase) {
  const { sqlite } = database;
  const dropExpired = sqlite.query<unknown, [string]>("DELETE FROM login_tokens WHERE expires_at <= ?");
  const insert = sqlite.query<unknown, [string, string, string, string, string | null]>(
    "INSERT INTO login_tokens (token_hash, email, created_at, expires_at, invitation_id) VALUES (?, ?, ?, ?, ?)",
  );
  const invitationLinks = sqlite.query<unknown, [string]>("DELETE FROM login_tokens WHERE invitation_id = ?");
  return {
    insertToken(t: NewSignInToken): void {
      // Expired links are useless: drop them as we go. Spent ones stay until they expire:
      // they still count towards the per-email limit.
      dropExpired.run(t.createdAt);
      insert.run(t.hash, t.email, t.createdAt, t.expiresAt, t.invitationId);
    },
    dropInvitationLinks(invitationId: string): void {
      invitationLinks.run(invitationId);
    },
  };
}

export function sqliteSignIn(database: OpenDatabase): SignInQueries {
  const s = signInStatements(database);
  return {
    insertToken: async (t) => s.insertToken(t),
    dropInvitationLinks: async (id) => s.dropInvitationLinks(id),
  };
}
