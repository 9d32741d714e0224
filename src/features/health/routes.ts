/**
 * GET /healthz: liveness plus a real database round trip, for probes and `scripts/start`.
 *
 * "db" is "error" (503) when the database cannot be read, and also when its disk is full:
 * reads still work then, but no write can succeed, and a probe that said "ok" while every
 * allocation fails would hide the outage. `storage` then says which file and since when;
 * it clears once the disk has room again (db/storage-health.ts).
 */
import { Elysia } from "elysia";
import { z } from "zod";
import type { AppDeps } from "../../app";

const HealthBody = z.object({
  status: z.enum(["ok", "error"]),
  version: z.string(),
  db: z.enum(["ok", "error"]),
  /** only when the disk holding the database is full */
  storage: z.object({ status: z.literal("full"), since: z.string(), error: z.string() }).optional(),
});

export function healthRoutes({ database, version }: AppDeps) {
  // A real read of the file (the schema page), not `SELECT 1`, which never touches the disk.
  const ping = database.sqlite.query("SELECT COUNT(*) AS n FROM sqlite_master");
  return new Elysia({ name: "health" }).get(
    "/healthz",
    ({ set }) => {
      let db: "ok" | "error" = "ok";
      try {
        ping.get();
      } catch {
        db = "error";
      }
      const storage = database.storage.status();
      if (storage.full) db = "error";
      if (db !== "ok") set.status = 503;
      const body: z.infer<typeof HealthBody> = { status: db, version, db };
      if (storage.full) body.storage = { status: "full", since: storage.since, error: storage.message };
      return body;
    },
    {
      response: { 200: HealthBody, 503: HealthBody },
      detail: { summary: "Health check", tags: ["Operations"], security: [] },
    },
  );
}
