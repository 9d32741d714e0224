/**
 * Rows read through drizzle on PostgreSQL look like the same rows read from SQLite:
 * timestamps come back as the ISO-8601 strings that went in (Bun.SQL alone returns a Date),
 * IP keys as 16-byte Buffers ordered bytewise, alloc_seq as a number (int8 arrives as text).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sql";
import * as pg from "../../src/store/pg/schema";
import { freshPgDatabase, type TestPgDatabase, usePgCluster } from "../helpers/pg";

usePgCluster();

describe("PostgreSQL column types through drizzle", () => {
  let db: TestPgDatabase;
  beforeAll(async () => {
    db = await freshPgDatabase({ migrated: true });
  });
  afterAll(() => db?.drop());

  test("timestamps, IP keys and alloc_seq round-trip in the application's own shapes", async () => {
    const orm = drizzle({ client: db.sql, schema: pg });
    const at = "2026-01-02T03:04:05.123Z";
    await orm.insert(pg.organizations).values({ id: "o1", name: "Lab", createdAt: at, updatedAt: at });
    const keys = ["00000000000000000000ffff0a000002", "00000000000000000000ffff0a000001", "20010db8000000000000000000000001"];
    await orm.insert(pg.subnets).values(
      keys.map((hex, i) => ({
        id: `n${i}`,
        orgId: "o1",
        family: hex.startsWith("2001") ? 6 : 4,
        networkKey: Buffer.from(hex, "hex"),
        prefixLength: 32,
        cidr: `x${i}`,
        createdAt: at,
        updatedAt: at,
      })),
    );
    await orm.update(pg.subnets).set({ allocSeq: 2 ** 40 }).where(eq(pg.subnets.id, "n0"));

    const rows = await orm.select().from(pg.subnets).orderBy(asc(pg.subnets.networkKey));
    expect(rows.map((r) => r.networkKey.toString("hex"))).toEqual([...keys].sort());
    const n0 = rows.find((r) => r.id === "n0")!;
    expect(n0.createdAt).toBe(at);
    expect(Buffer.isBuffer(n0.networkKey)).toBe(true);
    expect(n0.allocSeq).toBe(2 ** 40);
    const [org] = await orm.select().from(pg.organizations);
    expect(org).toEqual({ id: "o1", name: "Lab", plan: "unlimited", createdAt: at, updatedAt: at });
  });
});
