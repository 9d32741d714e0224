/**
 * PostgreSQL reads for `ipcraft check` (src/ops/check.ts): the same rows the SQLite check
 * reads, from one REPEATABLE READ READ ONLY snapshot (safe beside running replicas), one
 * organization at a time under its own `app.org_id` (row-level security is forced even for
 * the owner; the organizations come from the maintenance listing, as pruning reads them).
 * In place of SQLite's integrity_check: every tenant table must have row-level security
 * enabled and forced (PostgreSQL itself enforces foreign keys and checksums its pages).
 */
import { SQL } from "bun";
import { numberStatsSql, type AddressRow, type NumberCounter, type NumberStat, type SubnetRow } from "../../ops/check";
import { listOrganizationIds } from "./ops";
import { migratePostgres } from "./migrate";

export interface PgCheckRows {
  organizations: number;
  subnets: SubnetRow[];
  addresses: AddressRow[];
  /** tables that should be under forced row-level security and are not */
  unprotected: string[];
  numbers: NumberStat[];
  counters: NumberCounter[];
}

/** Tables without `org_id` that still hold an organization's rows (sessions: through users). */
const ALSO_TENANT = ["organizations", "sessions"];

export async function readForCheck(url: string): Promise<PgCheckRows> {
  const sql = new SQL(url, { max: 1 });
  try {
    // Migrated like every command does: a database of an older build is checked as this build sees it.
    await migratePostgres(sql);
    return (await sql.begin(async (tx) => {
      await tx`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`;
      const unprotected = (
        (await tx`
          SELECT c.relname FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
             AND (c.relname = ANY(${sql.array(ALSO_TENANT, "TEXT")}::text[])
                  OR EXISTS (SELECT 1 FROM information_schema.columns i
                              WHERE i.table_schema = 'public' AND i.table_name = c.relname AND i.column_name = 'org_id'))
             AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
           ORDER BY c.relname`) as { relname: string }[]
      ).map((r) => r.relname);
      const orgs = await listOrganizationIds(tx);
      const subnets: SubnetRow[] = [];
      const addresses: AddressRow[] = [];
      const numbers: NumberStat[] = [];
      const counters: NumberCounter[] = [];
      for (const org of orgs) {
        await tx`SELECT set_config('app.org_id', ${org}, true)`;
        subnets.push(
          ...((await tx`
            SELECT s.id, s.org_id, s.section_id, s.parent_id, s.vrf, s.family, s.network_key, s.prefix_length, s.cidr,
                   -- A section the foreign key says exists but this organization cannot see is
                   -- another organization's: '' makes check.ts report it, as SQLite's join does.
                   CASE WHEN s.section_id IS NOT NULL AND sec.id IS NULL THEN '' ELSE sec.org_id END AS section_org
              FROM subnets s LEFT JOIN sections sec ON sec.id = s.section_id
             WHERE s.org_id = ${org}
             ORDER BY s.vrf, s.family, s.network_key, s.prefix_length`) as SubnetRow[]),
        );
        addresses.push(...((await tx`SELECT id, org_id, subnet_id, vrf, ip, ip_key FROM addresses WHERE org_id = ${org} ORDER BY subnet_id, ip_key`) as AddressRow[]));
        numbers.push(...((await tx.unsafe(numberStatsSql("WHERE org_id = $1"), [org])) as NumberStat[]));
        counters.push(...((await tx`SELECT org_id, kind, next FROM number_counters WHERE org_id = ${org}`) as NumberCounter[]));
      }
      await tx`SELECT set_config('app.org_id', '', true)`;
      return { organizations: orgs.length, subnets, addresses, unprotected, numbers, counters };
    })) as PgCheckRows;
  } finally {
    await sql.close();
  }
}
