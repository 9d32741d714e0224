/**
 * Accounts commands (API.md §12): `login-link`, `keys create|list|revoke`, `org set-plan`.
 * Thin: they find the user or organization named on the command line and call the same
 * services as the HTTP API, so the rules (plan limits, activity entries, hashing) are one.
 */
import { z } from "zod";
import {
  countUsers,
  createOrganizationWithOwner,
  findOrganization,
  findUserByEmail,
  normaliseEmail,
  type UserRow,
} from "../auth/accounts";
import { PLAN_NAMES, type PlanName } from "../auth/plans";
import type { Scope } from "../auth/principal";
import { issueSignInToken, signInUrl } from "../auth/sign-in-tokens";
import { ConfigError } from "../config";
import type { OpenDatabase } from "../db/client";
import { runningServerUrl } from "../db/server-lock";
import { writeTransaction } from "../db/tx";
import { recordActivity } from "../features/activity/record";
import { createApiKey, listApiKeys, revokeStoredKey } from "../features/api-keys/service";
import { apiKeyStatements } from "../store/sqlite/api-keys";
import { createSqliteStore } from "../store/sqlite/store";
import type { CommandContext } from "../main";
import { CLI_ACTOR, CliError, withDatabase } from "./database";

const Email = z.email();

function emailArg(value: unknown, what: string): string {
  if (typeof value !== "string" || !Email.safeParse(value.trim()).success) {
    throw new ConfigError(`${what} must be an email address${value ? ` (got "${String(value)}")` : ""}`);
  }
  return normaliseEmail(value);
}

function userOrFail(database: OpenDatabase, email: string): UserRow {
  const user = findUserByEmail(database, email);
  if (!user) throw new CliError(`no user with the email ${email}`);
  return user;
}

/** `ipcraft login-link <email>`: prints a one-time sign-in URL; on an empty database it first creates the owner. */
export async function loginLink({ flags, args, out, err }: CommandContext): Promise<number> {
  const email = emailArg(args[0], "login-link needs an email: ipcraft login-link <email>; the email");
  // The link must reach the server: --public-url, else the running server's own URL, else the default.
  const publicUrl = (flags.publicUrl as string | undefined) ?? runningServerUrl(flags.db as string) ?? "http://127.0.0.1:8080";
  const url = await withDatabase(flags.db as string, { create: true }, (database) =>
    writeTransaction(database, () => {
      if (countUsers(database) === 0) {
        const { user, organization } = createOrganizationWithOwner(database, email);
        recordActivity(database, {
          orgId: organization.id,
          actor: CLI_ACTOR,
          action: "organization.create",
          target: { type: "organization", id: organization.id, label: organization.name },
          changes: { name: [null, organization.name], owner: [null, user.email] },
        });
        err(`created the organization "${organization.name}" with ${email} as its owner`);
      } else if (!findUserByEmail(database, email)) {
        throw new CliError(`no user with the email ${email} (only the first user is created here; invite others from the app)`);
      }
      return signInUrl(publicUrl, issueSignInToken(database, email));
    }),
  );
  out(url);
  err("the link works once, within 15 minutes");
  return 0;
}

/** `ipcraft keys create --email --name [--scope] [--expires-days]`: prints only the key. */
export async function keysCreate({ flags, out }: CommandContext): Promise<number> {
  const email = emailArg(flags.email, "--email");
  const name = typeof flags.name === "string" ? flags.name.trim() : "";
  if (!name || name.length > 100) throw new ConfigError("--name is required (1-100 characters), e.g. --name \"CI/CD Pipeline\"");
  const created = await withDatabase(flags.db as string, {}, (database) => {
    const user = userOrFail(database, email);
    return createApiKey(
      createSqliteStore(database),
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
  const items = await withDatabase(flags.db as string, {}, async (database) => {
    const user = userOrFail(database, email);
    // role "member": list exactly this user's keys, even when the user is an owner
    return (await listApiKeys(createSqliteStore(database), { orgId: user.org_id, userId: user.id, role: "member" }, { limit: 1000 })).items;
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
  const revoked = await withDatabase(flags.db as string, {}, async (database) => {
    // By id or prefix in any organization: the operator's lookup, outside any tenant.
    const keys = apiKeyStatements(database);
    const matches = UUID.test(which) ? [keys.anyOrg(which.toLowerCase())].filter((k) => k !== null) : keys.byPrefix(which);
    if (matches.length === 0) throw new CliError(`no API key with the id or prefix ${which}`);
    if (matches.length > 1) throw new CliError(`${matches.length} keys have the prefix ${which}; revoke by id (see \`ipcraft keys list\`)`);
    const key = matches[0]!;
    await createSqliteStore(database).write({ orgId: key.org_id }, (q) => revokeStoredKey(q, key, CLI_ACTOR));
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
  const result = await withDatabase(flags.db as string, {}, (database) =>
    writeTransaction(database, () => {
      let orgId: string;
      if (email) orgId = userOrFail(database, email).org_id;
      else {
        const orgs = database.sqlite.query("SELECT id FROM organizations LIMIT 2").all() as { id: string }[];
        if (orgs.length !== 1) {
          throw new CliError(orgs.length === 0 ? "there is no organization yet" : "there are several organizations; name one with --email <owner email>");
        }
        orgId = orgs[0]!.id;
      }
      const org = findOrganization(database, orgId)!;
      if (org.plan !== plan) {
        const now = new Date().toISOString();
        database.sqlite.query("UPDATE organizations SET plan = ?, updated_at = ? WHERE id = ?").run(plan, now, orgId);
        recordActivity(database, {
          orgId,
          actor: CLI_ACTOR,
          action: "organization.update",
          target: { type: "organization", id: orgId, label: org.name },
          changes: { plan: [org.plan, plan] },
          at: now,
        });
      }
      return { name: org.name, from: org.plan };
    }),
  );
  out(`organization "${result.name}": plan ${result.from} → ${plan}`);
  return 0;
}
