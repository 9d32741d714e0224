/**
 * zod pieces shared by the sections, subnets and addresses routes: the error body and the
 * utilization object, so that /docs/json describes every route the same way. (List paging
 * lives in http/pagination.ts, shared with every other list.)
 */
import { z } from "zod";

/** Every error answer (API.md §1). */
export const ErrorBody = z.object({
  error: z.string().describe("a human sentence"),
  code: z.string().describe("stable machine code, snake_case"),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** The error statuses a data route can answer, for the documentation. */
export function errorResponses(...statuses: (400 | 401 | 402 | 403 | 404 | 409)[]) {
  const out: Record<number, typeof ErrorBody> = {};
  for (const s of [401, ...statuses]) out[s] = ErrorBody;
  return out;
}

export const UtilizationBody = z
  .object({
    size: z.string().describe("addresses in the block, decimal string"),
    usable: z.string().describe("usable addresses by the one usable rule, decimal string"),
    used: z.string().describe("usable addresses holding an address record in this subnet or any descendant, decimal string"),
    in_children: z.string().describe("usable addresses covered by child subnets, decimal string"),
    free: z.string().describe("usable addresses first-free may return (no record, not in a child), decimal string"),
    percent: z.number().describe("used / usable × 100, two decimals"),
  })
  .meta({ example: { size: "256", usable: "254", used: "51", in_children: "0", free: "203", percent: 20.08 } });

export const IdParams = z.object({ id: z.string().describe("UUID") });

/**
 * Documents responses in /docs/json without validating them at run time. Elysia validates a
 * route's `response` schemas on every answer, which cost ~100 ms on a 10,000-item bulk
 * allocation; our services build those objects themselves and the tests pin their shape.
 */
export function documented(responses: Record<number, z.ZodType>) {
  const out: Record<string, { description: string; content: Record<string, { schema: any }> }> = {};
  for (const [status, schema] of Object.entries(responses)) {
    out[status] = { description: Number(status) < 300 ? "OK" : "Error", content: { "application/json": jsonSchemaOnDemand(schema) } };
  }
  return out;
}

/**
 * `{schema}` whose JSON Schema is converted when /docs/json is first asked for, not at boot:
 * every route's conversion together cost ~40 ms of each start (issue 16), for a document
 * most starts never serve.
 */
export function jsonSchemaOnDemand(schema: z.ZodType): { readonly schema: any } {
  let json: unknown;
  return {
    get schema() {
      return (json ??= z.toJSONSchema(schema, { unrepresentable: "any", io: "output" }));
    },
  };
}
