/**
 * One-time sign-in tokens (API.md §2): 256 random bits, good for one sign-in. Only the
 * SHA-256 is stored, so a copy of the database cannot sign anyone in.
 *
 * Two kinds share the table:
 * - a plain link (send-link, `ipcraft login-link`): valid 15 minutes; it signs an existing
 *   user in or, with open signup, makes a new email the owner of a new organization;
 * - an invitation's link (`invitation_id` set): valid 7 days; spending it is the invitee's
 *   consent to join that organization. Nothing else ever puts a person into an organization.
 */
import type { OpenDatabase } from "../db/client";
import { signInStatements } from "../store/sqlite/sign-in";
import type { NewSignInToken, Queries } from "../store/store";
import { generateOpaqueToken, sha256Hex } from "./tokens";

export const SIGN_IN_TOKEN_TTL_MS = 15 * 60_000;
export const INVITATION_TOKEN_TTL_MS = 7 * 24 * 3600_000;

/**
 * The per-email limit on plain links (mail-bombing one mailbox): this many in any window
 * of this length, counted for every address alike, known or not.
 */
export const LINKS_PER_EMAIL = 5;
export const LINK_WINDOW_MS = 15 * 60_000;

/**
 * A new token for `email` (already normalised): its plaintext (shown once, in the link) and
 * the row to store (`q.signIn.insertToken`). With `invitationId` it is that invitation's
 * link (valid 7 days).
 */
export function newSignInToken(email: string, now = new Date(), invitationId?: string): { token: string; row: NewSignInToken } {
  const { token, hash } = generateOpaqueToken();
  const ttl = invitationId ? INVITATION_TOKEN_TTL_MS : SIGN_IN_TOKEN_TTL_MS;
  const row = { hash, email, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttl).toISOString(), invitationId: invitationId ?? null };
  return { token, row };
}

/** Synchronous `newSignInToken` + store, for the callers not yet on the store; returns the plaintext. */
export function issueSignInToken(database: OpenDatabase, email: string, now = new Date(), invitationId?: string): string {
  const { token, row } = newSignInToken(email, now, invitationId);
  signInStatements(database).insertToken(row);
  return token;
}

/**
 * Whether another plain link may be issued for `email` now; if not, in how many seconds.
 * Depends only on the plain links issued for this address (for unknown addresses too, as
 * send-link stores a token for every address), never on whether an account exists.
 */
export async function linkQuota(q: Queries, email: string, now = new Date()): Promise<{ allowed: boolean; retryAfter: number }> {
  const row = await q.signIn.linksSince(email, new Date(now.getTime() - LINK_WINDOW_MS).toISOString());
  if (row.n < LINKS_PER_EMAIL) return { allowed: true, retryAfter: 0 };
  const freeAt = Date.parse(row.oldest!) + LINK_WINDOW_MS;
  return { allowed: false, retryAfter: Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)) };
}

/**
 * Spends `token`, or returns null if it is unknown, used or expired. The conditional UPDATE
 * is what makes it single-use, even with two sign-ins racing on the same link.
 */
export function spendSignInToken(q: Queries, token: string, now = new Date()): Promise<{ email: string; invitationId: string | null } | null> {
  return q.signIn.spendToken(sha256Hex(token), now.toISOString());
}

/** `<public-url>/auth/verify?token=...` */
export function signInUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/auth/verify?token=${encodeURIComponent(token)}`;
}
