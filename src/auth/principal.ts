/**
 * Who is making a request, once authenticated, and what they may do.
 * Effective permission = credential scope ∩ the user's role ∩ the organization's plan
 * (API.md §2): `scope` below is already that intersection.
 */
import { ApiError } from "../http/errors";
import type { PlanName } from "./plans";

export type Role = "owner" | "admin" | "member" | "viewer";
export type Scope = "read" | "write";

export interface Principal {
  orgId: string;
  userId: string;
  email: string;
  role: Role;
  via: "session" | "api_key";
  /** the organization's plan */
  plan: PlanName;
  /** effective scope after role and plan */
  scope: Scope;
  /** set when via === "api_key" */
  apiKey?: { id: string; name: string; prefix: string };
  /** set when via === "session" */
  sessionId?: string;
}

/** The actor recorded in the activity log for this principal. */
export function actorOf(p: Principal): { type: "user" | "api_key"; id: string; label: string } {
  return p.apiKey
    ? { type: "api_key", id: p.apiKey.id, label: `${p.apiKey.name} (${p.apiKey.prefix}…)` }
    : { type: "user", id: p.userId, label: p.email };
}

/** Throws 403 insufficient_scope unless the principal may write data. */
export function requireWrite(p: Principal): void {
  if (p.scope !== "write") {
    throw new ApiError(
      "insufficient_scope",
      p.via === "api_key" ? "this API key (or your role or plan) only allows reading" : "your role or plan only allows reading",
    );
  }
}

/**
 * Key management and other account settings need a signed-in person (API.md §2): an API
 * key must not be able to mint more keys, or revoke the keys that could stop it.
 */
export function requireSession(p: Principal): void {
  if (p.via !== "session") {
    throw new ApiError("session_required", "managing API keys needs a signed-in session (or the ipcraft CLI), not an API key");
  }
}

/** Throws 403 unless the principal's role is one of `roles`. */
export function requireRole(p: Principal, roles: Role[]): void {
  if (!roles.includes(p.role)) throw new ApiError("forbidden", `this needs the role ${roles.join(" or ")}`);
}

export function effectiveScope(credential: Scope, role: Role, planApi: Scope): Scope {
  return credential === "write" && role !== "viewer" && planApi === "write" ? "write" : "read";
}
