-- Hand-written (drizzle-kit generate --custom): the check a memory-only read (first-free)
-- makes before it answers from memory, as one statement (issue 12): the organization's
-- allocation version and the alloc_seq of the subnets it reads, under the organization's
-- scope, as the read unit's first statement reads them (src/store/pg/ipam.ts currentIn).
-- Called on its own (autocommit), its settings are local to that statement's transaction and
-- vanish with it. When memory matches, the read needs no transaction at all; when it does
-- not, the store takes the read unit's path (catch up or reload), as before.
-- Invoker's rights: the function can do nothing its caller could not (SET ROLE needs
-- membership in ipcraft_app). Columns are qualified: the OUT columns are plpgsql variables.
CREATE FUNCTION ipcraft_ipam_state(org_in text, subnet_ids text[])
RETURNS TABLE ("version" integer, "id" text, "alloc_seq" bigint)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM set_config('role', 'ipcraft_app', true), set_config('app.org_id', org_in, true);
  RETURN QUERY
    SELECT v.version, s.id, s.alloc_seq
      FROM (SELECT (SELECT iv.version FROM ipam_versions iv WHERE iv.org_id = org_in) AS version) v
      LEFT JOIN subnets s ON s.org_id = org_in AND s.id = ANY (subnet_ids);
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ipcraft_ipam_state(text, text[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION ipcraft_ipam_state(text, text[]) TO ipcraft_app;
