/**
 * Interactive API docs at /docs and the OpenAPI 3.1 document at /docs/json, served
 * entirely from this binary: Swagger UI's files are embedded at build time and the page
 * points at them, because @elysiajs/openapi would otherwise load them from a CDN — and an
 * air-gapped install must never reach out (API.md §11).
 *
 * The page itself is ours, not the plugin's: the plugin pastes the description into a
 * `<meta content="...">` unescaped (its quotes spilled onto the page), points Swagger UI at
 * the spec by a relative URL (`/docs/` then asked for /docs/docs/json) and drops function
 * options, so "Try it out" could not send the CSRF header a signed-in browser needs.
 */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { z } from "zod";
// @ts-ignore — TypeScript does not model `with { type: "file" }`: the import is a path to the embedded file.
import swaggerJs from "../../node_modules/swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
// @ts-ignore — as above.
import swaggerCss from "../../node_modules/swagger-ui-dist/swagger-ui.css" with { type: "file" };

const SPEC_PATH = "/docs/json";

/**
 * Starts Swagger UI (an external script, so the page's CSP allows no inline code). Every
 * request "Try it out" sends carries `X-Requested-With: XMLHttpRequest`: with the session
 * cookie a write needs it (auth/csrf.ts), and it is harmless with an API key. The page and
 * the API share an origin, so the header never goes anywhere else.
 */
const DOCS_JS = `"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(SPEC_PATH)},
    dom_id: "#swagger-ui",
    validatorUrl: null,
    withCredentials: true,
    requestInterceptor: function (request) {
      var target = new URL(request.url, location.href);
      if (target.origin === location.origin) request.headers["X-Requested-With"] = "XMLHttpRequest";
      return request;
    },
  });
});
`;

/** Swagger UI has no dark theme: invert it when the system asks for dark (as the plugin did). */
const DOCS_CSS = `body { margin: 0; }
@media (prefers-color-scheme: dark) {
  body { background-color: #222; }
  .swagger-ui { filter: invert(92%) hue-rotate(180deg); }
  .swagger-ui .microlight { filter: invert(100%) hue-rotate(180deg); }
}
`;

type Asset = { type: string } & ({ path: string } | { text: string });
const ASSETS: Record<string, Asset> = {
  "swagger-ui-bundle.js": { path: swaggerJs as unknown as string, type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { path: swaggerCss as unknown as string, type: "text/css; charset=utf-8" },
  "docs.js": { text: DOCS_JS, type: "text/javascript; charset=utf-8" },
  "docs.css": { text: DOCS_CSS, type: "text/css; charset=utf-8" },
};

const DESCRIPTION =
  "Self-hosted IP address management. Authenticate with `Authorization: Bearer ipc_...` " +
  "(an API key) or the `session` cookie; cookie writes need `X-Requested-With: XMLHttpRequest`. " +
  'Errors are `{"error": "<sentence>", "code": "<code>", "details"?: {...}}`.';

/** Text made safe inside HTML, in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The docs page. Every piece of text is escaped where it enters the HTML; the CSP lets it
 * load only this server's files (Swagger UI styles some elements inline, hence
 * 'unsafe-inline' for styles only).
 */
function docsPage(title: string, description: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(description)}">
<link rel="stylesheet" href="/assets/swagger-ui.css">
<link rel="stylesheet" href="/assets/docs.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/docs.js"></script>
</body>
</html>`;
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}

/** zod → JSON Schema for the document; types JSON Schema cannot express become `{}` instead of failing. */
function zodToJsonSchema(schema: z.ZodType, io: "input" | "output" = "output") {
  return z.toJSONSchema(schema, { unrepresentable: "any", io });
}

type Parameter = { in: string; name: string };
type Spec = { paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown>; required?: boolean }; parameters?: Parameter[] }>> };
type RouteEntry = { method: string; path: string; hooks?: { body?: unknown; detail?: { parameters?: Parameter[] } } };

/**
 * Request bodies, from the routes' own zod schemas (and header parameters, below). The plugin
 * cannot infer them once the app has its own JSON parser (http/shell.ts), and would otherwise
 * list urlencoded and multipart too; this API takes JSON only (anything else is a 415), so the
 * document says that.
 */
function documentJsonBodies(spec: Spec, routes: RouteEntry[]): void {
  for (const route of routes) {
    const operation = spec.paths?.[route.path.replace(/:([^/]+)/g, "{$1}")]?.[route.method.toLowerCase()];
    if (!operation) continue;
    // Header parameters a route declares in `detail` (Idempotency-Key, http/idempotency.ts): the
    // plugin drops them where it generates path parameters, so they are merged back here.
    for (const declared of route.hooks?.detail?.parameters ?? []) {
      operation.parameters ??= [];
      if (!operation.parameters.some((p) => p.in === declared.in && p.name === declared.name)) operation.parameters.push(declared);
    }
    const body = route.hooks?.body;
    if (!(body instanceof z.ZodType)) continue;
    // Optional when the schema accepts no body at all (logout takes none, or `{}`).
    operation.requestBody = { required: !body.safeParse(undefined).success, content: { "application/json": { schema: zodToJsonSchema(body, "input") } } };
  }
}

/** `routes` is read when the document is served, after every feature has been mounted. */
export function apiDocs(version: string, routes: () => RouteEntry[]) {
  const title = "IPCraft API";
  const page = () => docsPage(title, DESCRIPTION);
  return new Elysia({ name: "api-docs" })
    .onAfterHandle({ as: "global" }, ({ path, response }) => {
      // Idempotent, and /docs/json is not a hot path: filled on every serve.
      if (path === "/docs/json" && response && typeof response === "object") documentJsonBodies(response as Spec, routes());
    })
    .use(
      openapi({
        path: "/docs",
        specPath: SPEC_PATH,
        // The page is ours (docsPage); the plugin only builds the document.
        provider: null,
        mapJsonSchema: { zod: zodToJsonSchema },
        // staticFile: false — the plugin otherwise hides every path with a dot, which would
        // drop /export/subnets.csv and /export.json from the document.
        exclude: { staticFile: false, paths: ["/docs", "/docs/json", /^\/assets\//] },
        documentation: {
          info: { title, version, description: DESCRIPTION },
          components: {
            securitySchemes: {
              apiKey: { type: "http", scheme: "bearer", description: "An API key: ipc_ followed by 40 characters" },
              session: { type: "apiKey", in: "cookie", name: "session" },
            },
          },
          security: [{ apiKey: [] }, { session: [] }],
        },
      }),
    )
    // Both spellings: a link or a habit may add the trailing slash.
    .get("/docs", page, { detail: { hide: true } })
    .get("/docs/", page, { detail: { hide: true } })
    .get(
      "/assets/:file",
      ({ params, status }) => {
        const asset = Object.hasOwn(ASSETS, params.file) ? ASSETS[params.file] : undefined;
        if (!asset) return status(404, { error: `no asset ${params.file}`, code: "route_not_found" });
        return new Response("path" in asset ? Bun.file(asset.path) : asset.text, {
          headers: { "content-type": asset.type, "cache-control": "public, max-age=86400" },
        });
      },
      { detail: { hide: true } },
    );
}
