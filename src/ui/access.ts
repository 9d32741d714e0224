/**
 * Whether the signed-in person may change data. A viewer (API.md §3: read only) gets the same
 * pages without the controls that would only answer "your role or plan only allows reading"
 * once pressed: no New/Edit/Delete/Assign buttons, records open read-only, free addresses are
 * not offered for assignment. The server enforces it anyway (403 insufficient_scope); this
 * only keeps the app from offering what it would refuse.
 */
import type { Me } from "./types";

let writable = true;

/** Set once per sign-in, from GET /auth/me's effective scope (role ∩ credential). */
export function setAccess(me: Me): void {
  writable = me.scope === "write";
}

export function canWrite(): boolean {
  return writable;
}

/** `node` for people who may write, else nothing: for buttons and links that change data. */
export function forWriters<T>(node: T): T | null {
  return writable ? node : null;
}
