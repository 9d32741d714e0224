/**
 * Interactive API docs at /docs and the OpenAPI 3.1 document at /docs/json, served
 * entirely from this binary: Swagger UI's files are embedded at build time and the page
 * points at them, because @elysiajs/openapi would otherwise load them from a CDN — and an
 * air-gapped install must never reach out (API.md §11).
 */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { z } from "zod";
// @ts-ignore — TypeScript does not model `with { type: "file" }`: the import is a path to the embedded file.
import swaggerJs from "../../node_modules/swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
// @ts-ignore — as above.
import swaggerCss from "../../node_modules/swagger-ui-dist/swagger-ui.css" with { type: "file" };

const ASSETS = {
  "swagger-ui-bundle.js": { path: swaggerJs as unknown as string, type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { path: swaggerCss as unknown as string, type: "text/css; charset=utf-8" },
} as const;

/** zod → JSON Schema for the document; types JSON Schema cannot express become `{}` instead of failing. */
function zodToJsonSchema(schema: z.ZodType, io: "input" | "output" = "output") {
  return z.toJSONSchema(schema, { unrepresentable: "any", io });
}

type Spec = { paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown>; required?: boolean } }>> };
type RouteEntry = { method: string; path: string; hooks?: { body?: unknown } };

/**
 * Request bodies, from the routes' own zod schemas. The plugin cannot infer them once the
 * app has its own JSON parser (http/shell.ts), and would otherwise list urlencoded and
 * multipart too; this API takes JSON only (anything else is a 415), so the document says that.
 */
function documentJsonBodies(spec: Spec, routes: RouteEntry[]): void {
  for (const route of routes) {
    const body = route.hooks?.body;
    if (!(body instanceof z.ZodType)) continue;
    const operation = spec.paths?.[route.path.replace(/:([^/]+)/g, "{$1}")]?.[route.method.toLowerCase()];
    if (!operation) continue;
    // Optional when the schema accepts no body at all (logout takes none, or `{}`).
    operation.requestBody = { required: !body.safeParse(undefined).success, content: { "application/json": { schema: zodToJsonSchema(body, "input") } } };
  }
}

/** `routes` is read when the document is served, after every feature has been mounted. */
export function apiDocs(version: string, routes: () => RouteEntry[]) {
  return new Elysia({ name: "api-docs" })
    .onAfterHandle({ as: "global" }, ({ path, response }) => {
      // Idempotent, and /docs/json is not a hot path: filled on every serve.
      if (path === "/docs/json" && response && typeof response === "object") documentJsonBodies(response as Spec, routes());
    })
    .use(
      openapi({
        path: "/docs",
        specPath: "/docs/json",
        provider: "swagger-ui",
        mapJsonSchema: { zod: zodToJsonSchema },
        // staticFile: false — the plugin otherwise hides every path with a dot, which would
        // drop /export/subnets.csv and /export.json from the document.
        exclude: { staticFile: false, paths: ["/docs", "/docs/json", /^\/assets\//] },
        documentation: {
          info: {
            title: "IPCraft API",
            version,
            description:
              "Self-hosted IP address management. Authenticate with `Authorization: Bearer ipc_...` " +
              "(an API key) or the `session` cookie; cookie writes need `X-Requested-With: XMLHttpRequest`. " +
              'Errors are `{"error": "<sentence>", "code": "<code>", "details"?: {...}}`.',
          },
          components: {
            securitySchemes: {
              apiKey: { type: "http", scheme: "bearer", description: "An API key: ipc_ followed by 40 characters" },
              session: { type: "apiKey", in: "cookie", name: "session" },
            },
          },
          security: [{ apiKey: [] }, { session: [] }],
        },
        swagger: {
          cdn: "/assets/swagger-ui-bundle.js",
          theme: "/assets/swagger-ui.css",
          validatorUrl: "none",
        } as Record<string, unknown>,
      }),
    )
    .get(
      "/assets/:file",
      ({ params, status }) => {
        const asset = ASSETS[params.file as keyof typeof ASSETS];
        if (!asset) return status(404, { error: `no asset ${params.file}`, code: "route_not_found" });
        return new Response(Bun.file(asset.path), {
          headers: { "content-type": asset.type, "cache-control": "public, max-age=86400" },
        });
      },
      { detail: { hide: true } },
    );
}
