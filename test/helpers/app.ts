/**
 * The real app, in-process, on a fresh migrated in-memory database — one per test file
 * or per test, never shared state. `call()` is the tiny request builder every test uses.
 */
import { createApp } from "../../src/app";
import { defaultServerConfig, type ServerConfig } from "../../src/config";
import { openDatabase, type OpenDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { createSqliteStore } from "../../src/store/sqlite/store";

export interface CallOptions {
  body?: unknown;
  /** raw body (text, or bytes that need not be UTF-8); sent as is (with the given or no content type) */
  raw?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export function testApp(config: Partial<ServerConfig> = {}) {
  const database: OpenDatabase = openDatabase(":memory:");
  const store = createSqliteStore(database);
  const logger = createMemoryLogger();
  // Rate limits off unless a test asks for them: other tests fire many requests at once.
  const app = createApp({ database, store, config: defaultServerConfig({ rateLimit: 0, ...config }), logger });

  async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | Uint8Array<ArrayBuffer> | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, text, headers: response.headers };
  }

  return { app, database, store, logger, call };
}

export type TestApp = ReturnType<typeof testApp>;
