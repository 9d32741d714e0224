/**
 * Both dialects: the VRFs an organization's rows of `table` use, as a subquery, each found by
 * one seek of the table's (org_id, vrf, …) index — `MIN(vrf)`, then the next greater one,
 * until there is none. Looking one address (or one network) up in every VRF is then one index
 * lookup per VRF, where `org_id = ? AND ip_key = ?` walks every row of the organization: the
 * index leads with the VRF, and neither database skips over it on its own (SQLite without
 * statistics, PostgreSQL before 18). `org` is the organization's placeholder, written twice:
 * `?` (pass the id twice) or `$1`.
 */
export function vrfsOfOrg(table: "addresses" | "subnets", org: string): string {
  return `WITH RECURSIVE v(name) AS (
      SELECT (SELECT MIN(vrf) FROM ${table} WHERE org_id = ${org})
      UNION ALL SELECT (SELECT MIN(vrf) FROM ${table} WHERE org_id = ${org} AND vrf > v.name) FROM v WHERE v.name IS NOT NULL)
    SELECT name FROM v WHERE name IS NOT NULL`;
}
