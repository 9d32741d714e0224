/**
 * One-time sign-in tokens (API.md §2): 256 random bits, valid 15 minutes, good for one
 * sign-in. Only the SHA-256 is stored, so a copy of the database cannot sign anyone in.
 */
import type { OpenDatabase } from "../db/client";
import { generateOpaqueToken, sha256Hex } from "./tokens";

export const SIGN_IN_TOKEN_TTL_MS = 15 * 60_000;

/** Stores a new token for `email` (already normalised) and returns its plaintext, once. */
export function issueSignInToken(database: OpenDatabase, email: string, now = new Date()): string {
  const { token, hash } = generateOpaqueToken();
  const { sqlite } = database;
  // Spent and expired tokens are useless: drop them as we go, so the table stays small.
  sqlite.query("DELETE FROM login_tokens WHERE expires_at <= ? OR used_at IS NOT NULL").run(now.toISOString());
  sqlite
    .query("INSERT INTO login_tokens (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)")
    .run(hash, email, now.toISOString(), new Date(now.getTime() + SIGN_IN_TOKEN_TTL_MS).toISOString());
  return token;
}

/**
 * Spends `token` and returns its email, or null if it is unknown, used or expired.
 * Call inside a write transaction: the conditional UPDATE is what makes it single-use,
 * even with two sign-ins racing on the same link.
 */
export function spendSignInToken(database: OpenDatabase, token: string, now = new Date()): string | null {
  const row = database.sqlite
    .query<{ email: string }, [string, string, string]>(
      "UPDATE login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING email",
    )
    .get(now.toISOString(), sha256Hex(token), now.toISOString());
  return row?.email ?? null;
}

/** `<public-url>/auth/verify?token=...` */
export function signInUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/auth/verify?token=${encodeURIComponent(token)}`;
}
