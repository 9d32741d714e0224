/**
 * Whole numbers in query strings (`?limit=25`, `?prefix_length=24`, `?wait=30`): plain decimal
 * digits only. `z.coerce.number()` (JavaScript's Number()) also took "0x10", "1e1", "0b11",
 * "+7", " 5 " and "" (as 0), so a typo or a trick passed as some other number; here each of
 * those is a 400 that names the field.
 */
import { z } from "zod";

/** "0", or digits without a leading zero: no sign, exponent, point, 0x/0b/0o prefix or spaces. */
const DECIMAL_DIGITS = /^(?:0|[1-9][0-9]*)$/;

const NOT_DECIMAL_DIGITS =
  "must be a whole number in plain decimal digits, e.g. 25 (no sign, decimal point, exponent, 0x prefix, leading zero or spaces)";

/**
 * A non-negative integer from a query string, within [min, max]. The range check is zod's own
 * (`z.number().min(min).max(max).int()`), so its messages ("Too small: expected number to be
 * >=1") are those the API always gave; the OpenAPI document shows an integer with that range.
 * The range comes before `.int()` so that 30 digits say "Too big: … <=1000", not "<=2^53-1".
 * Add `.optional()`, `.describe()` or `.meta()` at the call site as before.
 */
export function queryInt(min: number, max: number) {
  if (!Number.isSafeInteger(min) || min < 0 || !Number.isSafeInteger(max) || max < min) {
    throw new Error(`queryInt: bad range [${min}, ${max}]`);
  }
  return z
    .string({ error: (issue) => (issue.input === undefined ? "required: a whole number, e.g. 25" : NOT_DECIMAL_DIGITS) })
    .regex(DECIMAL_DIGITS, NOT_DECIMAL_DIGITS)
    .transform(Number)
    .pipe(z.number().min(min).max(max).int());
}
