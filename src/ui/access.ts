/**
 * Whether the signed-in person may change data. A viewer (API.md §3: read only) gets the same
 * pages without the controls that would only answer "your role or plan only allows reading"
 * once pressed: no New/Edit/Delete/Assign buttons, records open read-only, free addresses are
 * not offered for assignment. The server enforces it anyway (403 insufficient_scope); this
 * only keeps the app from offering what it would refuse.
 */
import { planLimits } from "../auth/plan-table";
import type { Me } from "./types";

let signedIn: Me | null = null;

/** Whether an API key this person generates may write, and if not, why (API.md §2). */
export interface KeyScopes {
  write: boolean;
  why: string;
}

/** Set at every page, from GET /auth/me: the effective scope (role ∩ credential) and the plan. */
export function setAccess(me: Me): void {
  signedIn = me;
}

export function canWrite(): boolean {
  return signedIn?.scope !== "read";
}

/**
 * What the Generate Key form may offer. A key's permission is its scope ∩ the role ∩ the
 * plan's API access: the API refuses a write key to a viewer (403) and on a plan with
 * read-only API access (402 plan_limit).
 */
export function keyScopesAllowed(): KeyScopes {
  if (!canWrite()) return { write: false, why: "A viewer's keys can only read." };
  const plan = signedIn?.organization.plan ?? "unlimited";
  if (planLimits(plan).api !== "write") return { write: false, why: `Your plan (${plan}) allows read-only API access.` };
  return { write: true, why: "" };
}

/** `node` for people who may write, else nothing: for buttons and links that change data. */
export function forWriters<T>(node: T): T | null {
  return canWrite() ? node : null;
}
