/**
 * Accounts commands (API.md §12): `login-link`, `keys create|list|revoke`, `org set-plan`.
 * Thin: they find the user or organization named on the command line and call the same
 * services as the HTTP API, so the rules (plan limits, activity entries, hashing) are one.
 */
import { z } from "zod";
import { normaliseEmail } from "../auth/accounts";
import { createFirstOwner } from "../auth/first-owner";
import { PLAN_NAMES, type PlanName } from "../auth/plans";
import type { Scope } from "../auth/principal";
import { newSignInToken, signInUrl } from "../auth/sign-in-tokens";
import { ConfigError, databaseKind } from "../config";
import { runningServerUrl } from "../db/server-lock";
import { createApiKey, listApiKeys, revokeStoredKey } from "../features/api-keys/service";
import { CreateApiKeyBody } from "../features/api-keys/model";
import type { SignInUser, Store } from "../store/store";
import type { CommandContext } from "../main";
import { CLI_ACTOR, CliError, withStore } from "./database";

const Email = z.email();

function emailArg(value: unknown, what: string): string {
  if (typeof value !== "string" || !Email.safeParse(value.trim()).success) {
    throw new ConfigError(`${what} must be an email address${value ? ` (got "${String(value)}")` : ""}`);
  }
  return normaliseEmail(value);
}

/** The member with this email, in whatever organization holds it (a pre-authentication lookup). */
async function userOrFail(store: Store, email: string): Promise<SignInUser> {
  const user = await store.read({ orgId: null }, (q) => q.signIn.userByEmail(email));
  if (!user) throw new CliError(`no user with the email ${email}`);
  return user;
}

/** `ipcraft login-link <email>`: prints a one-time sign-in URL; on an empty database it first creates the owner. */
export async function loginLink({ flags, args, out, err }: CommandContext): Promise<number> {
  if (args.length > 1) throw new ConfigError(`login-link takes one email: ipcraft login-link <email> (got ${args.length} arguments)`);
  const email = emailArg(args[0], "login-link needs an email: ipcraft login-link <email>; the email");
  const db = flags.db as string;
  // The link must reach the server: --public-url, else the running server's own URL (SQLite:
  // its lock file says), else the default.
  const running = databaseKind(db) === "sqlite" ? runningServerUrl(db) : undefined;
  const publicUrl = (flags.publicUrl as string | undefined) ?? running ?? "http://127.0.0.1:8080";
  const now = new Date();
  const { token, row } = newSignInToken(email, now);
  const created = await withStore(db, { create: true }, (store) =>
    store.write({ orgId: null }, async (q) => {
      let created: string | null = null;
      if (!(await q.ops.hasUsers())) created = (await createFirstOwner(q, email, now.toISOString(), { actor: CLI_ACTOR })).name;
      else if (!(await q.signIn.userByEmail(email))) {
        throw new CliError(`no user with the email ${email} (only the first user is created here; invite others from the app)`);
      }
      await q.signIn.insertToken(row);
      return created;
    }),
  );
  if (created) err(`created the organization "${created}" with ${email} as its owner`);
  out(signInUrl(publicUrl, token));
  err("the link works once, within 15 minutes");
  return 0;
}

/** `ipcraft keys create --email --name [--scope] [--expires-days]`: prints only the key. */
export async function keysCreate({ flags, out }: CommandContext): Promise<number> {
  const email = emailArg(flags.email, "--email");
  const name = typeof flags.name === "string" ? flags.name.trim() : "";
  // The API's own rule for a key's name (one line of 1–100 characters, no control characters).
  if (!CreateApiKeyBody.shape.name.safeParse(name).success) {
    throw new ConfigError("--name is required: one line of 1-100 characters without control characters, e.g. --name \"CI/CD Pipeline\"");
  }
  const created = await withStore(flags.db as string, {}, async (store) => {
    const user = await userOrFail(store, email);
    return createApiKey(
      store,
      { orgId: user.org_id, userId: user.id, role: user.role, actor: CLI_ACTOR },
      { name, scope: flags.scope as Scope | undefined, expiresInDays: flags.expiresDays as number | undefined },
    );
  });
  out(created.key);
  return 0;
}

/** `ipcraft keys list --email`: that user's keys, one per line (never the key itself). */
export async function keysList({ flags, out, err }: CommandContext): Promise<number> {
  const email = emailArg(flags.email, "--email");
  const items = await withStore(flags.db as string, {}, async (store) => {
    const user = await userOrFail(store, email);
    // role "member": list exactly this user's keys, even when the user is an owner
    return (await listApiKeys(store, { orgId: user.org_id, userId: user.id, role: "member" }, { limit: 1000 })).items;
  });
  if (items.length === 0) {
    err(`${email} has no API keys`);
    return 0;
  }
  const rows = [
    ["ID", "PREFIX", "SCOPE", "CREATED", "LAST USED", "EXPIRES", "NAME"],
    ...items.map((k) => [k.id, k.prefix, k.scope, k.created_at.slice(0, 16), k.last_used_at?.slice(0, 16) ?? "never", k.expires_at?.slice(0, 10) ?? "never", k.name]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
  return 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `ipcraft keys revoke <id|prefix>`: the running server refuses the key from its next request. */
export async function keysRevoke({ flags, args, out }: CommandContext): Promise<number> {
  const which = args[0]?.trim();
  if (!which) throw new ConfigError("keys revoke needs a key id or prefix: ipcraft keys revoke ipc_a1b2c3d4");
  const revoked = await withStore(flags.db as string, {}, async (store) => {
    // By id or prefix in any organization: the operator's lookup, outside any tenant.
    const match = UUID.test(which) ? { id: which.toLowerCase() } : { prefix: which };
    const matches = await store.read({ orgId: null }, (q) => q.ops.keysMatching(match));
    if (matches.length === 0) throw new CliError(`no API key with the id or prefix ${which}`);
    if (matches.length > 1) throw new CliError(`${matches.length} keys have the prefix ${which}; revoke by id (see \`ipcraft keys list\`)`);
    const key = matches[0]!;
    await store.write({ orgId: key.org_id }, (q) => revokeStoredKey(q, key, CLI_ACTOR));
    return key;
  });
  out(`revoked ${revoked.prefix}… "${revoked.name}" of ${revoked.email}`);
  return 0;
}

/** `ipcraft org set-plan <plan> [--email <owner email>]`; without --email, the only organization. */
export async function orgSetPlan({ flags, args, out }: CommandContext): Promise<number> {
  const plan = args[0] as PlanName | undefined;
  if (!plan || !PLAN_NAMES.includes(plan)) throw new ConfigError(`org set-plan needs a plan: one of ${PLAN_NAMES.join(", ")}`);
  const email = flags.email === undefined ? undefined : emailArg(flags.email, "--email");
  const result = await withStore(flags.db as string, {}, async (store) => {
    let orgId: string;
    if (email) orgId = (await userOrFail(store, email)).org_id;
    else {
      const orgs = await store.read({ orgId: null }, (q) => q.ops.organizations(2));
      if (orgs.length !== 1) {
        throw new CliError(orgs.length === 0 ? "there is no organization yet" : "there are several organizations; name one with --email <owner email>");
      }
      orgId = orgs[0]!.id;
    }
    return store.write({ orgId }, async (q) => {
      const org = (await q.organizations.get(orgId))!;
      if (org.plan !== plan) {
        const now = new Date().toISOString();
        await q.ops.setPlan(orgId, plan, now);
        await q.activity.record({
          orgId,
          actor: CLI_ACTOR,
          action: "organization.update",
          target: { type: "organization", id: orgId, label: org.name },
          changes: { plan: [org.plan, plan] },
          at: now,
        });
      }
      return { name: org.name, from: org.plan };
    });
  });
  out(`organization "${result.name}": plan ${result.from} → ${plan}`);
  return 0;
}
