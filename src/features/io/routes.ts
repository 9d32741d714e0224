/**
 * Export and import routes (API.md §9): GET /export/subnets.csv, /export/addresses.csv,
 * /export.json (streamed), POST /import/subnets and /import/addresses (text/csv body,
 * `?dry_run=true`). Thin: the work is in export.ts and import-*.ts, over the Store (SQLite or
 * PostgreSQL alike).
 */
import { Elysia } from "elysia";
import { z } from "zod";
import { actorOf, requireWrite } from "../../auth/principal";
import { authGuard } from "../../auth/guard";
import { MAX_IMPORT_BYTES, readBytesCapped } from "../../http/body";
import { ApiError } from "../../http/errors";
import type { StoreDeps } from "../../app";
import { documented, ErrorBody, errorResponses } from "../../ipam/schemas";
import { ADDRESS_COLUMNS, SUBNET_COLUMNS } from "./columns";
import { addressesCsv, type ExportChunk, organizationJson, streamOf, subnetsCsv } from "./export";
import { importOffThread, MAX_IMPORT_ROWS } from "./import-thread";

const tags = ["Export and import"];

const ImportQuery = z.strictObject({
  dry_run: z.enum(["true", "false"]).optional().describe("true: check the file and report what would happen; write nothing"),
});

const ImportResultBody = z
  .object({
    dry_run: z.boolean(),
    rows: z.number().int().describe("data rows in the file (the header not counted)"),
    created: z.record(z.string(), z.number().int()),
  })
  .meta({ examples: [{ dry_run: false, rows: 3, created: { subnets: 3, sections: 1 } }] });

const ImportFailedBody = ErrorBody.meta({
  examples: [
    {
      error: 'nothing was imported: 2 bad rows (first: row 3: column "ip": "10.0.0.300" is not a valid IPv4 address: ...)',
      code: "import_failed",
      details: { rows: [{ row: 3, error: 'column "ip": ...' }, { row: 7, error: "10.0.9.9 is already in use by db-01" }] },
    },
  ],
});

function download(chunks: AsyncGenerator<ExportChunk>, filename: string, type: string): Response {
  return new Response(streamOf(chunks), {
    headers: {
      "content-type": type,
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}

function csvDoc(summary: string, columns: readonly string[]) {
  return {
    tags,
    summary,
    description: `Streamed CSV (RFC 4180, CRLF), header row \`${columns.join(",")}\`. Cells starting with = + - @ are written with a leading ' (formula protection; import removes it). See README "CSV columns".`,
    responses: {
      200: { description: "OK", content: { "text/csv": { schema: { type: "string" } } } },
      ...documented(errorResponses()),
    },
  } as const;
}

/** 1000000 → "1,000,000" without toLocaleString, whose first call loads ICU (~10 ms of every boot). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

function importDoc(summary: string, columns: readonly string[]) {
  return {
    tags,
    summary,
    description:
      `Body: \`text/csv\` with the header \`${columns.join(",")}\` (any order; only the first is required). ` +
      "All or nothing in one transaction. A 400 `import_failed` lists every bad row as `{row, error}` in `details.rows` " +
      "(rows counted as a spreadsheet shows them: the header is row 1). `?dry_run=true` checks everything and writes nothing. " +
      `Limits: at most ${grouped(MAX_IMPORT_ROWS)} data rows and ${MAX_IMPORT_BYTES / 1024 / 1024} MB per file, else 413 \`body_too_large\` ` +
      "naming the limit (split the file, or use `ipcraft import`, which has none). On a SQLite file the import runs beside the server's other requests, one import at a time; on PostgreSQL it is one transaction like any other write.",
    requestBody: { required: true, content: { "text/csv": { schema: { type: "string" } } } },
    responses: { ...documented({ 200: ImportResultBody, ...errorResponses(402, 403), 413: ErrorBody }), ...documented({ 400: ImportFailedBody }) },
  } as const;
}

/** The CSV body of an import as UTF-8 bytes: text/csv (or text/plain), at most MAX_IMPORT_BYTES. */
async function csvBody(request: Request): Promise<Uint8Array> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^(text\/csv|text\/plain|application\/csv)\s*(;|$)/i.test(type)) {
    throw new ApiError("unsupported_media_type", "send the CSV file with Content-Type: text/csv");
  }
  // Unread so far whatever its type (http/shell.ts onParse): the bytes as sent, with the cap.
  return readBytesCapped(request, MAX_IMPORT_BYTES);
}

export function ioRoutes(deps: StoreDeps) {
  const { store } = deps;
  return new Elysia({ name: "io-routes", prefix: "/api/v1" })
    .use(authGuard(deps))
    .get("/export/subnets.csv", ({ principal }) => download(subnetsCsv(store, principal.orgId), "subnets.csv", "text/csv; charset=utf-8"), {
      detail: csvDoc("Export subnets as CSV", SUBNET_COLUMNS),
    })
    .get(
      "/export/addresses.csv",
      ({ principal }) => download(addressesCsv(store, principal.orgId), "addresses.csv", "text/csv; charset=utf-8"),
      { detail: csvDoc("Export addresses as CSV", ADDRESS_COLUMNS) },
    )
    .get(
      "/export.json",
      ({ principal }) => download(organizationJson(store, principal.orgId), "ipcraft-export.json", "application/json"),
      {
        detail: {
          tags,
          summary: "Export the whole organization as JSON",
          description: "Sections, subnets and address records of your organization, streamed. No users, keys or secrets.",
          responses: { 200: { description: "OK", content: { "application/json": { schema: { type: "object" } } } }, ...documented(errorResponses()) },
        },
      },
    )
    .post(
      "/import/subnets",
      async ({ principal, request, query }) => {
        requireWrite(principal);
        const csv = await csvBody(request);
        return importOffThread(store, { kind: "subnets", orgId: principal.orgId, actor: actorOf(principal), csv, dryRun: query.dry_run === "true" });
      },
      { query: ImportQuery, detail: importDoc("Import subnets from CSV", SUBNET_COLUMNS) },
    )
    .post(
      "/import/addresses",
      async ({ principal, request, query }) => {
        requireWrite(principal);
        const csv = await csvBody(request);
        return importOffThread(store, { kind: "addresses", orgId: principal.orgId, actor: actorOf(principal), csv, dryRun: query.dry_run === "true" });
      },
      { query: ImportQuery, detail: importDoc("Import addresses from CSV", ADDRESS_COLUMNS) },
    );
}
