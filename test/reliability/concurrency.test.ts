/**
 * Concurrency at scale, through a real listening server on a database file: 64 clients mix
 * allocate-next, specific takes, releases, child subnet creates/deletes and splits, for tens
 * of thousands of operations. Each client replays from its own seed.
 *
 * What must hold: no address is ever handed out (201) while another client holds it (every
 * acknowledged allocation and release is tracked); every answer is one of the documented
 * outcomes (never a 5xx); at the end the addresses in the database are exactly the ones the
 * clients hold, and `ipcraft check` finds nothing wrong.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { formatIp } from "../../src/ip";
import { createMemoryLogger } from "../../src/logger";
import { checkDatabaseFile, formatCheckReport } from "../../src/ops/check";
import { startServer, type RunningServer } from "../../src/server";
import { Prng } from "../ip/prng";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";

const CLIENTS = 64;
const OPS_PER_CLIENT = 500; // 32,000 operations in all
const BASE = 0x0a010000n; // the shared /16: 10.1.0.0/16

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

type Op = "allocate" | "allocate-child" | "take" | "release" | "create-child" | "split" | "delete-child";

describe("64 clients, tens of thousands of mixed operations", () => {
  test("no address handed out twice, database = what clients hold, check passes", async () => {
    const db = join(tempDir("concurrency"), "ipcraft.db");
    const seed = openDatabase(db);
    const tenant = createTenant(seed);
    seed.close();
    const server = startServer(defaultServerConfig({ db, port: 0, rateLimit: 0 }), createMemoryLogger());
    servers.push(server);
    const base = `http://127.0.0.1:${server.port}/api/v1`;
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { ...tenant.bearer, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };
    const shared = (await call("POST", "/subnets", { cidr: "10.1.0.0/16" })).body;

    /** ip → [client, address id] for every address a client holds right now. */
    const holder = new Map<string, [number, string]>();
    const violations: string[] = [];
    const outcomes = new Map<string, number>();
    const count = (op: Op, status: number) => outcomes.set(`${op} ${status}`, (outcomes.get(`${op} ${status}`) ?? 0) + 1);
    /** Which statuses each operation may answer; anything else is a failure. */
    const allowed: Record<Op, number[]> = {
      allocate: [201],
      "allocate-child": [201, 409], // a /26 can fill up
      take: [201, 409, 400], // taken; inside a child subnet
      release: [204],
      "create-child": [201, 409], // duplicate; an address would become its network/broadcast
      split: [201, 409], // already has children (adopted); addresses on part boundaries
      "delete-child": [204],
    };

    const acquired = (client: number, address: { id: string; ip: string }, mine: Map<string, string>) => {
      const previous = holder.get(address.ip);
      if (previous) violations.push(`${address.ip} handed to client ${client} while client ${previous[0]} holds it`);
      holder.set(address.ip, [client, address.id]);
      mine.set(address.id, address.ip);
    };

    async function client(n: number) {
      const rng = new Prng(0x5eed + n);
      const mine = new Map<string, string>(); // address id → ip
      const children: { id: string; length: number }[] = []; // subnets this client created (or split off)
      for (let i = 0; i < OPS_PER_CLIENT; i++) {
        const roll = rng.int(100);
        let op: Op;
        let r: { status: number; body: any };
        if (roll < 30) {
          op = "allocate";
          r = await call("POST", `/subnets/${shared.id}/addresses`, { hostname: `c${n}` });
          if (r.status === 201) acquired(n, r.body, mine);
        } else if (roll < 38 && children.length > 0) {
          op = "allocate-child";
          r = await call("POST", `/subnets/${rng.pick(children).id}/addresses`, { hostname: `c${n}` });
          if (r.status === 201) acquired(n, r.body, mine);
        } else if (roll < 55) {
          op = "take";
          const ip = formatIp({ family: 4, value: BASE + 1n + BigInt(rng.int(65_534)) });
          r = await call("POST", `/subnets/${shared.id}/addresses`, { ip, hostname: `c${n}` });
          if (r.status === 201) acquired(n, r.body, mine);
        } else if (roll < 85 && mine.size > 0) {
          op = "release";
          const [id, ip] = [...mine][rng.int(mine.size)]!;
          // Released from our books before the request: from then on anyone may receive it.
          mine.delete(id);
          holder.delete(ip);
          r = await call("DELETE", `/addresses/${id}`);
        } else if (roll < 92 || children.length === 0) {
          op = "create-child";
          r = await call("POST", "/subnets", { cidr: `10.1.${rng.int(256)}.0/24` });
          if (r.status === 201) children.push({ id: r.body.id, length: 24 });
        } else if (roll < 96 && children.some((c) => c.length <= 26)) {
          op = "split";
          const target = rng.pick(children.filter((c) => c.length <= 26));
          r = await call("POST", `/subnets/${target.id}/split`, { parts: 4 });
          if (r.status === 201) children.push(...r.body.items.map((s: { id: string }) => ({ id: s.id, length: target.length + 2 })));
        } else {
          op = "delete-child";
          const { id } = children.splice(rng.int(children.length), 1)[0]!;
          r = await call("DELETE", `/subnets/${id}`);
        }
        count(op, r.status);
        if (!allowed[op].includes(r.status)) violations.push(`client ${n} ${op}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    }

    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    await server.stop();

    expect(violations).toEqual([]);
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(CLIENTS * OPS_PER_CLIENT);
    // The mix really happened: every kind of operation succeeded many times.
    for (const key of ["allocate 201", "allocate-child 201", "take 201", "release 204", "create-child 201", "split 201", "delete-child 204"]) {
      expect(outcomes.get(key) ?? 0).toBeGreaterThan(50);
    }

    // The database holds exactly the addresses the clients hold, with the same ids.
    const check = openDatabase(db);
    const rows = check.sqlite.query("SELECT id, ip FROM addresses").all() as { id: string; ip: string }[];
    check.close();
    expect(rows.length).toBe(holder.size);
    const missing = rows.filter((row) => holder.get(row.ip)?.[1] !== row.id);
    expect(missing).toEqual([]);

    const report = checkDatabaseFile(db);
    expect(formatCheckReport(report)).toEqual([expect.stringMatching(/^ok: 1 organization, \d+ subnets, \d+ addresses/)]);
    expect(report.counts.addresses).toBe(holder.size);
    console.log(`concurrency: ${total} operations; outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}; ${report.counts.subnets} subnets, ${report.counts.addresses} addresses at the end`);
  }, 120_000);
});
