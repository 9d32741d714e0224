/**
 * Two `ipcraft serve` processes on one PostgreSQL (issue 12): 64 concurrent clients spread
 * over both allocate in one subnet, singles and bulk mixed, and one replica is killed with
 * SIGKILL mid-load. Every acknowledged address must be distinct and stored, the survivor
 * keeps serving (clients of the dead one carry on against it), and its first-free is the
 * lowest address the table does not hold.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createPgStore } from "../../src/store/pg/store";
import { freshPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenantIn } from "../helpers/tenant";

usePgCluster();

const ROOT = `${import.meta.dir}/../..`;
const children: Bun.Subprocess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** `ipcraft serve --db <url> --port 0` from source; resolves with its URL once it listens. */
async function serve(url: string, flags: string[] = []): Promise<{ proc: Bun.Subprocess<"ignore", "pipe", "pipe">; base: string }> {
  const proc = Bun.spawn([process.execPath, "run", "src/main.ts", "serve", "--db", url, "--port", "0", "--rate-limit", "0", ...flags], {
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(proc);
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited before listening: ${text}${await new Response(proc.stderr).text()}`);
    text += decoder.decode(value);
    const m = text.match(/listening url=(http:\/\/\S+)/);
    if (m) {
      // Keep draining, so that the child never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return { proc, base: m[1]! };
    }
  }
}

describe("two serve processes on one PostgreSQL", () => {
  test("64 clients over both, one replica SIGKILLed mid-load: every acknowledged address distinct and stored", async () => {
    const db = await freshPgDatabase({ migrated: true });
    const setup = createPgStore(db.sql);
    const tenant = await createTenantIn(setup);
    const [a, b] = await Promise.all([serve(db.url), serve(db.url)]);
    const headers = { ...tenant.bearer, "content-type": "application/json" };
    const subnet = await (await fetch(`${a.base}/api/v1/subnets`, { method: "POST", headers, body: JSON.stringify({ cidr: "10.30.0.0/16" }) })).json();

    const acknowledged: string[] = [];
    const refused: string[] = [];
    let requests = 0;
    let bAlive = true;
    const PER_CLIENT = 12;
    async function client(i: number) {
      for (let k = 0; k < PER_CLIENT; k++) {
        const body = JSON.stringify((i + k) % 7 === 0 ? { count: 5 } : { hostname: `c${i}-${k}` });
        // Odd clients start on b; once b is gone (or a request to it fails) they use a.
        let target = i % 2 === 1 && bAlive ? b : a;
        for (;;) {
          try {
            const r = await fetch(`${target.base}/api/v1/subnets/${subnet.id}/addresses`, { method: "POST", headers, body });
            const answer = await r.json();
            if (r.status === 201) acknowledged.push(...(answer.items ? answer.items.map((x: any) => x.ip) : [answer.ip]));
            else refused.push(`${r.status} ${answer.code}`);
            break;
          } catch {
            if (target === a) throw new Error("the surviving replica stopped answering");
            target = a; // b died under this request: unknown whether it committed, not acknowledged
          }
        }
        if (++requests === 250) {
          b.proc.kill("SIGKILL");
          bAlive = false;
        }
      }
    }
    await Promise.all(Array.from({ length: 64 }, (_, i) => client(i)));
    await b.proc.exited;

    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(64 * PER_CLIENT * 0.9);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    const stored = new Set(((await db.sql`SELECT ip FROM addresses WHERE subnet_id = ${subnet.id}`) as { ip: string }[]).map((r) => r.ip));
    expect(acknowledged.filter((ip) => !stored.has(ip))).toEqual([]);
    // The survivor's memory equals the table: first-free is the lowest address not stored.
    let lowest = 1;
    while (stored.has(`10.30.${lowest >> 8}.${lowest & 255}`)) lowest++;
    const ff = await (await fetch(`${a.base}/api/v1/subnets/${subnet.id}/first-free`, { headers })).json();
    expect(ff.ip).toBe(`10.30.${lowest >> 8}.${lowest & 255}`);

    a.proc.kill("SIGTERM");
    await a.proc.exited;
    await setup.close();
    await db.drop();
  }, 120_000);
});

describe("serve on PostgreSQL: its connections", () => {
  test("--db-connections bounds what a replica opens (the pool, plus its lookup connection) under 64 concurrent clients; named ipcraft", async () => {
    const db = await freshPgDatabase({ migrated: true });
    const setup = createPgStore(db.sql);
    const tenant = await createTenantIn(setup);
    const opened = async () =>
      Number(((await db.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ipcraft'`) as { n: number }[])[0]!.n);
    for (const [flags, most] of [[["--db-connections", "2"], 3], [[], 5]] as const) {
      const { proc, base } = await serve(db.url, [...flags]);
      const headers = { ...tenant.bearer, "content-type": "application/json" };
      const subnet = await (await fetch(`${base}/api/v1/subnets`, { method: "POST", headers, body: JSON.stringify({ cidr: `10.${32 + most}.0.0/16` }) })).json();
      let peak = 0;
      let running = true;
      const watch = (async () => {
        while (running) {
          peak = Math.max(peak, await opened());
          await Bun.sleep(5);
        }
      })();
      const statuses = await Promise.all(
        Array.from({ length: 64 }, async (_, i) => {
          const out: number[] = [];
          for (let k = 0; k < 5; k++) {
            const r = await fetch(`${base}/api/v1/subnets/${subnet.id}/addresses`, { method: "POST", headers, body: JSON.stringify({ hostname: `h${i}-${k}` }) });
            out.push(r.status);
            await r.arrayBuffer();
          }
          return out;
        }),
      );
      running = false;
      await watch;
      expect(statuses.flat().filter((s) => s !== 201)).toEqual([]);
      expect({ flags, peak: peak > 0 && peak <= most }).toEqual({ flags, peak: true });
      proc.kill("SIGTERM");
      await proc.exited;
      // Its backends are gone before the next replica is counted.
      for (let waited = 0; (await opened()) > 0 && waited < 10_000; waited += 20) await Bun.sleep(20);
    }
    await setup.close();
    await db.drop();
  }, 120_000);
});

describe("serve on PostgreSQL runs the work outside requests", () => {
  // The webhook delivery worker was started only by the SQLite server: on PostgreSQL the
  // outbox filled and nothing was ever sent.
  test("a webhook is delivered by a replica", async () => {
    const db = await freshPgDatabase({ migrated: true });
    const tenant = await createTenantIn(createPgStore(db.sql));
    const received: { event: string | null; body: { type?: string } }[] = [];
    const receiver = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (request) => {
        received.push({ event: request.headers.get("x-ipcraft-event"), body: await request.json() });
        return new Response(null, { status: 204 });
      },
    });
    try {
      const { proc, base } = await serve(db.url);
      const headers = { ...tenant.bearer, "content-type": "application/json" };
      const hook = await fetch(`${base}/api/v1/webhooks`, {
        method: "POST",
        headers,
        body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/hook`, events: ["subnet.*"] }),
      });
      expect(hook.status).toBe(201);
      expect((await fetch(`${base}/api/v1/subnets`, { method: "POST", headers, body: JSON.stringify({ cidr: "10.31.0.0/24" }) })).status).toBe(201);
      for (let waited = 0; waited < 30_000 && !received.some((r) => r.event === "subnet.create"); waited += 100) await Bun.sleep(100);
      expect(received.map((r) => r.event)).toContain("subnet.create");
      proc.kill("SIGTERM");
      await proc.exited;
    } finally {
      receiver.stop(true);
    }
  }, 60_000);
});
