/** Request and response shapes of the sign-in routes (API.md §2). */
import { z } from "zod";
import { lineText } from "../../http/text";

export const SendLinkBody = z.strictObject({
  email: z.email("must be an email address").max(254),
});

export const VerifyBody = z.strictObject({
  token: z.string().min(1).max(200),
});

export const SetupBody = z
  .strictObject({
    /** the token after `#` in the setup link the server logged */
    token: z.string().min(1).max(200),
    /** the owner's email: they sign in with it from now on */
    email: z.email("must be an email address").max(254),
    /** the organization's name (default: "<name>'s organization") */
    organization: lineText(100).refine((v) => v.length > 0, "must not be empty").optional(),
  })
  .meta({ examples: [{ token: "3fQk…", email: "admin@example.org", organization: "Home Lab" }] });

/** Logout takes no fields; a body, if sent, must be `{}` (unknown fields are 400 everywhere). */
export const LogoutBody = z.strictObject({}).optional();

export const MessageBody = z.object({ message: z.string() });

export const UserSummary = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["owner", "admin", "member", "viewer"]),
});

export const OrganizationSummary = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.enum(["free", "pro", "teams", "unlimited"]),
});

export const SignedIn = z.object({ user: UserSummary, organization: OrganizationSummary });

export const Me = z.object({
  user: UserSummary,
  organization: OrganizationSummary,
  auth: z.enum(["session", "api_key"]),
  scope: z.enum(["read", "write"]),
});

export type UserSummary = z.infer<typeof UserSummary>;
export type OrganizationSummary = z.infer<typeof OrganizationSummary>;
