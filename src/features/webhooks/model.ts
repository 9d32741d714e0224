/**
 * Shapes of the webhook routes (issue 14). The secret appears only in `CreatedWebhook` (the
 * create response, and a PATCH that rotates it): it signs every delivery, so it is stored
 * in clear, but like an API key it is shown once.
 */
import { z } from "zod";
import { pageOf, pageQuery } from "../../http/pagination";
import { lineText, multilineText } from "../../http/text";

/** The target types events are named after (`<type>.<verb>`); a pattern naming another type is a typo. */
export const EVENT_TYPES = ["address", "subnet", "section", "vrf", "api_key", "user", "organization", "webhook"] as const;

const PATTERN = /^(\*|[a-z_]+\.(\*|[a-z_]+))$/;

export const EventPattern = z
  .string()
  .max(100)
  .refine((p) => PATTERN.test(p), { message: 'must be "*", "<type>.*" or "<type>.<verb>", e.g. "address.*" or "subnet.create"' })
  .refine((p) => p === "*" || (EVENT_TYPES as readonly string[]).includes(p.split(".")[0]!), {
    message: `names an unknown type; known types: ${EVENT_TYPES.join(", ")}`,
  });

/**
 * http(s) only, with a host, no credentials (the signature authenticates ipcraft; a password
 * in a URL would be listed back). Stored as given, so it must be what a URL parser would not
 * have to clean up: no control characters, spaces or invalid Unicode (URL.canParse quietly
 * strips tabs, newlines and edge spaces, so the stored text would not be the target).
 */
export const WebhookUrl = z
  .string()
  .max(2000)
  .refine((v) => /^[\x21-\x7e\u00a1-\uffff]*$/.test(v) && v.isWellFormed(), { message: "must not contain spaces, control characters or invalid Unicode" })
  .refine((v) => {
    if (!URL.canParse(v)) return false;
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "" && u.username === "" && u.password === "";
  }, { message: "must be an http:// or https:// URL with a host and no user:password part" });

/** A caller's own secret: long enough to resist guessing, printable. */
const Secret = z
  .string()
  .min(16, "must be at least 16 characters")
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

const Events = z.array(EventPattern).min(1, "must name at least one event pattern").max(50);

export const CreateWebhookBody = z
  .strictObject({
    url: WebhookUrl,
    events: Events,
    secret: Secret.optional().describe("omitted: the server generates one (whsec_…) and shows it once"),
    active: z.boolean().optional().describe("default true; false keeps the webhook but sends nothing"),
    description: multilineText(1000).optional(),
  })
  .meta({ examples: [{ url: "http://dns-sync.lan:9000/ipcraft", events: ["address.*", "subnet.create"], description: "DNS sync" }] });

export const PatchWebhookBody = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: Events.optional(),
    secret: Secret.optional().describe("a new secret of yours; deliveries from now on are signed with it"),
    rotate_secret: z.literal(true).optional().describe("generate a new secret; the answer shows it once"),
    active: z.boolean().optional(),
    description: multilineText(1000).optional(),
  })
  .refine((b) => !(b.secret !== undefined && b.rotate_secret), { message: "give either a secret of yours or rotate_secret, not both", path: ["rotate_secret"] })
  .meta({ examples: [{ active: false }, { events: ["*"] }, { rotate_secret: true }] });

export const WebhookItem = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    active: z.boolean(),
    description: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({
    examples: [
      {
        id: "0b9c7a52-4a8e-4f55-9d0e-6e3f7c2b1a90",
        url: "http://dns-sync.lan:9000/ipcraft",
        events: ["address.*", "subnet.create"],
        active: true,
        description: "DNS sync",
        created_at: "2026-12-02T16:00:00.000Z",
        updated_at: "2026-12-02T16:00:00.000Z",
      },
    ],
  });

export const CreatedWebhook = WebhookItem.extend({ secret: z.string().describe("shown in this response only") });

export const WebhookList = pageOf(WebhookItem);

export const WebhookListQuery = z.strictObject({ ...pageQuery });

export const DeliveryItem = z
  .object({
    id: z.string(),
    event_id: z.string().describe("the id in the body; receivers dedupe by it"),
    event_type: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    created_at: z.string(),
    next_attempt_at: z.string().nullable().describe("when pending: the next try"),
    last_attempt_at: z.string().nullable(),
    last_status: z.number().int().nullable().describe("the receiver's HTTP status, null when none came back"),
    last_error: z.string().nullable(),
    completed_at: z.string().nullable(),
  })
  .meta({
    examples: [
      {
        id: "019a1f0e-6a50-7c3e-9d2b-3f1a2b3c4d5e",
        event_id: "019a1f0e-6a4f-7b10-8c2d-1e2f3a4b5c6d",
        event_type: "address.create",
        status: "pending",
        attempts: 2,
        created_at: "2026-12-02T16:00:00.000Z",
        next_attempt_at: "2026-12-02T16:01:30.000Z",
        last_attempt_at: "2026-12-02T16:00:30.000Z",
        last_status: 503,
        last_error: "receiver answered 503",
        completed_at: null,
      },
    ],
  });

export const DeliveryList = pageOf(DeliveryItem);

export const DeliveryListQuery = z.strictObject({ status: z.enum(["pending", "succeeded", "failed"]).optional(), ...pageQuery });

export type WebhookItem = z.infer<typeof WebhookItem>;
export type DeliveryItem = z.infer<typeof DeliveryItem>;
export type CreateWebhookRequest = z.infer<typeof CreateWebhookBody>;
export type PatchWebhookRequest = z.infer<typeof PatchWebhookBody>;
