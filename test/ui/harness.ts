/**
 * Browser-test harness: the real server in-process (`startServer`, a real Bun.serve, because
 * the web app's HTML-import routes exist only there) on a temporary database file, and
 * Debian's Chromium driven headless by playwright-core.
 *
 * Every browser context records the requests its pages make; `offsite` lists any that left
 * the loopback interface, and tests assert it stays empty (the air-gapped promise).
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { defaultServerConfig } from "../../src/config";
import { openDatabase, type OpenDatabase } from "../../src/db/client";
import { createMemoryLogger } from "../../src/logger";
import { type RunningServer, startServer } from "../../src/server";
import { tempDir } from "../helpers/tmp";

export const CHROMIUM = process.env.IPCRAFT_CHROMIUM ?? "/usr/bin/chromium";

export interface UiEnv {
  url: string;
  server: RunningServer;
  /** a second connection to the server's database file, for fixtures the API cannot make */
  database: OpenDatabase;
  logger: ReturnType<typeof createMemoryLogger>;
  browser: Browser;
  /** every request to a non-loopback address, from any page of any context */
  offsite: string[];
  stop(): Promise<void>;
}

export async function startUi(): Promise<UiEnv> {
  const dir = tempDir("ipcraft-ui");
  const logger = createMemoryLogger();
  // A known free port, so that the public URL (in sign-in links) is the real address.
  const port = freePort();
  // Rate limits off: the tests drive the API and the browser at machine speed.
  const config = defaultServerConfig({ db: `${dir}/ipcraft.db`, host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}`, rateLimit: 0 });
  const server = startServer(config, logger);
  const database = openDatabase(config.db);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const env: UiEnv = {
    url: server.url,
    server,
    database,
    logger,
    browser,
    offsite: [],
    async stop() {
      await browser.close();
      database.close();
      await server.stop();
    },
  };
  return env;
}

function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** True for URLs that stay on this machine (or never touch the network: data:, blob:, about:). */
export function isLoopback(raw: string): boolean {
  const url = new URL(raw);
  if (["data:", "blob:", "about:", "chrome:", "chrome-extension:"].includes(url.protocol)) return true;
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

/** A fresh browser context (own cookies) at a given viewport, recording offsite requests. */
export async function newContext(env: UiEnv, viewport = { width: 1280, height: 900 }, colorScheme: "light" | "dark" = "light"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await env.browser.newContext({ viewport, colorScheme, baseURL: env.url });
  context.on("request", (request) => {
    if (!isLoopback(request.url())) env.offsite.push(request.url());
  });
  // Counts what the page's Content-Security-Policy refused (window.__cspViolations).
  await context.addInitScript(() => {
    (window as any).__cspViolations = 0;
    document.addEventListener("securitypolicyviolation", () => (window as any).__cspViolations++);
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page };
}

/** The sign-in links the server logged (no SMTP configured), newest last. */
export function loggedSignInLinks(env: UiEnv): string[] {
  return env.logger.lines.flatMap((line) => {
    const m = /sign-in link .*url=(\S+)/.exec(line);
    return m ? [m[1]!.replace(/^"|"$/g, "")] : [];
  });
}

/** Runs an API request with an API key; returns status and parsed body. */
export async function apiCall(env: UiEnv, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${env.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Signs `page` in the way a person does: the sign-in page sends a link, the server logs it
 * (no SMTP), the link's page has a "Sign in" button, and the app opens signed in.
 * The user must already exist (signup is closed by default).
 */
export async function signInByLink(env: UiEnv, page: Page, email: string): Promise<void> {
  // Tests sign the same people in many times; the per-email limit (5 links per 15 min) is for
  // mailboxes, not fixtures: forget this address's earlier plain links.
  env.database.sqlite.run("DELETE FROM login_tokens WHERE email = ? AND invitation_id IS NULL", [email.toLowerCase()]);
  const before = loggedSignInLinks(env).length;
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await page.getByText(/magic link sent/i).waitFor();
  const link = loggedSignInLinks(env).slice(before).at(-1);
  if (!link) throw new Error("no sign-in link in the server log");
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${env.url}/`);
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** A fresh browser context signed in as `email` by a link, on its first page. */
export async function signedInPage(env: UiEnv, email: string, viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await newContext(env, viewport);
  await signInByLink(env, page, email);
  return page;
}

/** POSTs a fixture through the API with `key`; anything but 201 fails the test's setup loudly. */
export async function apiCreate(env: UiEnv, key: string, path: string, body: unknown): Promise<any> {
  const r = await apiCall(env, key, "POST", path, body);
  if (r.status !== 201) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
