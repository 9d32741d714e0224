/**
 * Whether the signed-in person may change data. A viewer (API.md §3: read only) gets the same
 * pages without the controls that would only answer "your role or plan only allows reading"
 * once pressed: no New/Edit/Delete/Assign buttons, records open read-only, free addresses are
 * not offered for assignment. The server enforces it anyway (403 insufficient_scope); this
 * only keeps the app from offering what it would refuse.
 */
import { planLimits } from "../auth/plan-table";
import type { Me } from "./types";

let writable = true;
let keyScopes: KeyScopes = { write: true, why: "" };

/** Whether an API key this person generates may write, and if not, why (API.md §2). */
export interface KeyScopes {
  write: boolean;
  why: string;
}

/** Set once per sign-in, from GET /auth/me's effective scope (role ∩ credential) and the plan. */
export function setAccess(me: Me): void {
  writable = me.scope === "write";
  // A key's permission is its scope ∩ the role ∩ the plan's API access: the API refuses a
  // write key to a viewer (403) and on a plan with read-only API access (402 plan_limit).
  keyScopes = !writable
    ? { write: false, why: "A viewer's keys can only read." }
    : planLimits(me.organization.plan).api !== "write"
      ? { write: false, why: `Your plan (${me.organization.plan}) allows read-only API access.` }
      : { write: true, why: "" };
}

export function canWrite(): boolean {
  return writable;
}

/** What the Generate Key form may offer. */
export function keyScopesAllowed(): KeyScopes {
  return keyScopes;
}

/** `node` for people who may write, else nothing: for buttons and links that change data. */
export function forWriters<T>(node: T): T | null {
  return writable ? node : null;
}
