/**
 * `ipcraft check` knows the integer ids (issue 14): a row without a number (its insert trigger
 * lost, e.g. by a SQLite table rebuild) or a counter behind the highest number is reported, on
 * both backends; a sound database reports nothing about numbers.
 */
import { describe, expect, test } from "bun:test";
import { ipKey } from "../../src/ip";
import { checkDatabase } from "../../src/ops/check";
import { checkPostgres } from "../../src/ops/check-any";
import { testApp } from "../helpers/app";
import { freshPgDatabase, usePgCluster } from "../helpers/pg";
import { createTenant } from "../helpers/tenant";

usePgCluster();

const numberProblems = (problems: { kind: string; message: string }[]) => problems.filter((p) => p.kind === "number").map((p) => p.message);

describe("ipcraft check: integer ids", () => {
  test("SQLite: sound, then a row written by hand and a counter set back are reported", async () => {
    const t = testApp();
    const tenant = createTenant(t.database);
    const post = (path: string, body: unknown) => t.call("POST", `/api/v1${path}`, { body, headers: tenant.bearer });
    const subnet = (await post("/subnets", { cidr: "10.0.0.0/24" })).body;
    await post(`/subnets/${subnet.id}/addresses`, { count: 3 });
    await post("/sections", { name: "A" });
    expect(numberProblems(checkDatabase(t.database.sqlite).problems)).toEqual([]);
    // An address written by hand, past the code that numbers them (store/sqlite/numbers.ts).
    t.database.sqlite.run(
      "INSERT INTO addresses (id, org_id, subnet_id, vrf, ip, ip_key, created_at, updated_at) VALUES ('by-hand', ?, ?, 'default', '10.0.0.200', ?, '', '')",
      [tenant.orgId, subnet.id, ipKey({ family: 4, value: 0x0a0000c8n })],
    );
    t.database.sqlite.run("UPDATE number_counters SET next = 1 WHERE kind = 'section'");
    expect(numberProblems(checkDatabase(t.database.sqlite).problems)).toEqual([
      `organization ${tenant.orgId}: the next section number is 1, but 1 is already taken`,
      `1 address row(s) of organization ${tenant.orgId} have no number (written by hand, or without the insert path that numbers them)`,
    ]);
  });

  test("PostgreSQL: the same findings, read under row-level security", async () => {
    const pg = await freshPgDatabase({ migrated: true });
    try {
      const at = new Date().toISOString();
      await pg.sql`INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o1', 'o1', ${at}, ${at})`;
      await pg.sql`INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES ('s1', 'o1', 'A', 'a', ${at}, ${at})`;
      expect(numberProblems((await checkPostgres(pg.url)).problems)).toEqual([]);
      await pg.sql`ALTER TABLE sections DISABLE TRIGGER sections_number`;
      await pg.sql`INSERT INTO sections (id, org_id, name, name_key, created_at, updated_at) VALUES ('s2', 'o1', 'B', 'b', ${at}, ${at})`;
      await pg.sql`UPDATE number_counters SET next = 1`;
      expect(numberProblems((await checkPostgres(pg.url)).problems).sort()).toEqual([
        "1 section row(s) of organization o1 have no number (written by hand, or without the insert path that numbers them)",
        "organization o1: the next section number is 1, but 1 is already taken",
      ]);
    } finally {
      await pg.drop();
    }
  }, 60_000);
});
