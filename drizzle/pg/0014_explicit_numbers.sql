-- Subnets and addresses take their integer `number` in the inserting code, n at a time
-- (src/store/pg/numbers.ts): the per-row BEFORE INSERT triggers cost an address batch ~30 % of
-- its throughput. Sections keep theirs (few rows); the function stays for them.
DROP TRIGGER IF EXISTS "addresses_number" ON "addresses";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "subnets_number" ON "subnets";
