/**
 * zod string fields for user text. Plain `z.string()` lets through control characters
 * (terminal escapes in a CSV opened later, NULs that truncate in other tools) and lone
 * UTF-16 surrogates (which cannot be encoded as UTF-8 and corrupt exports). Every free-text
 * field of the API uses one of these instead.
 */
import { z } from "zod";

// C0 controls except tab/newline/CR, DEL, C1 controls
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function clean(allowNewlines: boolean) {
  return (value: string) => !LONE_SURROGATE.test(value) && !CONTROL.test(value) && (allowNewlines || !/[\t\r\n]/.test(value));
}

/** One line of text (names, hostnames, owners), at most `max` characters, trimmed. */
export function lineText(max: number) {
  return z
    .string()
    .max(max)
    .refine(clean(false), { message: "must not contain control characters, line breaks or invalid Unicode" })
    .transform((v) => v.trim());
}

/** Free text that may span lines (descriptions), at most `max` characters. */
export function multilineText(max: number) {
  return z.string().max(max).refine(clean(true), { message: "must not contain control characters or invalid Unicode" });
}
