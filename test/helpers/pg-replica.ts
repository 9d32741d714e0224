/**
 * A replica in-process: its own PostgreSQL client, Store and app over a shared database, as a
 * second `ipcraft serve` would have (the two-replica tests). `closers` collects its close.
 */
import { SQL } from "bun";
import { createApp } from "../../src/app";
import { defaultServerConfig } from "../../src/config";
import { createMemoryLogger } from "../../src/logger";
import { createPgStore, DEFAULT_POOL } from "../../src/store/pg/store";
import type { Tenant } from "./tenant";

export function pgReplica(url: string, tenant: Tenant, closers: (() => Promise<void>)[]) {
  // As a server opens it (openPgStore): a pool, and one pipelined connection for the per-request lookups.
  const store = createPgStore(new SQL(url, { max: DEFAULT_POOL }), { ownsClient: true, lookups: new SQL(url, { max: 1 }), pool: DEFAULT_POOL });
  closers.push(() => store.close());
  const logger = createMemoryLogger();
  const app = createApp({ store, config: defaultServerConfig({ rateLimit: 0 }), logger });
  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, headers: { ...tenant.bearer } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const response = await app.handle(new Request(`http://localhost/api/v1${path}`, init));
    const text = await response.text();
    // A 5xx says "see the server log": the test's failure message carries that log's last lines.
    const log = response.status >= 500 ? logger.lines.filter((line) => /error/i.test(line)).slice(-2).join("\n") : undefined;
    return { status: response.status, body: text ? JSON.parse(text) : undefined, log };
  };
  return { store, call, get: (p: string) => call("GET", p), post: (p: string, b: unknown) => call("POST", p, b), del: (p: string) => call("DELETE", p) };
}
