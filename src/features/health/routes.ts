/**
 * GET /healthz and GET /readyz: a real database round trip through the Store's ping, on
 * either backend, for probes, load balancers and `scripts/start`.
 *
 * "db" is "error" (503) when the database cannot be read (PostgreSQL: no answer within
 * 2 s, or a connection pool that fails to connect: store/pg/store.ts), and also when it is
 * out of space: reads still work then, but no write can succeed, and a probe that said "ok"
 * while every allocation fails would hide the outage. `storage` then says which database and
 * since when; it clears once there is room again (db/storage-health.ts; on PostgreSQL an
 * out-of-space error is SQLSTATE class 53).
 *
 * /healthz is the documented probe (API.md §11). /readyz answers the same checks under the
 * name load balancers and orchestrators look for: with several replicas behind a proxy, a
 * replica whose database connection is down answers 503 there and is taken out of rotation.
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

type Health = z.infer<typeof HealthBody>;

export function healthRoutes({ store, version }: Pick<AppDeps, "store" | "version">) {
  async function health(set: { status?: number | string }): Promise<Health> {
    let db: "ok" | "error" = "ok";
    try {
      await store.ping();
    } catch {
      db = "error";
    }
    const storage = store.storage.status();
    if (storage.full) db = "error";
    if (db !== "ok") set.status = 503;
    const body: Health = { status: db, version, db };
    if (storage.full) body.storage = { status: "full", since: storage.since, error: storage.message };
    return body;
  }
  const spec = { response: { 200: HealthBody, 503: HealthBody } };
  return new Elysia({ name: "health" })
    .get("/healthz", ({ set }) => health(set), { ...spec, detail: { summary: "Health check", tags: ["Operations"], security: [] } })
    .get("/readyz", ({ set }) => health(set), {
      ...spec,
      detail: { summary: "Readiness (same checks as /healthz, for load balancers)", tags: ["Operations"], security: [] },
    });
}
