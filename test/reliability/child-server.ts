/**
 * Helpers for the tests that run the real `ipcraft` executable as a child process: a database
 * file with one tenant (written before the server starts), a server tracked for cleanup, and
 * tiny JSON request builders.
 */
import { join } from "node:path";
import { openDatabase } from "../../src/db/client";
import { ensureBinary, startBinaryServer, type ServerProcess } from "../helpers/binary";
import { createTenant, type Tenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

/** Every child started here, so that afterAll can kill the ones a failed test left running. */
const started: ServerProcess[] = [];

/** Kills (SIGKILL) every child server still running. Call from afterAll/afterEach. */
export async function killLeftovers(): Promise<void> {
  for (const s of started.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.proc.kill("SIGKILL");
      await s.proc.exited;
    }
  }
}

/** A temp folder holding `ipcraft.db` with one tenant (org, owner, write API key). */
export function databaseWithTenant(label: string): { dir: string; db: string; tenant: Tenant } {
  const dir = tempDir(label);
  const db = join(dir, "ipcraft.db");
  const database = openDatabase(db);
  const tenant = createTenant(database);
  database.close();
  return { dir, db, tenant };
}

/** Starts the compiled binary on `db` (rate limiting off) and tracks it. */
export async function startChild(dir: string, db: string, extra: string[] = []): Promise<ServerProcess> {
  const server = await startBinaryServer(ensureBinary(), dir, ["--db", db, "--rate-limit", "0", ...extra]);
  started.push(server);
  return server;
}

/** Runs `ipcraft <args>` to completion. */
export async function runBinary(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([ensureBinary(), ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

/** JSON request with the tenant's key; throws on a network error (the caller decides what that means). */
export async function api(base: string, tenant: Tenant, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...tenant.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Every address of a subnet, following cursors. */
export async function allAddresses(base: string, tenant: Tenant, subnetId: string): Promise<{ id: string; ip: string }[]> {
  const out: { id: string; ip: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await api(base, tenant, "GET", `/subnets/${subnetId}/addresses?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (page.status !== 200) throw new Error(`listing addresses: ${page.status} ${JSON.stringify(page.body)}`);
    out.push(...page.body.items.map((a: { id: string; ip: string }) => ({ id: a.id, ip: a.ip })));
    cursor = page.body.next_cursor;
  } while (cursor);
  return out;
}

/** Allocation load: `clients` loops of POST /subnets/{id}/addresses with no ip, until stopped or cut off. */
export function allocationLoad(base: string, tenant: Tenant, subnetId: string, clients: number) {
  /** id → ip of every allocation answered 201 with a complete body: what the server acknowledged. */
  const acked = new Map<string, string>();
  /** statuses other than 201 (must stay empty: the server never answers an allocation with an error here) */
  const unexpected: string[] = [];
  let inFlight = 0;
  let stopped = false;
  const loop = async (client: number) => {
    for (let n = 0; !stopped; n++) {
      inFlight++;
      try {
        const r = await api(base, tenant, "POST", `/subnets/${subnetId}/addresses`, { hostname: `c${client}-${n}` });
        if (r.status === 201) acked.set(r.body.id, r.body.ip);
        else unexpected.push(`${r.status} ${JSON.stringify(r.body)}`);
      } catch {
        return; // connection refused or cut: this request was never acknowledged; the client stops
      } finally {
        inFlight--;
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  return {
    acked,
    unexpected,
    inFlight: () => inFlight,
    /** Resolves once at least `n` allocations are acknowledged (throws after `seconds`). */
    async reach(n: number, seconds = 30) {
      const deadline = performance.now() + seconds * 1000;
      while (acked.size < n) {
        if (performance.now() > deadline) throw new Error(`only ${acked.size} of ${n} allocations acknowledged; unexpected: ${unexpected.slice(0, 3).join("; ")}`);
        await Bun.sleep(5);
      }
    },
    /** Stops issuing new requests and waits for the clients to finish. */
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/**
 * A raw connection holding an allocation request with only part of its body sent: in flight
 * on the server for as long as we like. `finish()` sends the rest; `answer` is the response.
 */
export async function halfSentAllocation(base: string, tenant: Tenant, subnetId: string, hostname: string) {
  const body = JSON.stringify({ hostname });
  let received = "";
  let settle: (text: string) => void;
  const answer = new Promise<string>((resolve) => (settle = resolve));
  const url = new URL(base);
  const socket = await Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      data(_s, chunk) {
        received += chunk.toString();
      },
      close() {
        settle(received);
      },
      error() {
        settle(received);
      },
    },
  });
  socket.write(
    `POST /api/v1/subnets/${subnetId}/addresses HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${tenant.bearer.authorization}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
  );
  return {
    finish: () => socket.write(body.slice(5)),
    /** Status and parsed JSON body of the answer (status 0 when the connection closed without one). */
    async result(): Promise<{ status: number; body: any }> {
      const text = await answer;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const json = text.slice(text.indexOf("\r\n\r\n") + 4);
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        parsed = undefined;
      }
      return { status, body: parsed };
    },
  };
}
