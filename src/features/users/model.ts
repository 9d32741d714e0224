/** Shapes of /api/v1/users (API.md §3). No route here ever returns a token, a key or a hash. */
import { z } from "zod";
import { pageOf, pageQuery } from "../../http/pagination";
import { lineText } from "../../http/text";

export const ROLES = ["owner", "admin", "member", "viewer"] as const;
const Role = z.enum(ROLES);

export const InviteBody = z
  .strictObject({
    email: z.email("must be an email address").max(254),
    /** Default `member`: reads and writes data, manages nothing. */
    role: Role.default("member"),
    /** How the organization knows them; they are listed by email when empty. */
    name: lineText(100).optional(),
  })
  .meta({ examples: [{ email: "new.colleague@example.org", role: "member", name: "New Colleague" }] });

export const PatchUserBody = z
  .strictObject({
    role: Role.optional(),
    name: lineText(100).optional(),
  })
  .refine((body) => body.role !== undefined || body.name !== undefined, { message: "give role or name", path: ["role"] })
  .meta({ examples: [{ role: "admin" }] });

export const UserListQuery = z.strictObject({ ...pageQuery });

export const UserItem = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  created_at: z.string(),
  last_login_at: z.string().nullable(),
  /** true for a pending invitation (until its link is used), and for a user who never signed in */
  invited: z.boolean(),
});

/** The invite answer: the invitation, and how its link left (SMTP, or only the server log). */
export const InvitedItem = UserItem.extend({
  delivery: z.enum(["email", "log"]).describe("email: sent over SMTP; log: no SMTP configured, the link is in the server log only"),
});

export const UserList = pageOf(UserItem);

export type UserItem = z.infer<typeof UserItem>;
export type InvitedItem = z.infer<typeof InvitedItem>;
export type InviteBody = z.infer<typeof InviteBody>;
export type PatchUserBody = z.infer<typeof PatchUserBody>;
