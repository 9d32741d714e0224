/**
 * Every /api/v1 route except the public auth/* and tools/* ones must answer 401 without
 * credentials. The test walks the route table of the full app, so routes added later by
 * any feature are covered without editing this file (STACK.md: Elysia hooks are local by
 * default, and a plugin that forgets the guard silently serves everyone).
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

const PUBLIC = /^\/api\/v1\/(auth|tools)\//;
/** Public by name, guarded by design: the only auth/* route that needs a caller. */
const GUARDED_EXCEPTIONS = new Set(["/api/v1/auth/me"]);

function guardedRoutes(app: ReturnType<typeof testApp>["app"]) {
  const seen = new Set<string>();
  const routes: { method: string; path: string; url: string }[] = [];
  for (const route of app.router.history) {
    if (!route.path.startsWith("/api/v1/")) continue;
    if (PUBLIC.test(route.path) && !GUARDED_EXCEPTIONS.has(route.path)) continue;
    const method = route.method === "ALL" ? "GET" : route.method;
    if (method === "WS" || seen.has(`${method} ${route.path}`)) continue;
    seen.add(`${method} ${route.path}`);
    const url = route.path.replace(/:[^/]+/g, () => crypto.randomUUID()).replace(/\*/g, "x");
    routes.push({ method, path: route.path, url });
  }
  return routes;
}

async function send(t: ReturnType<typeof testApp>, method: string, url: string, headers: Record<string, string> = {}) {
  const writes = method === "POST" || method === "PUT" || method === "PATCH";
  return t.call(method, url, { headers, body: writes ? {} : undefined });
}

describe("every /api/v1 route is guarded", () => {
  const t = testApp();
  const routes = guardedRoutes(t.app);

  test("the walk finds the routes (it cannot pass by finding none)", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const known of ["GET /api/v1/auth/me", "GET /api/v1/api-keys", "POST /api/v1/api-keys", "DELETE /api/v1/api-keys/:id", "PATCH /api/v1/organization"]) {
      expect(names).toContain(known);
    }
  });

  for (const route of routes) {
    test(`${route.method} ${route.path} → 401 without credentials, with a bad key, with a bad cookie`, async () => {
      const bare = await send(t, route.method, route.url);
      expect(bare.status).toBe(401);
      expect(bare.body.code).toBe("unauthorized");
      const badKey = await send(t, route.method, route.url, { authorization: `Bearer ipc_${"x".repeat(40)}` });
      expect(badKey.status).toBe(401);
      const badCookie = await send(t, route.method, route.url, { cookie: "session=forged", "x-requested-with": "XMLHttpRequest" });
      expect(badCookie.status).toBe(401);
    });
  }

  test("a revoked session's cookie gets 401 everywhere", async () => {
    const tenant = createTenant(t.database);
    t.database.sqlite.run("DELETE FROM sessions WHERE user_id = ?", [tenant.userId]);
    for (const route of routes) {
      expect((await send(t, route.method, route.url, tenant.browser)).status).toBe(401);
    }
  });
});
