/** GET /healthz: liveness plus a real database round trip, for probes and `scripts/start`. */
import { Elysia } from "elysia";
import { z } from "zod";
import type { AppDeps } from "../../app";

const HealthBody = z.object({
  status: z.enum(["ok", "error"]),
  version: z.string(),
  db: z.enum(["ok", "error"]),
});

export function healthRoutes({ database, version }: AppDeps) {
  const ping = database.sqlite.query("SELECT 1 AS ok");
  return new Elysia({ name: "health" }).get(
    "/healthz",
    ({ set }) => {
      let db: "ok" | "error" = "ok";
      try {
        ping.get();
      } catch {
        db = "error";
      }
      if (db !== "ok") set.status = 503;
      return { status: db, version, db };
    },
    {
      response: { 200: HealthBody, 503: HealthBody },
      detail: { summary: "Health check", tags: ["Operations"], security: [] },
    },
  );
}
