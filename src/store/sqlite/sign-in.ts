/**
 * SQLite: signing in — links (login_tokens, by the hash of the link's token), the member or
 * invitation a link leads to, and the session it opens. One tenant wall here (the explicit
 * org_id filters), so `enter` has nothing to declare.
 */
import type { OpenDatabase } from "../../db/client";
import type { InvitationRecord, NewSignInToken, SignInQueries, SignInUser } from "../store";

/** The synchronous statements; auth/sign-in-tokens.ts `issueSignInToken` (the CLI's login-link) still calls them directly. */
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
  const { sqlite } = database;
  const linksSince = sqlite.query<{ n: number; oldest: string | null }, [string, string]>(
    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM login_tokens WHERE email = ? AND invitation_id IS NULL AND created_at > ?",
  );
  const spend = sqlite.query<{ email: string; invitation_id: string | null }, [string, string, string]>(
    "UPDATE login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING email, invitation_id",
  );
  const userByEmail = sqlite.query<SignInUser, [string]>("SELECT id, org_id, email, name, role FROM users WHERE email = ?");
  const invitationById = sqlite.query<InvitationRecord, [string]>("SELECT id, org_id, email, name, role FROM invitations WHERE id = ?");
  const invitationsOf = sqlite.query<InvitationRecord, [string]>("SELECT id, org_id, email, name, role FROM invitations WHERE email = ? LIMIT 2");
  const insertMember = sqlite.query<unknown, [string, string, string, string, string, string, string]>(
    "INSERT INTO users (id, org_id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const markSignedIn = sqlite.query<unknown, [string, string, string, string]>(
    "UPDATE users SET last_login_at = ?, updated_at = ? WHERE org_id = ? AND id = ?",
  );
  const insertSession = sqlite.query<unknown, [string, string, string, string, string, string]>(
    "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  return {
    insertToken: async (t) => s.insertToken(t),
    dropInvitationLinks: async (id) => s.dropInvitationLinks(id),
    linksSince: async (email, since) => linksSince.get(email, since)!,
    async spendToken(hash, at) {
      const row = spend.get(at, hash, at);
      return row ? { email: row.email, invitationId: row.invitation_id } : null;
    },
    userByEmail: async (email) => userByEmail.get(email),
    invitationById: async (id) => invitationById.get(id),
    async onlyInvitationFor(email) {
      const found = invitationsOf.all(email);
      return found.length === 1 ? found[0]! : null;
    },
    async enter() {},
    async insertMember(orgId, u) {
      insertMember.run(u.id, orgId, u.email, u.name, u.role, u.at, u.at);
    },
    async markSignedIn(orgId, userId, at) {
      markSignedIn.run(at, at, orgId, userId);
    },
    async insertSession(_orgId, x) {
      insertSession.run(x.id, x.tokenHash, x.userId, x.at, x.at, x.expiresAt);
    },
  };
}
