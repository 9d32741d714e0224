/**
 * What a request costs must not grow with the organization (issue 16): SQLite's own plan for
 * each lookup that has a narrower index, read with EXPLAIN QUERY PLAN instead of timed. The
 * server never runs ANALYZE, and without statistics the planner took the organization's index
 * (or none) for a subnet's page of addresses, a search by IP, a parent's child count, the
 * sweep's organizations and the boot's deadlines: each walked every record of the
 * organization (23–34 ms per request at 100,000 records). Each statement is captured as the
 * code really prepares it.
 */
import type { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/db/client";
import { addressRepo } from "../../src/features/addresses/repo";
import { subnetRepo } from "../../src/features/subnets/repo";
import { IpamRegistry } from "../../src/ipam/registry";
import { sqlitePhpipam } from "../../src/store/sqlite/phpipam";
import { reuseLookup } from "../../src/store/sqlite/reuse";
import { sectionStatements } from "../../src/store/sqlite/sections";
import { createTenant } from "../helpers/tenant";

/** The statements `run` prepares on `sqlite`, in order. */
function prepared(sqlite: Database, run: () => void): string[] {
  const seen: string[] = [];
  const original = sqlite.query.bind(sqlite);
  (sqlite as { query: unknown }).query = (sql: string) => (seen.push(sql), original(sql));
  try {
    run();
  } finally {
    (sqlite as { query: unknown }).query = original;
  }
  return seen;
}

/**
 * The plan's steps that read a whole organization's rows (or a whole table) of addresses or
 * subnets; `seeks` are steps that only look like it (a MIN() answered by the index's first entry).
 */
function walks(sqlite: Database, sql: string, seeks: string[] = []): string[] {
  // Prepared apart and finalized: a cached EXPLAIN of a DELETE … RETURNING stayed "in progress".
  const statement = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const plan = (statement.all() as { detail: string }[]).map((r) => r.detail);
  statement.finalize();
  // Tables appear by name or by alias (a, n, s, p): the index names say which table they are.
  const table = String.raw`(?:addresses|subnets|a|n|s|p)`;
  const index = String.raw`(?:sqlite_autoindex_)?(?:addresses|subnets)\w*`;
  const scan = new RegExp(`^SCAN ${table}( USING (COVERING )?INDEX ${index})?$`);
  const wholeOrg = new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX ${index} \\(org_id=\\?\\)$`);
  return plan.filter((d) => !seeks.includes(d) && (scan.test(d) || wholeOrg.test(d)));
}

describe("SQLite lookups use the narrowest index, whatever the organization's size", () => {
  const database = openDatabase(":memory:");
  const { sqlite } = database;
  const { orgId } = createTenant(database);
  const key = new Uint8Array(16);

  // The search across VRFs finds each VRF with MIN(vrf) (one seek per VRF), then one lookup per VRF.
  const vrfSeeks = ["SEARCH addresses USING COVERING INDEX addresses_org_vrf_ip_unique (org_id=?)", "SEARCH subnets USING COVERING INDEX subnets_org_vrf_net_unique (org_id=?)"];
  const cases: [string, () => void, ((sql: string) => boolean)?, string[]?][] = [
    ["a subnet's page of addresses and its count", () => addressRepo(database).list(orgId, { subnetId: "s", liveAt: "2030-01-01" }, 50)],
    ["the same filtered by status", () => addressRepo(database).list(orgId, { subnetId: "s", status: "assigned", liveAt: "2030-01-01" }, 50)],
    ["a search by IP across every VRF", () => addressRepo(database).list(orgId, { ipKey: key, liveAt: "2030-01-01" }, 50), undefined, vrfSeeks],
    ["a search by IP in one VRF", () => addressRepo(database).list(orgId, { ipKey: key, vrf: "default", liveAt: "2030-01-01" }, 50)],
    // A parent's children: the page walks the parent's range of the unique index in address
    // order (no sort per page), the count goes by the parent index.
    [
      "a parent's children, their count, and moving them to another parent",
      () => subnetRepo(database).list(orgId, { parentId: "p", within: { vrf: "default", family: 4, first: key, last: key } }, 50),
      (sql) => sql.includes("parent_id = ?"),
    ],
    // Few matches (here none): the page too is read by the narrow index and sorted.
    ["the roots: their count and a page", () => subnetRepo(database).list(orgId, { root: true }, 50), (sql) => sql.includes("parent_id IS NULL")],
    ["a folder's subnets: their count and a page", () => subnetRepo(database).list(orgId, { sectionId: "f" }, 50), (sql) => sql.includes("section_id = ?")],
    ["a folder's deletion unfiling its subnets", () => sectionStatements(database), (sql) => sql.startsWith("UPDATE subnets SET section_id = NULL")],
    ["the organizations the sweep visits", () => addressRepo(database).expiringOrgs("2030-01-01")],
    // (A boot reads every organization's subnets and records on purpose; the deadlines are few.)
    ["the deadlines a boot or rebuild loads", () => IpamRegistry.load(database), (sql) => sql.includes("expires_at IS NOT NULL")],
    ["reuse by hostname or MAC", () => reuseLookup(sqlite)],
    // What Proxmox's phpIPAM plugin asks for every IP it manages.
    ["phpIPAM: an address by IP", () => void sqlitePhpipam(database).addresses(orgId, { ip: "10.0.0.1" }, 10), undefined, vrfSeeks],
    ["phpIPAM: a subnet by CIDR", () => void sqlitePhpipam(database).subnets(orgId, { cidr: "10.0.0.0/24" }), undefined, vrfSeeks],
  ];
  for (const [label, run, only = () => true, seeks] of cases) {
    test(label, () => {
      const statements = prepared(sqlite, run).filter((sql) => /\b(addresses|subnets)\b/.test(sql) && /^\s*(SELECT|WITH|DELETE|UPDATE)/i.test(sql) && only(sql));
      expect(statements.length).toBeGreaterThan(0);
      for (const sql of statements) {
        const shown = sql.replace(/\s+/g, " ");
        expect({ sql: shown, walks: walks(sqlite, sql, seeks) }).toEqual({ sql: shown, walks: [] });
      }
    });
  }
});
