/**
 * Refuses JSON bodies nested deeper than any request of this API needs, before validation.
 *
 * Why: Bun's JSON.parse accepts `[[[[…]]]]` 50,000 levels deep, but a body that then fails
 * validation is serialised by Elysia's ValidationError, which overflows the stack — a 500
 * for bad input. Our bodies are at most a few levels deep; 32 leaves room and stops that.
 * The walk is iterative, so checking cannot overflow either.
 */
import { Elysia } from "elysia";
import { ApiError } from "./errors";

export const MAX_BODY_DEPTH = 32;

/** True when `value` nests objects/arrays more than `max` levels deep. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(node as object)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Global hook: mount right after the HTTP shell. */
export function bodyDepthLimit() {
  return new Elysia({ name: "body-depth-limit" }).onTransform({ as: "global" }, ({ body }) => {
    if (body !== null && typeof body === "object" && nestedDeeperThan(body, MAX_BODY_DEPTH)) {
      throw new ApiError("invalid_request", `request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
    }
  });
}
