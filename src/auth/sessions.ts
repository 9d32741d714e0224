/**
 * Browser sessions (API.md §2): an opaque 256-bit token in the `session` cookie, of which
 * only the SHA-256 is stored. They live 30 days from the last use (the guard slides them).
 */
import type { Queries } from "../store/store";
import { generateOpaqueToken } from "./tokens";

export const SESSION_COOKIE_NAME = "session";
export const SESSION_LIFETIME_MS = 30 * 24 * 3600_000;

/** Opens a session for `userId` (in the unit's organization) and returns the cookie value (shown to the browser only). */
export async function createSession(q: Queries, orgId: string, userId: string, now = new Date()): Promise<string> {
  const { token, hash } = generateOpaqueToken();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString();
  await q.signIn.insertSession(orgId, { id: crypto.randomUUID(), tokenHash: hash, userId, at: now.toISOString(), expiresAt });
  return token;
}

/**
 * `Set-Cookie` for a session: HttpOnly (no script reads it), SameSite=Strict (never sent
 * on cross-site requests), Path=/, Secure when the public URL is https. Max-Age matches
 * the server-side lifetime and is renewed whenever the session slides forward.
 */
export function sessionCookie(token: string, secure: boolean): string {
  return cookie(`${SESSION_COOKIE_NAME}=${token}`, Math.floor(SESSION_LIFETIME_MS / 1000), secure);
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return cookie(`${SESSION_COOKIE_NAME}=`, 0, secure);
}

function cookie(pair: string, maxAge: number, secure: boolean): string {
  return `${pair}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}
