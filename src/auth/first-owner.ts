/**
 * The first owner of an empty deployment, made either by `ipcraft login-link <email>` or by
 * the one-time setup link the server logs on its first start (no users yet), so someone who
 * ran `scripts/start` can open the web app without a second terminal.
 *
 * The setup link's token lives in the sign-in token table (so any replica can spend it, and
 * only its SHA-256 is stored) under SETUP_EMAIL, a name that is not an email address: no
 * user can ever have it, and a plain sign-in refuses it (features/auth/service.ts).
 */
import type { Logger } from "../logger";
import type { Queries, Store } from "../store/store";
import { defaultOrganizationName } from "./accounts";
import { generateOpaqueToken } from "./tokens";

export const SETUP_EMAIL = "(setup)";
/** Long enough to start the server and come back to the browser later; a restart logs a fresh link. */
export const SETUP_TOKEN_TTL_MS = 24 * 3600_000;

export type FirstOwnerActor = { type: "system" | "user"; id: string | null; label: string };

/**
 * Creates the first organization (plan `unlimited`) with `email` as its owner, in the
 * caller's unit of work; returns both ids and the organization's name.
 */
export async function createFirstOwner(
  q: Queries,
  email: string,
  at: string,
  options: { actor?: FirstOwnerActor; organizationName?: string } = {},
): Promise<{ orgId: string; userId: string; name: string }> {
  const organization = { id: crypto.randomUUID(), name: options.organizationName || defaultOrganizationName(email), plan: "unlimited" };
  const user = { id: crypto.randomUUID(), email, name: "", role: "owner" as const };
  // On PostgreSQL the rest of the unit works as the new organization (row-level security).
  await q.signIn.enter(organization.id);
  await q.tenants.create({ at, organization, user });
  await q.activity.record({
    orgId: organization.id,
    actor: options.actor ?? { type: "user", id: user.id, label: email },
    action: "organization.create",
    target: { type: "organization", id: organization.id, label: organization.name },
    changes: { name: [null, organization.name], owner: [null, email] },
    at,
  });
  return { orgId: organization.id, userId: user.id, name: organization.name };
}

/** `<public-url>/setup#<token>`: in the fragment, so the token never reaches an access log or a Referer. */
export function setupUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/setup#${token}`;
}

/**
 * On a deployment without users, stores a one-time setup token and logs its link; returns
 * the link (undefined once someone exists). Each start (each replica) logs its own link;
 * any of them works once, and none works after the first owner exists.
 */
export async function announceSetupLink(store: Store, publicUrl: string, logger: Logger, now = new Date()): Promise<string | undefined> {
  // The usual start (somebody signed up long ago) takes no write: no lock, nothing to wait for.
  if (await store.read({ orgId: null }, (q) => q.ops.hasUsers())) return undefined;
  const { token, hash } = generateOpaqueToken();
  const issued = await store.write({ orgId: null }, async (q) => {
    if (await q.ops.hasUsers()) return false;
    await q.signIn.insertToken({
      hash,
      email: SETUP_EMAIL,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SETUP_TOKEN_TTL_MS).toISOString(),
      invitationId: null,
    });
    return true;
  });
  if (!issued) return undefined;
  const url = setupUrl(publicUrl, token);
  logger.info("no users yet: open this one-time setup link to create the owner and sign in (valid 24 hours; or run `ipcraft login-link you@example.org` with the same --db)", { url });
  return url;
}
